import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { FakeSmsc } from '../src/gateway-clients/smpp/__tests__/fake-smsc.ts';
import type { ActivationDeps } from '../src/modules/activations/index.ts';
import type { Ctx } from '../src/modules/context.ts';
import { grantCredits } from '../src/modules/ledger/index.ts';
import { addGateway, addPoolNumber, syncPoolStock } from '../src/modules/pool/index.ts';
import type { EventBus } from '../src/runtime/event-bus.ts';
import { startGatewayLinks } from '../src/runtime/gateway-links.ts';
import { benchApp } from './app.ts';
import { freshDatabase, pgbenchInit, pgbenchRun } from './ledger.ts';
import type { Row } from './lib.ts';
import { openOrders } from './open-orders.ts';

const CLIENTS = 8;
const NUMBERS = Number(process.env.BENCH_SMPP_NUMBERS ?? 4000);

/**
 * Inbound SMS through an SMPP link (issue 20): a fake SMSC on 127.0.0.1 (the `smpp` package's server)
 * sends `deliver_sm` for different open orders on pool numbers, 8 in flight, to otpbox's link (the
 * runtime of src/runtime/gateway-links.ts, as a server runs it). A message counts once the link
 * answered it: the answer goes after the transaction committed — the SMS recorded, the order's code,
 * its capture, its `sms.received` event in the events table and its NOTIFY. On PostgreSQL, against
 * pgbench TPC-B (8 clients) on the same server, in alternating 2-second slices.
 */
export async function smppGatewayBenchmark(seconds = Number(process.env.BENCH_SECONDS ?? 10)): Promise<Row[]> {
  const pgbenchUrl = await freshDatabase('otpbox_bench_pgbench');
  pgbenchInit(pgbenchUrl);
  const fake = await new FakeSmsc({ systemId: 'bench', password: 'bench123' }).listen();
  process.env.BENCH_DATABASE_URL = await freshDatabase('otpbox_bench_smpp');
  const { app, close, database, policy } = await benchApp({
    SANDBOX: 'off',
    ORDER_RATE_LIMIT: '0',
    MAX_ACTIVE_ACTIVATIONS: '10000',
    DB_POOL_MAX: '10',
  });
  delete process.env.BENCH_DATABASE_URL;
  const ctx = { ...(app as unknown as { otpboxCtx: Ctx }).otpboxCtx, actor: 'bench' };
  const activations = (app as unknown as { otpboxOrders: ActivationDeps }).otpboxOrders;
  const events = (app as unknown as { otpboxEvents: EventBus }).otpboxEvents;
  const links = await startGatewayLinks({ ...ctx, database, activations, events });
  try {
    await addGateway(ctx, {
      kind: 'smpp',
      name: 'bench',
      host: '127.0.0.1',
      port: String(fake.port),
      systemId: 'bench',
      password: 'bench123',
    });
    // UK mobile numbers (valid to libphonenumber; nothing leaves this machine), each sold once for tg.
    const numbers: string[] = [];
    for (let i = 0; numbers.length < NUMBERS && i < NUMBERS * 2; i++) {
      const number = `+4474000${String(i).padStart(5, '0')}`;
      try {
        await addPoolNumber(ctx, { gateway: 'bench', number, services: 'tg', cost: '0.05' });
        numbers.push(number);
      } catch {
        // not a valid number: the next one
      }
    }
    await syncPoolStock(database.db, ctx.config, ctx.clock.now());
    await links.refresh();
    await new Promise<void>((resolve) => fake.until(() => fake.bound !== null).then(resolve));
    const customers: Record<string, string>[] = [];
    for (let i = 0; i < CLIENTS; i++) customers.push(await customer(app, ctx, policy.version, i));
    await (app as unknown as { otpboxProviders: { load(): Promise<void> } }).otpboxProviders.load();

    // Open orders waiting for their SMS: made before each slice, outside the time measured.
    const ready = (count: number) => openOrders(app, customers, { service: 'tg', country: 'GB' }, count);
    let sent = 0;
    const deliver = async (phones: string[]): Promise<number> => {
      let delivered = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let phone = phones.pop(); phone; phone = phones.pop()) {
            const code = String(100000 + (sent++ % 900000));
            const status = await fake.deliver({
              source_addr: 'Telegram',
              source_addr_ton: 5,
              destination_addr: phone.slice(1),
              dest_addr_ton: 1,
              dest_addr_npi: 1,
              short_message: Buffer.from(`Telegram code: ${code}. Do not give this code to anyone`, 'latin1'),
            });
            if (status !== 0) throw new Error(`deliver_sm answered ${status}`);
            delivered++;
          }
        }),
      );
      return delivered / ((performance.now() - started) / 1000);
    };

    await deliver(await ready(200));
    await database.db.execute(sql`vacuum analyze`);
    const slice = 2;
    const slices = Math.max(2, Math.round(seconds / slice));
    let perSlice = 300;
    let tpsTotal = 0;
    let smsTotal = 0;
    let left = numbers.length - 200;
    for (let i = 0; i < slices; i++) {
      tpsTotal += pgbenchRun(pgbenchUrl, slice);
      const count = Math.min(perSlice, Math.floor(left / (slices - i)));
      left -= count;
      const rate = await deliver(await ready(count));
      smsTotal += rate;
      perSlice = Math.max(100, Math.round(rate * slice));
    }
    const result = (await database.db.execute(
      sql`select count(*)::int as n from account_events where type = 'sms.received'`,
    )) as unknown as {
      rows: { n: number }[];
    };
    const row = result.rows[0];
    const tps = tpsTotal / slices;
    const perSecond = smsTotal / slices;
    return [
      { name: 'pgbench TPC-B, 8 clients (baseline)', value: tps, unit: 'tps', ratio: 1 },
      {
        name: `inbound SMS through an SMPP link → order code + sms.received event committed, 8 in flight (PostgreSQL; ${row?.n} events)`,
        value: perSecond,
        unit: 'sms/s',
        ratio: perSecond / tps,
        note: 'goal ≥ 0.3×',
      },
    ];
  } finally {
    await links.close();
    await close();
    await fake.close();
  }
}

async function customer(app: FastifyInstance, ctx: Ctx, policyVersion: string, i: number): Promise<Record<string, string>> {
  const signup = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email: `smpp-${i}@example.com`, password: 'benchmark passphrase 2026', ageConfirmed: true, policyVersion },
    remoteAddress: `10.4.0.${i + 1}`,
  });
  const accountId = signup.json().account?.id ?? signup.json().id;
  const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const me = (await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).json();
  await grantCredits(ctx, { accountId: me.id ?? accountId, amount: 10_000_000, reason: 'bench', idempotencyKey: `bench:${i}` });
  const key = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'bench' } })).json()
    .key as string;
  return { authorization: `Bearer ${key}` };
}
