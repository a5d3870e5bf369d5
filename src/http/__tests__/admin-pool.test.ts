import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor, ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { auditLog, gatewayMessages, poolNumbers } from '../../db/schema/index.ts';
import { receiveGatewaySms } from '../../modules/inbound-sms/index.ts';
import { addGateway, addPoolNumber, findGateway } from '../../modules/pool/index.ts';
import { createRental } from '../../modules/rentals/index.ts';

const DEVICE = 'ffffffffceb0b1db0000018e937c815b';

let t: TestApp;
let admin: Actor;
let support: Actor;
beforeAll(async () => {
  t = await createTestApp({ env: { SANDBOX: 'off' } });
  admin = await createActor(t, 'admin');
  support = await createActor(t, 'support');
  await addGateway(ctxOf(t, 'cli'), { kind: 'android-sms-gateway', name: 'phone' });
  await addGateway(ctxOf(t, 'cli'), {
    kind: 'twilio',
    name: 'tw',
    accountSid: `AC${'a'.repeat(32)}`,
    authToken: 'twilio-auth-token-0123456789',
  });
});
afterAll(() => t?.close());

const get = (url: string, actor: Actor, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { ...asActor(actor), ...headers } });
const post = (url: string, actor: Actor, body: unknown) =>
  t.app.inject({ method: 'POST', url, headers: { ...asActor(actor), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const audits = (action: string) => t.database.db.select().from(auditLog).where(eq(auditLog.action, action));
const numbersUrl = (number: string, verb: string) => `/api/v1/admin/pool/numbers/${encodeURIComponent(number)}/${verb}`;

describe('admin pool API: gateways and numbers', () => {
  it('lists the gateways to support staff: state, last seen, numbers, and never a secret', async () => {
    const response = await get('/api/v1/admin/pool/gateways', support);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().gateways).toEqual([
      expect.objectContaining({ name: 'phone', kind: 'android-sms-gateway', state: 'unknown', lastSeenAt: null, numbers: 0 }),
      expect.objectContaining({ name: 'tw', kind: 'twilio', state: 'up', numbers: 0 }),
    ]);
    expect(response.body).not.toContain('twilio-auth-token');
    expect(response.body).not.toMatch(/secret|settings|accountSid/i);
  });

  it('adds a number with a required reason through the module verb: one audit row with who and why; support refused', async () => {
    const body = { gateway: 'phone', number: '+1 415 555 0142', device: DEVICE, sim: '1', services: 'tg,wa', cost: '0.05' };
    const noReason = await post('/api/v1/admin/pool/numbers', admin, body);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.message).toMatch(/reason/);
    const bySupport = await post('/api/v1/admin/pool/numbers', support, { ...body, reason: 'not mine to do' });
    expect(bySupport.statusCode).toBe(403);
    // The checks are the command line's; over the API they name the JSON property, not the option.
    const badNumber = await post('/api/v1/admin/pool/numbers', admin, { ...body, number: '+1555', reason: 'a typo' });
    expect(badNumber.statusCode).toBe(400);
    expect(badNumber.json().error.message).toMatch(/^`number` must be a valid phone number in E\.164 form/);
    expect(badNumber.body).not.toContain('--');
    expect(await t.database.db.select().from(poolNumbers)).toEqual([]);

    const added = await post('/api/v1/admin/pool/numbers', admin, { ...body, reason: 'new SIM in phone 1' });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toEqual({
      number: '+14155550142',
      gateway: 'phone',
      country: 'US',
      services: ['tg', 'wa'],
      device: DEVICE,
      sim: 1,
      cost: 0.05,
      state: 'free',
      coolingUntil: null,
      lastSoldAt: null,
      rentPerDay: null,
    });
    const rows = await audits('pool_number.add');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: admin.accountId,
      details: expect.objectContaining({ reason: 'new SIM in phone 1', gateway: 'phone' }),
    });

    // The CLI's checks, in its words.
    const again = await post('/api/v1/admin/pool/numbers', admin, { ...body, reason: 'twice' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/already in the pool/);
    const invalid = await post('/api/v1/admin/pool/numbers', admin, { gateway: 'phone', number: '12345', reason: 'typo' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.message).toMatch(/E\.164/);
    const twilioDevice = await post('/api/v1/admin/pool/numbers', admin, {
      gateway: 'tw',
      number: '+14155550143',
      device: 'x',
      reason: 'wrong',
    });
    expect(twilioDevice.statusCode).toBe(400);
    expect(twilioDevice.json().error.message).toMatch(/Android gateways only/);
    const noGateway = await post('/api/v1/admin/pool/numbers', admin, { gateway: 'nope', number: '+14155550143', reason: 'wrong' });
    expect(noGateway.statusCode).toBe(404);
    expect(await audits('pool_number.add')).toHaveLength(1);
  });

  it('lists numbers with state, cost and rent rate, filtered by gateway and state; sets and clears a rent rate (audited)', async () => {
    expect(
      (await post('/api/v1/admin/pool/numbers', admin, { gateway: 'tw', number: '+14155550145', reason: 'second line' })).statusCode,
    ).toBe(201);
    const rate = await post(numbersUrl('+14155550145', 'rent-rate'), admin, { perDay: '0.50', reason: 'offer it for rent' });
    expect(rate.statusCode, rate.body).toBe(200);
    expect(rate.json()).toEqual({ number: '+14155550145', perDay: 0.5 });
    expect((await post(numbersUrl('+14155550145', 'rent-rate'), support, { perDay: '1', reason: 'support' })).statusCode).toBe(403);
    const bad = await post(numbersUrl('+14155550145', 'rent-rate'), admin, { perDay: '-1', reason: 'negative' });
    expect(bad.statusCode).toBe(400);

    const all = (await get('/api/v1/admin/pool/numbers', support)).json().numbers as { number: string; rentPerDay: number | null }[];
    expect(all.map((n) => [n.number, n.rentPerDay])).toEqual([
      ['+14155550142', null],
      ['+14155550145', 0.5],
    ]);
    const onTw = (await get('/api/v1/admin/pool/numbers?gateway=tw', support)).json().numbers as { number: string }[];
    expect(onTw.map((n) => n.number)).toEqual(['+14155550145']);
    expect((await get('/api/v1/admin/pool/numbers?state=rented', support)).json().numbers).toEqual([]);
    expect((await get('/api/v1/admin/pool/numbers?state=free', support)).json().numbers).toHaveLength(2);

    const cleared = await post(numbersUrl('+14155550145', 'rent-rate'), admin, { perDay: null, reason: 'not for rent now' });
    expect(cleared.json()).toEqual({ number: '+14155550145', perDay: null });
    const rows = await audits('pool_number.rent_rate');
    expect(rows.map((row) => row.details)).toEqual([
      expect.objectContaining({ perDay: 500_000, reason: 'offer it for rent' }),
      expect.objectContaining({ perDay: null, reason: 'not for rent now' }),
    ]);
  });

  it('removes a number with a reason (audited); refused while it is rented, in the module’s words', async () => {
    await addPoolNumber(ctxOf(t, 'cli'), { gateway: 'tw', number: '+14155550144' });
    await post(numbersUrl('+14155550144', 'rent-rate'), admin, { perDay: '0.10', reason: 'for rent' });
    const customer = await createActor(t);
    const { grantCredits } = await import('../../modules/ledger/index.ts');
    await grantCredits(ctxOf(t, 'cli'), { accountId: customer.accountId, amount: 1000, reason: 'test', idempotencyKey: 'pool-remove' });
    await createRental(ctxOf(t), { accountId: customer.accountId, country: 'US', days: 1 });
    const rented = await post(numbersUrl('+14155550144', 'remove'), admin, { reason: 'SIM broken' });
    expect(rented.statusCode).toBe(409);
    expect(rented.json().error.message).toMatch(/\+14155550144 is held by a long-term rental/);
    expect((await get('/api/v1/admin/pool/numbers?state=rented', support)).json().numbers).toEqual([
      expect.objectContaining({ number: '+14155550144', rentPerDay: 0.1 }),
    ]);

    expect((await post(numbersUrl('+14155550142', 'remove'), support, { reason: 'not mine' })).statusCode).toBe(403);
    expect((await post(numbersUrl('+14155550142', 'remove'), admin, {})).statusCode).toBe(400);
    const removed = await post(numbersUrl('+14155550142', 'remove'), admin, { reason: 'SIM returned' });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toEqual({ removed: true });
    const rows = await audits('pool_number.remove');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: admin.accountId, details: expect.objectContaining({ reason: 'SIM returned' }) });
    expect((await post(numbersUrl('+14155550142', 'remove'), admin, { reason: 'again' })).statusCode).toBe(404);

    // The account page shows the customer's rental, the number masked (a staff read the customer sees).
    const activity = await get(`/api/v1/admin/accounts/${customer.accountId}/activity`, support);
    expect(activity.statusCode, activity.body).toBe(200);
    expect(activity.json().rentals).toEqual([
      expect.objectContaining({ number: '+14…0144', country: 'US', status: 'active', smsCount: 0, pricePerDay: expect.any(Number) }),
    ]);
    expect(activity.body).not.toContain('+14155550144');
  });
});

