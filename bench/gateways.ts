import { sql } from 'drizzle-orm';
import { signAndroidWebhook } from '../src/gateway-clients/android-sms-gateway/channel.ts';
import { getExpectedTwilioSignature } from '../src/gateway-clients/twilio/validator.ts';
import type { Ctx } from '../src/modules/context.ts';
import { grantCredits } from '../src/modules/ledger/index.ts';
import { addGateway, addPoolNumber } from '../src/modules/pool/index.ts';
import { benchApp } from './app.ts';
import { freshDatabase, pgbenchInit, pgbenchRun } from './ledger.ts';
import type { Row } from './lib.ts';
import { openOrders } from './open-orders.ts';
import { measured, sampleWaits } from './waits.ts';

const CLIENTS = 8;
const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TWILIO_TOKEN = 'bench-twilio-auth-token-0123456789';
/** Each channel's numbers sell for one service only, so that an order lands on the channel measured. */
const CHANNELS = [
  { kind: 'android-sms-gateway', gateway: 'phone', service: 'tg', first: 2_000_000 },
  { kind: 'twilio', gateway: 'tw', service: 'wa', first: 5_000_000 },
] as const;
type Channel = (typeof CHANNELS)[number];

interface Delivery {
  url: string;
  headers: Record<string, string>;
  payload: Buffer | string;
}

/**
 * Inbound SMS on own numbers (issue 20): signed deliveries per second through
 * `POST /webhooks/gateways/{name}`, each an SMS with a code for a different open order on a pool
 * number, counted when its `sms.received` event has arrived on the ordering customer's open event
 * stream (`GET /api/v1/events`, over real HTTP): signature, replay row, routing by number, the
 * message row, the code, the capture and the live event. Per channel (SMS Gateway for Android,
 * Twilio), on PostgreSQL, 8 deliveries in flight, against pgbench TPC-B (8 clients) on the same server,
 * measured in alternating slices. Orders and signatures are made before each slice, outside the time.
 */
