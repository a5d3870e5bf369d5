import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../../test/support/cli.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { baseUrlOf, openStream } from '../../../../test/support/sse.ts';
import { queryRows } from '../../../db/client.ts';
import { grantDemoCredits, verifyLedger } from '../../ledger/index.ts';
import { endRentalsForErasure, receiveRentalSms, runRentalPeriods } from '../index.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NUMBERS = ['+14155550100', '+14155550101', '+14155550102', '+14155550103', '+14155550104', '+14155550105'];

describe('long-term rentals of pool numbers', () => {
  let t: TestApp;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
  const as = (actor: Actor) => ({ authorization: actor.bearer });
  const rent = (actor: Actor, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/rentals', headers: { ...as(actor), ...headers }, payload: body });
  const get = (actor: Actor, id: string) => t.app.inject({ method: 'GET', url: `/api/v1/rentals/${id}`, headers: as(actor) });
  const post = (actor: Actor, id: string, verb: string, body?: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: `/api/v1/rentals/${id}/${verb}`, headers: as(actor), ...(body ? { payload: body } : {}) });
  const leaseOf = async (rentalId: string) =>
    (await queryRows<{ lease_id: string }>(t.database.db, sql`select lease_id from rentals where id = ${rentalId}`))[0]?.lease_id as string;
  /** The rental's ledger lines, in order: kind, amount, period. */
  const lines = async (rentalId: string) =>
    (
      await queryRows<{ kind: string; amount: string | number; period: number; reason: string }>(
        t.database.db,
        sql`select kind, amount, (metadata->>'period')::int as period, reason from ledger_transfers
            where metadata->>'rentalId' = ${rentalId} order by created_at, id`,
      )
    ).map((l) => ({ kind: l.kind, amount: Number(l.amount), period: l.period }));
  const sms = (leaseId: string, text: string, messageId?: string) =>
    receiveRentalSms(ctxOf(t), leaseId, { sender: 'Telegram', text, receivedAt: t.clock.now(), messageId });

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off', POOL_COOLDOWN_MINUTES: '10' } });
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
    for (const number of NUMBERS)
      expect((await otpbox('numbers', 'add', '--gateway', 'farm', '--number', number, '--cost', '0.05')).stderr).toBe('');
    // Five numbers rentable (0.50 and 0.70 USD a day: 50 and 70 credits at CREDITS_PER_USD 100), the last not.
    expect((await otpbox('numbers', 'rent-rate', '--number', NUMBERS[0] as string, '--per-day', '0.50')).stdout).toContain(
      '0.50 USD a day',
    );
    for (const number of NUMBERS.slice(1, 5))
      expect((await otpbox('numbers', 'rent-rate', '--number', number, '--per-day', '0.70')).code).toBe(0);
    expect((await otpbox('numbers', 'rent-rate', '--number', NUMBERS[5] as string, '--per-day', '0.70')).code).toBe(0);
    expect((await otpbox('numbers', 'rent-rate', '--number', NUMBERS[5] as string, '--off')).stdout).toContain('no longer offered');
  });
  afterAll(() => t?.close());

  it('shows the price before renting: per country, how many numbers and the price per day (public)', async () => {
    const offers = await t.app.inject({ method: 'GET', url: '/api/v1/rentals/offers' });
    expect(offers.statusCode).toBe(200);
    expect(offers.json()).toEqual({ offers: [{ country: 'US', count: 5, pricePerDay: 50 }], maxDays: 183 });
  });

  it('a rental refused for insufficient credits loses nothing and leases nothing', async () => {
    const poor = await fundedActor(t, 100);
    const refused = await rent(poor, { country: 'US', days: 3 });
    expect(refused.statusCode).toBe(402);
    expect(code(refused)).toBe('INSUFFICIENT_CREDITS');
    expect(await api(t, poor).balance()).toEqual({ available: 100, held: 0 });
    const leases = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from pool_leases`);
    expect(leases[0]?.n).toBe(0);
    expect(code(await rent(poor, { country: 'GB', days: 1 }))).toBe('NO_NUMBERS');
    // Demo credits never pay for a real number.
    await grantDemoCredits(ctxOf(t), { accountId: poor.accountId, amount: 1_000, cap: 1_000, idempotencyKey: `demo:${poor.accountId}` });
    expect(code(await rent(poor, { country: 'US', days: 3, services: ['tg'] }))).toBe('INSUFFICIENT_CREDITS');
    expect(await api(t, poor).balances()).toEqual({ credits: { available: 100, held: 0 }, demo: { available: 1_000, held: 0 } });
  });

  it('receives several SMS over days, live, renews by hand and automatically, and each period is held then captured', async () => {
    const renter = await fundedActor(t, 2_000);
    const stream = await openStream(await baseUrlOf(t), as(renter));
    const made = await rent(renter, { country: 'US', days: 2, services: ['tg'], autoRenew: true }, { 'idempotency-key': 'rent-1' });
    expect(made.statusCode).toBe(201);
    const rental = made.json();
    expect(rental).toMatchObject({
      number: NUMBERS[0],
      country: 'US',
      status: 'active',
      pricePerDay: 50,
      services: ['tg'],
      autoRenew: true,
    });
    expect(rental.periods).toEqual([expect.objectContaining({ seq: 1, days: 2, price: 100, status: 'held', charged: null })]);
    expect(await api(t, renter).balance()).toEqual({ available: 1_900, held: 100 });
    // The same key and body: the same rental; another body: refused.
    const again = await rent(renter, { country: 'US', days: 2, services: ['tg'], autoRenew: true }, { 'idempotency-key': 'rent-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(rental.id);
    expect(code(await rent(renter, { country: 'US', days: 3 }, { 'idempotency-key': 'rent-1' }))).toBe('IDEMPOTENCY_KEY_REUSED');
    // The number is out of the orders' stock and of the rental offers.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/rentals/offers' })).json().offers).toEqual([
      { country: 'US', count: 4, pricePerDay: 70 },
    ]);

    const lease = await leaseOf(rental.id);
    expect((await sms(lease, 'Telegram code: 12345', 'm1')).outcome).toBe('recorded');
    expect((await sms(lease, 'Telegram code: 12345', 'm1')).outcome).toBe('duplicate');
    await stream.waitFor((events) => events.some((e) => e.event === 'rental.sms'));
    const live = stream.events.find((e) => e.event === 'rental.sms');
    expect(live?.data).toMatchObject({ rentalId: rental.id, code: '12345', late: false });
    expect(JSON.stringify(live?.data)).not.toContain('Telegram code');

    t.clock.advance(DAY);
    await sms(lease, 'Your WhatsApp code 678-901', 'm2');
    // Renewed by hand for 3 days: held now, after the current end.
    const renewed = await post(renter, rental.id, 'renew', { days: 3 });
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json().periods.map((p: { seq: number; days: number; status: string }) => [p.seq, p.days, p.status])).toEqual([
      [1, 2, 'held'],
      [2, 3, 'held'],
    ]);
    expect(await api(t, renter).balance()).toEqual({ available: 1_750, held: 250 });

    // Day 2 over: period 1 captured; the rental goes on (paid to day 5).
    t.clock.advance(DAY + 1_000);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toEqual({ captured: 1, renewed: 0, ended: 0, skipped: 0 });
    await sms(lease, 'G-424242 is your Google verification code.');
    // Day 5 over: period 2 captured, and autoRenew adds 3 days more.
    t.clock.advance(3 * DAY);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toEqual({ captured: 1, renewed: 1, ended: 0, skipped: 0 });
    const shown = (await get(renter, rental.id)).json();
    expect(shown.sms.map((m: { code: string | null }) => m.code)).toEqual(['12345', '678901', '424242']);
    expect(shown.sms[0]).toMatchObject({ text: 'Telegram code: 12345', sender: 'Telegram', late: false });
    expect(shown.periods.map((p: { seq: number; status: string; charged: number | null }) => [p.seq, p.status, p.charged])).toEqual([
      [1, 'captured', 100],
      [2, 'captured', 150],
      [3, 'held', null],
    ]);
    expect(await api(t, renter).balance()).toEqual({ available: 1_600, held: 150 });

    // The customer turns auto-renewal off: at the end of period 3 it is captured and the rental ends.
    expect((await post(renter, rental.id, 'auto-renew', { autoRenew: false })).json().autoRenew).toBe(false);
    t.clock.advance(3 * DAY);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toEqual({ captured: 1, renewed: 0, ended: 1, skipped: 0 });
    const ended = (await get(renter, rental.id)).json();
    expect(ended).toMatchObject({ status: 'ended', endReason: 'expired', smsCount: 3 });
    expect(await api(t, renter).balance()).toEqual({ available: 1_600, held: 0 });
    expect(await lines(rental.id)).toEqual([
      { kind: 'hold', amount: 100, period: 1 },
      { kind: 'hold', amount: 150, period: 2 },
      { kind: 'capture', amount: 100, period: 1 },
      { kind: 'capture', amount: 150, period: 2 },
      { kind: 'hold', amount: 150, period: 3 },
      { kind: 'capture', amount: 150, period: 3 },
    ]);
    const types = stream.events.map((e) => e.event);
    expect(types).toContain('rental.updated');
    stream.close();

    // The number received SMS: it cools for POOL_REUSE_DAYS (90), not 10 minutes.
    const listed = JSON.parse((await otpbox('numbers', 'list', '--json')).stdout) as {
      number: string;
      state: string;
      coolingUntil: string;
    }[];
    const number = listed.find((n) => n.number === NUMBERS[0]);
    expect(number?.state).toBe('cooling');
    expect(new Date(number?.coolingUntil as string).getTime()).toBe(t.clock.now().getTime() + 90 * DAY);
    // A late SMS within the cooling minutes is still shown, flagged.
    expect((await sms(lease, 'late 5555')).outcome).toBe('late');
    // Another renew or cancel is refused now.
    expect(code(await post(renter, rental.id, 'renew'))).toBe('CONFLICT');
  });

  it('cancelling early without any SMS gives the period back; later, the days begun are paid; with an SMS, all of it', async () => {
    const renter = await fundedActor(t, 5_000);
    // Within the first hour, no SMS: released in full.
    const first = (await rent(renter, { country: 'US', days: 7 })).json();
    expect(first.number).toBe(NUMBERS[1]);
    t.clock.advance(30 * 60_000);
    const cancelled = await post(renter, first.id, 'cancel');
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', endReason: 'cancelled' });
    expect(await lines(first.id)).toEqual([
      { kind: 'hold', amount: 490, period: 1 },
      { kind: 'release', amount: 490, period: 1 },
    ]);
    expect(await api(t, renter).balance()).toEqual({ available: 5_000, held: 0 });
    expect(code(await post(renter, first.id, 'cancel'))).toBe('CONFLICT');

    // No SMS reached it: the number cools for minutes only, then rents again.
    t.clock.advance(11 * 60_000);
    const second = (await rent(renter, { country: 'US', days: 7 })).json();
    expect(second.pricePerDay).toBe(70);
    // A renewal paid ahead is given back on cancel; the current period, 1 day 2 hours in without SMS: 2 days paid.
    await post(renter, second.id, 'renew', { days: 2 });
    t.clock.advance(DAY + 2 * HOUR);
    await post(renter, second.id, 'cancel');
    expect(await lines(second.id)).toEqual([
      { kind: 'hold', amount: 490, period: 1 },
      { kind: 'hold', amount: 140, period: 2 },
      { kind: 'capture', amount: 140, period: 1 },
      { kind: 'release', amount: 140, period: 2 },
    ]);

    // With an SMS in the period: captured in full, even within the first hour.
    t.clock.advance(11 * 60_000);
    const third = (await rent(renter, { country: 'US', days: 1 })).json();
    await sms(await leaseOf(third.id), 'code 99999');
    await post(renter, third.id, 'cancel');
    expect(await lines(third.id)).toEqual([
      { kind: 'hold', amount: 70, period: 1 },
      { kind: 'capture', amount: 70, period: 1 },
    ]);
    expect(await api(t, renter).balance()).toEqual({ available: 5_000 - 140 - 70, held: 0 });
  });

  it('refuses renewals past 183 days from the start (P5); autoRenew shortens the last period to the cap, then ends', async () => {
    const renter = await fundedActor(t, 50_000);
    t.clock.advance(11 * 60_000);
    expect(code(await rent(renter, { country: 'US', days: 184 }))).toBe('VALIDATION_FAILED');
    const rental = (await rent(renter, { country: 'US', days: 180, autoRenew: true })).json();
    const over = await post(renter, rental.id, 'renew', { days: 4 });
    expect(over.statusCode).toBe(409);
    expect(over.json().error.message).toContain('by 3 days at most');
    t.clock.advance(180 * DAY);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toMatchObject({ captured: 1, renewed: 1 });
    const capped = (await get(renter, rental.id)).json();
    expect(capped.periods.at(-1)).toMatchObject({ seq: 2, days: 3 });
    expect(new Date(capped.endsAt).getTime()).toBe(new Date(rental.startedAt).getTime() + 183 * DAY);
    t.clock.advance(3 * DAY);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toMatchObject({ captured: 1, renewed: 0, ended: 1 });
    expect((await get(renter, rental.id)).json()).toMatchObject({ status: 'ended', endReason: 'expired' });
  });

  it('autoRenew without the credits for the next period ends the rental and keeps nothing held', async () => {
    const renter = await fundedActor(t, 80);
    t.clock.advance(11 * 60_000);
    const rental = (await rent(renter, { country: 'US', days: 1, autoRenew: true })).json();
    t.clock.advance(DAY);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toMatchObject({ captured: 1, renewed: 0, ended: 1 });
    expect((await get(renter, rental.id)).json()).toMatchObject({ status: 'ended', endReason: 'insufficient_credits' });
    expect(await api(t, renter).balance()).toEqual({ available: 80 - rental.pricePerDay, held: 0 });
  });

  it('another account cannot read, renew or cancel a rental (404); the list shows only mine', async () => {
    const owner = await fundedActor(t, 1_000);
    const other = await fundedActor(t, 1_000);
    t.clock.advance(11 * 60_000);
    const rental = (await rent(owner, { country: 'US', days: 1 })).json();
    expect((await get(other, rental.id)).statusCode).toBe(404);
    expect((await post(other, rental.id, 'renew')).statusCode).toBe(404);
    expect((await post(other, rental.id, 'cancel')).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/rentals', headers: as(other) })).json().rentals).toEqual([]);
    const mine = (await t.app.inject({ method: 'GET', url: '/api/v1/rentals', headers: as(owner) })).json();
    expect(mine.rentals.map((r: { id: string }) => r.id)).toEqual([rental.id]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/rentals' })).statusCode).toBe(401);

    // Erasure ends it (within the first hour, no SMS: released) and the rows go with the account's data.
    expect(await endRentalsForErasure(ctxOf(t), owner.accountId)).toEqual({ ended: 1 });
    expect((await get(owner, rental.id)).json()).toMatchObject({ status: 'ended', endReason: 'erasure' });
    expect(await lines(rental.id)).toEqual([
      { kind: 'hold', amount: rental.pricePerDay, period: 1 },
      { kind: 'release', amount: rental.pricePerDay, period: 1 },
    ]);
  });

  it('leaves the ledger balanced', async () => {
    const report = await verifyLedger(t.database.db, t.clock.now());
    expect(report.ok, JSON.stringify(report)).toBe(true);
  });
});

describe('a number sold lately for any service is not rented', () => {
  let t: TestApp;
  const rent = (actor: Actor, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/rentals', headers: { authorization: actor.bearer }, payload: body });
  const offers = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/rentals/offers' })).json().offers;

  beforeAll(async () => {
    t = await appWithRentableNumbers({ POOL_REUSE_DAYS: '90' }, ['+14155550190']);
  });
  afterAll(() => t?.close());

  it('a rental receives every SMS: a number sold for Telegram a day ago is rented for nothing, whatever the renter declares, until the reuse period is over', async () => {
    // The number was sold for Telegram yesterday (an order's service use, as a sale records it): a new
    // Telegram code for the account its buyer opened must never reach a renter.
    const yesterday = new Date(t.clock.now().getTime() - DAY).toISOString();
    await t.database.db.execute(sql`with n as (select id from pool_numbers where number = '+14155550190'),
      lease as (insert into pool_leases (id, number_id, kind, service, started_at, ended_at, got_sms)
                select 'lease_01test0sold0for0telegram0', id, 'order', 'tg', ${yesterday}::timestamptz, ${yesterday}::timestamptz, true from n
                returning id, number_id)
      insert into pool_service_uses (number_id, service, used_at, lease_id)
      select number_id, 'tg', ${yesterday}::timestamptz, id from lease`);
    expect(await offers()).toEqual([]);
    const renter = await fundedActor(t, 10_000);
    for (const body of [
      { country: 'US', days: 1 },
      { country: 'US', days: 1, services: ['wa'] },
      { country: 'US', days: 1, services: [] },
    ])
      expect(code(await rent(renter, body)), JSON.stringify(body)).toBe('NO_NUMBERS');
    expect(await api(t, renter).balance()).toEqual({ available: 10_000, held: 0 });
    // Once the reuse period is over, it is rented.
    t.clock.advance(90 * DAY);
    expect(await offers()).toEqual([{ country: 'US', count: 1, pricePerDay: 50 }]);
    expect((await rent(renter, { country: 'US', days: 1 })).statusCode).toBe(201);
  });
});

describe('an account that may not be processed', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await appWithRentableNumbers({}, ['+14155550180', '+14155550181']);
  });
  afterAll(() => t?.close());

  it('has its auto-renewing rentals ended, not renewed, when suspended or its processing restricted: no new period is held', async () => {
    const restricted = await fundedActor(t, 1_000);
    const suspended = await fundedActor(t, 1_000);
    const ids: string[] = [];
    for (const actor of [restricted, suspended]) {
      const rented = await t.app.inject({
        method: 'POST',
        url: '/api/v1/rentals',
        headers: { authorization: actor.bearer },
        payload: { country: 'US', days: 1, autoRenew: true },
      });
      expect(rented.statusCode, rented.body).toBe(201);
      ids.push(rented.json().id);
    }
    await t.database.db.execute(sql`update accounts set processing_restricted_at = now() where id = ${restricted.accountId}`);
    await t.database.db.execute(sql`update accounts set status = 'suspended' where id = ${suspended.accountId}`);
    t.clock.advance(DAY);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toEqual({ captured: 2, renewed: 0, ended: 2, skipped: 0 });
    const rows = await queryRows<{ status: string; end_reason: string }>(
      t.database.db,
      sql`select status, end_reason from rentals where id in (${ids[0]}, ${ids[1]})`,
    );
    expect(rows).toEqual([
      { status: 'ended', end_reason: 'account_held' },
      { status: 'ended', end_reason: 'account_held' },
    ]);
    // The first day was paid; nothing more is held.
    for (const actor of [restricted, suspended]) expect(await api(t, actor).balance()).toEqual({ available: 950, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });
});

describe('an SMS after a rental ended', () => {
  let t: TestApp;
  const rent = async (actor: Actor) =>
    (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/rentals',
        headers: { authorization: actor.bearer },
        payload: { country: 'US', days: 1 },
      })
    ).json() as { id: string; number: string };
  const cancel = (actor: Actor, id: string) =>
    t.app.inject({ method: 'POST', url: `/api/v1/rentals/${id}/cancel`, headers: { authorization: actor.bearer } });
  const leaseOf = async (rentalId: string) =>
    (await queryRows<{ lease_id: string }>(t.database.db, sql`select lease_id from rentals where id = ${rentalId}`))[0]?.lease_id as string;
  const coolingUntil = async (number: string) =>
    (
      await queryRows<{ cooling_until: Date | string }>(
        t.database.db,
        sql`select cooling_until from pool_numbers where number = ${number} and removed_at is null`,
      )
    )[0]?.cooling_until;
  const late = (leaseId: string, text: string) =>
    receiveRentalSms(ctxOf(t), leaseId, { sender: 'WhatsApp', text, receivedAt: t.clock.now() });

  beforeAll(async () => {
    t = await appWithRentableNumbers({ POOL_REUSE_DAYS: '90' }, ['+14155550160', '+14155550161']);
  });
  afterAll(() => t?.close());

  it('of a rental given back whole (nothing paid) is not the renter’s: no code for free', async () => {
    const renter = await fundedActor(t, 1_000);
    const rental = await rent(renter);
    expect((await cancel(renter, rental.id)).statusCode).toBe(200);
    expect(await api(t, renter).balance()).toEqual({ available: 1_000, held: 0 });
    t.clock.advance(60_000);
    expect(await late(await leaseOf(rental.id), 'WhatsApp code 556-677')).toMatchObject({ outcome: 'unpaid' });
    const shown = (
      await t.app.inject({ method: 'GET', url: `/api/v1/rentals/${rental.id}`, headers: { authorization: renter.bearer } })
    ).json();
    expect(shown.smsCount).toBe(0);
  });

  it('of a paid rental is shown, and the number then cools for the reuse period, not minutes', async () => {
    const renter = await fundedActor(t, 1_000);
    const rental = await rent(renter);
    t.clock.advance(DAY);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toMatchObject({ captured: 1, ended: 1 });
    const endedAt = t.clock.now().getTime();
    expect(new Date((await coolingUntil(rental.number)) as Date).getTime()).toBe(endedAt + 10 * 60_000);
    t.clock.advance(60_000);
    expect(await late(await leaseOf(rental.id), 'WhatsApp code 445-566')).toMatchObject({ outcome: 'late' });
    expect(new Date((await coolingUntil(rental.number)) as Date).getTime()).toBe(endedAt + 90 * DAY);
  });
});

/** An app selling no sandbox numbers, with an Android gateway "farm" and `numbers` rentable at 0.50 USD a day. */
async function appWithRentableNumbers(env: Record<string, string>, numbers: string[]): Promise<TestApp> {
  const t = await createTestApp({ env: { SANDBOX: 'off', POOL_COOLDOWN_MINUTES: '10', ...env } });
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
  expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
  for (const number of numbers) {
    expect((await otpbox('numbers', 'add', '--gateway', 'farm', '--number', number, '--cost', '0.05')).code).toBe(0);
    expect((await otpbox('numbers', 'rent-rate', '--number', number, '--per-day', '0.50')).code).toBe(0);
  }
  return t;
}