describe('admin pool API: unmatched messages', () => {
  it('opens sender and text for admin and support, newest first and paged; every read is audited', async () => {
    const phone = await findGateway(t.database.db, 'phone');
    if (!phone) throw new Error('no gateway');
    await addPoolNumber(ctxOf(t, 'cli'), { gateway: 'phone', number: '+14155550150', device: DEVICE, sim: '2' });
    for (const [i, text] of ['Your bank code is 111111', 'Hello from a stranger', 'Promo: 50% off'].entries()) {
      t.clock.advance(60_000);
      const outcome = await receiveGatewaySms(ctxOf(t), t.orders.activations, phone, {
        receiver: { device: DEVICE, sim: 2 },
        sender: `+44770090000${i}`,
        text,
        receivedAt: t.clock.now(),
        messageId: `m-${i}`,
      });
      expect(outcome).toMatchObject({ outcome: 'unmatched' });
    }
    const [sealed] = await t.database.db.select().from(gatewayMessages).where(eq(gatewayMessages.outcome, 'unmatched'));
    expect(sealed?.textSealed).not.toContain('stranger');

    const first = await get('/api/v1/admin/pool/messages?limit=2', support, { 'x-access-reason': 'checking a missing code' });
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json() as {
      messages: { id: string; text: string; sender: string; number: string; gateway: string }[];
      nextCursor: string;
    };
    expect(page.messages.map((m) => [m.text, m.sender, m.number, m.gateway])).toEqual([
      ['Promo: 50% off', '+447700900002', '+14155550150', 'phone'],
      ['Hello from a stranger', '+447700900001', '+14155550150', 'phone'],
    ]);
    expect(page.nextCursor).toBeTruthy();
    const second = (await get(`/api/v1/admin/pool/messages?limit=2&cursor=${page.nextCursor}`, admin)).json();
    expect(second.messages.map((m: { text: string }) => m.text)).toEqual(['Your bank code is 111111']);
    expect(second.nextCursor).toBeNull();
    expect((await get('/api/v1/admin/pool/messages?gateway=tw', admin)).json().messages).toEqual([]);

    const reads = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'gateway_messages.read'), sql`${auditLog.details}->>'role' is not null`))
      .orderBy(auditLog.id);
    expect(reads).toHaveLength(3);
    expect(reads[0]).toMatchObject({
      actor: support.accountId,
      details: { role: 'support', reason: 'checking a missing code', messages: page.messages.map((m) => m.id) },
    });
    expect(reads[1]).toMatchObject({ actor: admin.accountId, details: expect.objectContaining({ role: 'admin' }) });
    // No text in the audit row, only which messages were read.
    expect(JSON.stringify(reads)).not.toContain('stranger');

    const customer = await createActor(t);
    expect((await get('/api/v1/admin/pool/messages', customer)).statusCode).toBe(403);
  });
});