export async function gatewaysBenchmark(seconds = Number(process.env.BENCH_SECONDS ?? 10)): Promise<Row[]> {
  const numbersPerChannel = Number(process.env.BENCH_GATEWAY_NUMBERS ?? 3000);
  const warmUp = Math.min(150, Math.floor(numbersPerChannel / 10));
  const pgbenchUrl = await freshDatabase('otpbox_bench_gateways_pgbench');
  pgbenchInit(pgbenchUrl);
  process.env.BENCH_DATABASE_URL = await freshDatabase('otpbox_bench_gateways');
  const { app, policy, close, database, databaseUrl } = await benchApp({
    SANDBOX: 'off',
    ORDER_RATE_LIMIT: '0',
    MAX_ACTIVE_ACTIVATIONS: '10000',
    DB_POOL_MAX: '10',
  });
  delete process.env.BENCH_DATABASE_URL;
  const streams: EventCounter[] = [];
  const waits = await sampleWaits(databaseUrl);
  try {
    const ctx = { ...(app as unknown as { otpboxCtx: Ctx }).otpboxCtx, actor: 'bench' };
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    // The operator's side: two gateways and their numbers, through the module verbs.
    const androidKey = (await addGateway(ctx, { kind: 'android-sms-gateway', name: 'phone' })).signingKey as string;
    await addGateway(ctx, { kind: 'twilio', name: 'tw', accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
    const deviceOf = new Map<string, string>();
    for (const channel of CHANNELS) {
      const numbers = Array.from({ length: numbersPerChannel }, (_, i) => `+1415${channel.first + i}`);
      await Promise.all(
        Array.from({ length: 4 }, async (_, worker) => {
          for (let i = worker; i < numbers.length; i += 4) {
            const number = numbers[i] as string;
            const device = channel.kind === 'android-sms-gateway' ? `bench-device-${i}` : undefined;
            await addPoolNumber(ctx, {
              gateway: channel.gateway,
              number,
              services: channel.service,
              cost: '0.05',
              ...(device ? { device, sim: '1' } : {}),
            });
            if (device) deviceOf.set(number, device);
          }
        }),
      );
    }

    // The customers' side: eight funded customers, each with its event stream open.
    const customers: Record<string, string>[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const signup = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/signup',
        payload: {
          email: `gateways-${i}@example.com`,
          password: 'benchmark passphrase 2026',
          ageConfirmed: true,
          policyVersion: policy.version,
        },
        remoteAddress: `10.4.0.${i + 1}`,
      });
      const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const key = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'bench' } })).json()
        .key as string;
      const accountId = signup.json().accountId as string;
      await grantCredits(ctx, { accountId, amount: 100_000_000, reason: 'bench', idempotencyKey: `bench:${accountId}` });
      customers.push({ authorization: `Bearer ${key}` });
      streams.push(await countEvents(`${base}/api/v1/events`, { authorization: `Bearer ${key}` }, 'sms.received'));
    }
    const seen = () => streams.reduce((sum, s) => sum + s.count, 0);

    let sent = 0;
    /** `count` open orders on the channel's numbers and a signed delivery of a code for each (outside the time measured). */
    const ready = async (channel: Channel, count: number): Promise<Delivery[]> =>
      (await openOrders(app, customers, { service: channel.service, country: 'US' }, count)).map((phone) =>
        delivery(channel, phone, `Your code: ${100000 + (sent++ % 900000)}`),
      );
    const delivery = (channel: Channel, phone: string, text: string): Delivery => {
      const url = `/webhooks/gateways/${channel.gateway}`;
      if (channel.kind === 'twilio') {
        const sid = `SM${sent.toString(16).padStart(32, '0')}`;
        const params: Record<string, string> = {
          MessageSid: sid,
          SmsSid: sid,
          AccountSid: TWILIO_SID,
          From: '+447700900123',
          To: phone,
          Body: text,
          NumMedia: '0',
          NumSegments: '1',
          ApiVersion: '2010-04-01',
        };
        // What Twilio sends: the form, signed over the URL it was given (PUBLIC_URL + path) and every param.
        return {
          url,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': getExpectedTwilioSignature(TWILIO_TOKEN, `${ctx.config.publicUrl}${url}`, params),
          },
          payload: new URLSearchParams(params).toString(),
        };
      }
      const body = JSON.stringify({
        deviceId: deviceOf.get(phone),
        event: 'sms:received',
        id: `bench-${sent}`,
        webhookId: 'wh-bench',
        payload: {
          messageId: `m${sent}`,
          message: text,
          sender: 'Bench',
          phoneNumber: 'Bench',
          recipient: null,
          simNumber: 1,
          receivedAt: new Date().toISOString(),
        },
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      return {
        url,
        headers: {
          'content-type': 'application/json',
          'x-signature': signAndroidWebhook(androidKey, body, timestamp),
          'x-timestamp': timestamp,
        },
        payload: body,
      };
    };
    /** Deliveries per second, from the first sent to the last one's live event seen. */
    const deliver = async (deliveries: Delivery[]): Promise<number> => {
      const target = seen() + deliveries.length;
      const total = deliveries.length;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let next = deliveries.pop(); next; next = deliveries.pop()) {
            const response = await app.inject({ method: 'POST', url: next.url, headers: next.headers, payload: next.payload });
            if (response.statusCode !== 200) throw new Error(`delivery failed: ${response.statusCode} ${response.body}`);
            await new Promise((resolve) => setImmediate(resolve));
          }
        }),
      );
      await waitUntil(() => seen() >= target, streams);
      return total / ((performance.now() - started) / 1000);
    };

    const left = new Map<Channel, number>(CHANNELS.map((c) => [c, numbersPerChannel]));
    const take = (channel: Channel, wanted: number) => {
      const count = Math.min(wanted, left.get(channel) as number);
      left.set(channel, (left.get(channel) as number) - count);
      return count;
    };
    for (const channel of CHANNELS) await deliver(await ready(channel, take(channel, warmUp)));
    // The planner's statistics, as a running server's autovacuum keeps them.
    await database.db.execute(sql`vacuum analyze`);

    const slice = 2;
    const slices = Math.max(2, Math.round(seconds / slice));
    const perSlice = new Map<Channel, number>(CHANNELS.map((c) => [c, 300]));
    const totals = new Map<Channel, number>(CHANNELS.map((c) => [c, 0]));
    let tpsTotal = 0;
    for (let i = 0; i < slices; i++) {
      tpsTotal += await measured(
        waits,
        'pgbench transaction',
        () => pgbenchRun(pgbenchUrl, slice),
        (tps) => tps * slice,
        false,
      );
      for (const channel of CHANNELS) {
        // About `slice` seconds of deliveries, within the numbers left for the slices to come.
        const count = take(channel, Math.min(perSlice.get(channel) as number, Math.floor((left.get(channel) as number) / (slices - i))));
        const deliveries = await ready(channel, count);
        const rate = await measured(
          waits,
          `SMS (${channel.kind})`,
          () => deliver(deliveries),
          () => count,
        );
        totals.set(channel, (totals.get(channel) as number) + rate);
        perSlice.set(channel, Math.max(100, Math.round(rate * slice)));
      }
    }
    const tps = tpsTotal / slices;
    const rows: Row[] = [{ name: 'pgbench TPC-B, 8 clients (baseline)', value: tps, unit: 'tps', ratio: 1 }];
    for (const channel of CHANNELS) {
      const perSecond = (totals.get(channel) as number) / slices;
      rows.push({
        name: `inbound SMS via ${channel.kind} webhooks → sms.received on an open stream, 8 in flight (PostgreSQL)`,
        value: perSecond,
        unit: 'SMS/s',
        ratio: perSecond / tps,
        note: 'goal ≥ 0.3×',
      });
    }
    rows.push(...((await waits?.finish()) ?? []));
    return rows;
  } finally {
    await waits?.finish();
    for (const stream of streams) stream.close();
    await close();
  }
}

interface EventCounter {
  count: number;
  /** Called whenever the count grows. */
  onEvent: (() => void) | null;
  close(): void;
}

/** An open event stream that counts the events of one type (over real HTTP, as a customer's client). */
async function countEvents(url: string, headers: Record<string, string>, type: string): Promise<EventCounter> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (response.status !== 200 || !response.body) throw new Error(`event stream: ${response.status}`);
  const counter: EventCounter = { count: 0, onEvent: null, close: () => controller.abort() };
  const marker = `event: ${type}\n`;
  void (async () => {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        const end = buffer.lastIndexOf('\n\n');
        if (end === -1) continue;
        const blocks = buffer.slice(0, end + 2);
        buffer = buffer.slice(end + 2);
        for (let at = blocks.indexOf(marker); at !== -1; at = blocks.indexOf(marker, at + marker.length)) counter.count++;
        counter.onEvent?.();
      }
    } catch {
      // Closed at the end.
    }
  })();
  return counter;
}

/** Resolves when `done()` holds, checked as events arrive; fails after 60 s without it. */
function waitUntil(done: () => boolean, streams: EventCounter[]): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the live events did not all arrive within 60 s')), 60_000);
    const check = () => {
      if (!done()) return;
      clearTimeout(timer);
      for (const stream of streams) stream.onEvent = null;
      resolve();
    };
    for (const stream of streams) stream.onEvent = check;
  });
}
