import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../test/support/cli.ts';
import { api, code, fundedActor } from '../../../test/support/orders.ts';
import { baseUrlOf, type OpenStream, openStream } from '../../../test/support/sse.ts';
import { activationSms, gatewayMessages, gateways } from '../../db/schema/index.ts';
import { signAndroidWebhook } from '../../gateway-clients/android-sms-gateway/channel.ts';
import { unseal } from '../../lib/sealed.ts';
import { runProviderTasks } from '../../modules/activations/index.ts';
import { checkGatewayHeartbeats } from '../../modules/pool/index.ts';

const MINUTE = 60_000;
const DEVICE = 'ffffffffceb0b1db0000018e937c815b';

/**
 * A fake SMS Gateway for Android: the test signs and POSTs what the app would (the envelope, the
 * payload and the signature of the reference notes) to the running app, over real HTTP.
 */
describe('own numbers end to end: an Android gateway, the pool and an order', () => {
  let t: TestApp;
  let base: string;
  let key: string;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);

  const envelope = (event: string, payload: Record<string, unknown>, id: string = randomUUID()) => ({
    deviceId: DEVICE,
    event,
    id,
    webhookId: 'wh-1',
    payload,
  });
  const sms = (text: string, options: { sim?: number; at?: Date; id?: string; recipient?: string | null; sender?: string } = {}) =>
    envelope(
      'sms:received',
      {
        messageId: 'ab12cd34',
        message: text,
        sender: options.sender ?? 'Telegram',
        phoneNumber: options.sender ?? 'Telegram',
        recipient: options.recipient ?? null,
        simNumber: options.sim ?? 1,
        // The phone's local time with its offset, as the app formats it.
        receivedAt: isoWithOffset(options.at ?? t.clock.now()),
      },
      options.id,
    );
  const post = async (
    body: unknown,
    options: {
      signingKey?: string;
      timestamp?: number;
      gateway?: string;
      raw?: { body: string; timestamp: string; signature: string };
    } = {},
  ) => {
    const raw = options.raw?.body ?? JSON.stringify(body);
    const timestamp = options.raw?.timestamp ?? String(options.timestamp ?? Math.floor(t.clock.now().getTime() / 1000));
    const signature = options.raw?.signature ?? signAndroidWebhook(options.signingKey ?? key, raw, timestamp);
    const response = await fetch(`${base}/webhooks/gateways/${options.gateway ?? 'phone'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature, 'x-timestamp': timestamp },
      body: raw,
    });
    return { status: response.status, body: await response.text(), sent: { body: raw, timestamp, signature } };
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off' } });
    base = await baseUrlOf(t);
    const added = await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'phone');
    key = /Signing Key: set it to this key[^\n]*\n\s+(\S+)/.exec(added.stdout)?.[1] as string;
    expect(key).toBeTruthy();
    expect(
      (await otpbox('numbers', 'add', '--gateway', 'phone', '--number', '+14155550100', '--device', DEVICE, '--sim', '1', '--cost', '0.05'))
        .code,
    ).toBe(0);
    expect(
      (
        await otpbox(
          'numbers',
          'add',
          '--gateway',
          'phone',
          '--number',
          '+14155550199',
          '--device',
          DEVICE,
          '--sim',
          '2',
          '--services',
          'fb',
          '--cost',
          '0.05',
        )
      ).code,
    ).toBe(0);
    await t.orders.providers.load();
  });
  afterAll(() => t?.close());

  let stream: OpenStream;
  let orderId: string;
  let buyer: Awaited<ReturnType<typeof fundedActor>>;

  it('an order for tg in the US gets the pool number; the code arrives through the webhook, live on the event stream', async () => {
    buyer = await fundedActor(t, 10_000);
    stream = await openStream(base, { authorization: buyer.bearer });
    const created = await api(t, buyer).order({ service: 'tg', country: 'US' });
    expect(created.statusCode).toBe(201);
    const order = created.json();
    expect(order.phone).toBe('+14155550100');
    orderId = order.id;

    const delivered = await post(sms('Telegram code: 53127. Do not give this code to anyone'));
    expect(delivered).toMatchObject({ status: 200, body: '{"received":true}' });
    await stream.waitFor((events) => events.some((e) => e.event === 'sms.received'));
    expect(stream.events.find((e) => e.event === 'sms.received')?.data).toMatchObject({
      activationId: orderId,
      code: '53127',
      late: false,
    });
    const after = (await api(t, buyer).get(orderId)).json();
    expect(after.status).toBe('received');
    expect(after.sms).toEqual([expect.objectContaining({ code: '53127' })]);
    // The gateway is up and was seen now.
    const listed = JSON.parse((await otpbox('gateways', 'list', '--json')).stdout);
    expect(listed[0]).toMatchObject({ name: 'phone', state: 'up', lastSeenAt: t.clock.now().toISOString() });
  });

  it('a forged signature, a stale timestamp and a replayed delivery are refused; nothing is recorded', async () => {
    const before = await t.database.db.select().from(gatewayMessages);
    const forged = await post(sms('Telegram code: 11111'), { signingKey: 'not-the-key' });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).error.message).toMatch(/^Bad signature/);
    expect(forged.body).not.toContain(key);
    const stale = await post(sms('Telegram code: 22222'), { timestamp: Math.floor(t.clock.now().getTime() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body).error.message).toMatch(/^Stale timestamp/);
    const first = await post(envelope('system:ping', { health: { status: 'pass' } }));
    expect(first.status).toBe(200);
    const replayed = await post(null, { raw: first.sent });
    expect(replayed.status).toBe(409);
    expect(JSON.parse(replayed.body).error.code).toBe('CONFLICT');
    expect(await t.database.db.select().from(gatewayMessages)).toEqual(before);
    expect((await post(sms('x'), { gateway: 'nosuch' })).status).toBe(404);
    const rows = await t.database.db.select().from(activationSms).where(eq(activationSms.activationId, orderId));
    expect(rows).toHaveLength(1);
  });

  it('the same SMS sent again under a new event id is recorded once; a later SMS with a code is recorded, free', async () => {
    const at = new Date(t.clock.now().getTime() - 1_000);
    const one = await post(sms('Telegram code: 77812', { at }));
    const again = await post(sms('Telegram code: 77812', { at }));
    expect([one.status, again.status]).toEqual([200, 200]);
    const messages = await t.database.db.select().from(gatewayMessages).where(eq(gatewayMessages.outcome, 'order'));
    expect(messages).toHaveLength(2);
    const rows = await t.database.db.select().from(activationSms).where(eq(activationSms.activationId, orderId));
    expect(rows.map((r) => [r.code, r.source]).sort()).toEqual([
      ['53127', 'gateway'],
      ['77812', 'gateway'],
    ]);
  });

  it('the order finishes, the number cools down: a late SMS reaches the ended order, marked late, and no new buyer gets the number', async () => {
    expect((await api(t, buyer).action(orderId, 'finish')).statusCode).toBe(200);
    await runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());
    const numbers = JSON.parse((await otpbox('numbers', 'list', '--json')).stdout) as { number: string; state: string }[];
    expect(numbers.find((n) => n.number === '+14155550100')?.state).toBe('cooling');

    t.clock.advance(2 * MINUTE);
    expect((await post(sms('Telegram code: 90001'))).status).toBe(200);
    await stream.waitFor((events) => events.some((e) => e.event === 'sms.received' && e.data.late === true));
    const [late] = await t.database.db.select().from(gatewayMessages).where(eq(gatewayMessages.outcome, 'late'));
    expect(late?.textSealed).toBeNull();

    const other = await fundedActor(t, 10_000);
    expect(code(await api(t, other).order({ service: 'wa', country: 'US' }))).toBe('NO_NUMBERS');
  });

  it('after the cooldown, a second order for the same service cannot get the number, another service can', async () => {
    t.clock.advance(9 * MINUTE);
    // The health job puts numbers that cooled down back in the catalog's stock.
    expect((await checkGatewayHeartbeats(ctxOf(t), t.clock.now())).cooled).toBe(1);
    await t.orders.providers.load();
    const other = await fundedActor(t, 10_000);
    expect(code(await api(t, other).order({ service: 'tg', country: 'US' }))).toBe('NO_NUMBERS');
    const wa = await api(t, other).order({ service: 'wa', country: 'US' });
    expect(wa.statusCode).toBe(201);
    expect(wa.json().phone).toBe('+14155550100');
    // A Telegram code to the number is the Telegram buyer's (sold for tg within the reuse period): the
    // WhatsApp buyer never reads it, or they could sign in to that buyer's Telegram account.
    const unmatchedBefore = (await t.database.db.select().from(gatewayMessages).where(eq(gatewayMessages.outcome, 'unmatched'))).length;
    expect((await post(sms('Telegram code: 55555. Do not give this code to anyone'))).status).toBe(200);
    expect(await t.database.db.select().from(activationSms).where(eq(activationSms.activationId, wa.json().id))).toEqual([]);
    const unmatched = await t.database.db.select().from(gatewayMessages).where(eq(gatewayMessages.outcome, 'unmatched'));
    expect(unmatched).toHaveLength(unmatchedBefore + 1);
    expect((await api(t, other).get(wa.json().id)).json()).toMatchObject({ status: 'waiting', sms: [] });
    // Cancelled as soon as allowed, then the service's code arrives: the credits went back, so the code
    // is withheld — neither stored nor shown (no code for nothing).
    t.clock.advance(t.config.cancelMinS * 1000);
    expect((await api(t, other).action(wa.json().id, 'cancel')).statusCode).toBe(200);
    expect((await post(sms('WhatsApp code 321-654', { sender: 'WhatsApp' }))).status).toBe(200);
    const rows = await t.database.db.select().from(activationSms).where(eq(activationSms.activationId, wa.json().id));
    expect(rows.map((r) => [r.code, r.text, r.late])).toEqual([[null, null, true]]);
    expect((await api(t, other).get(wa.json().id)).json().sms).toEqual([
      expect.objectContaining({ code: null, text: null, withheld: true }),
    ]);
  });

  it('an SMS to a free number is unmatched: kept sealed for staff, shown to nobody', async () => {
    const eventsBefore = stream.events.length;
    const delivered = await post(sms('Your Facebook code is 424242', { sim: 2, sender: 'Facebook' }));
    expect(delivered.status).toBe(200);
    const unmatched = (await t.database.db.select().from(gatewayMessages).where(eq(gatewayMessages.outcome, 'unmatched'))).find(
      (row) =>
        row.numberId !== null &&
        row.textSealed !== null &&
        !unseal(t.keys, 'gateway-messages', `${row.id}:text`, row.textSealed).startsWith('Telegram'),
    );
    expect(unmatched?.textSealed).not.toContain('424242');
    expect(unmatched && unseal(t.keys, 'gateway-messages', `${unmatched.id}:text`, unmatched.textSealed as string)).toBe(
      'Your Facebook code is 424242',
    );
    const everySms = await t.database.db.select().from(activationSms);
    expect(everySms.some((row) => row.code === '424242')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.events.slice(eventsBefore).some((e) => e.event === 'sms.received')).toBe(false);
    // An SMS for a device and slot nobody declared is unmatched too.
    expect((await post(sms('hello', { sim: 3 }))).status).toBe(200);
    // (Three in all: the Telegram code kept from the WhatsApp buyer above, the Facebook code, this one.)
    expect(await t.database.db.select().from(gatewayMessages).where(eq(gatewayMessages.outcome, 'unmatched'))).toHaveLength(3);
  });

  it('a gateway not heard from goes down (its numbers out of stock); a ping brings it back; an SMPP gateway has no webhook', async () => {
    t.clock.advance(16 * MINUTE);
    expect((await checkGatewayHeartbeats(ctxOf(t), t.clock.now())).down).toBe(1);
    const [down] = await t.database.db.select().from(gateways).where(eq(gateways.name, 'phone'));
    expect(down?.state).toBe('down');
    const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(await scrape()).toMatch(/otpbox_gateway_up\{[^}]*gateway="phone"[^}]*\} 0/);
    expect((await post(envelope('system:ping', { health: { status: 'pass' } }))).status).toBe(200);
    const [up] = await t.database.db.select().from(gateways).where(eq(gateways.name, 'phone'));
    expect(up?.state).toBe('up');
    expect(await scrape()).toMatch(/otpbox_gateway_up\{[^}]*gateway="phone"[^}]*\} 1/);

    await otpbox('gateways', 'add', '--kind', 'smpp', '--name', 'smsc', '--host', '127.0.0.1', '--system-id', 'x', '--password', 'y');
    expect((await post(envelope('system:ping', {}), { gateway: 'smsc' })).status).toBe(404);
    stream.close();
  });

  it('the record of inbound SMS, unmatched texts with it, is deleted after RETENTION_GATEWAY_MESSAGES_DAYS', async () => {
    expect((await t.database.db.select().from(gatewayMessages)).length).toBeGreaterThan(0);
    t.clock.advance(29 * 86_400_000);
    expect((await otpbox('privacy', 'retention', '--now')).code).toBe(0);
    expect((await t.database.db.select().from(gatewayMessages)).length).toBeGreaterThan(0);
    t.clock.advance(2 * 86_400_000);
    const purged = await otpbox('privacy', 'retention', '--now', '--json');
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain('gateway_messages');
    expect(await t.database.db.select().from(gatewayMessages)).toEqual([]);
  });
});

/** `2026-06-01T15:00:00.000+03:00`: the app's format (the device's local offset). */
function isoWithOffset(date: Date): string {
  const local = new Date(date.getTime() + 3 * 3_600_000);
  return `${local.toISOString().slice(0, 23)}+03:00`;
}
