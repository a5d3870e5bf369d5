import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../test/support/actors.ts';
import { type AndroidGateway, addAndroidGateway } from '../../../test/support/android-gateway.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../test/support/cli.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { baseUrlOf, openStream } from '../../../test/support/sse.ts';
import { queryRows } from '../../db/client.ts';
import { verifyLedger } from '../../modules/ledger/index.ts';
import { runRentalPeriods } from '../../modules/rentals/index.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const DEVICE = 'ffffffffceb0b1db0000018e937c815b';
const NUMBER = '+14155550100';

/**
 * A rental end to end through a real gateway: the SMS reach the rented number through signed
 * `sms:received` webhooks of a fake SMS Gateway for Android, over days of the injected clock, and are
 * live as `rental.sms`; the rental then ends with its periods held and captured in the ledger.
 */
describe('a rental receives SMS over days through an Android gateway, live, then ends with the right ledger lines', () => {
  let t: TestApp;
  let base: string;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);

  let farm: AndroidGateway;
  /** An SMS to SIM 1 of the phone, signed now (by our clock) with the gateway's key. */
  const deliver = (text: string, id?: string) => farm.deliver({ device: DEVICE, sim: 1, text, id });
  /** The rental's ledger lines, in order: kind, amount, period. */
  const lines = async (rentalId: string) =>
    (
      await queryRows<{ kind: string; amount: string | number; period: number }>(
        t.database.db,
        sql`select kind, amount, (metadata->>'period')::int as period from ledger_transfers
            where metadata->>'rentalId' = ${rentalId} order by created_at, id`,
      )
    ).map((l) => ({ kind: l.kind, amount: Number(l.amount), period: l.period }));

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off' } });
    base = await baseUrlOf(t);
    farm = await addAndroidGateway(t, 'farm');
    expect(
      (await otpbox('numbers', 'add', '--gateway', 'farm', '--number', NUMBER, '--device', DEVICE, '--sim', '1', '--cost', '0.05')).code,
    ).toBe(0);
    // 0.50 USD a day: 50 credits at CREDITS_PER_USD 100.
    expect((await otpbox('numbers', 'rent-rate', '--number', NUMBER, '--per-day', '0.50')).code).toBe(0);
  });
  afterAll(() => t?.close());

  it('three SMS on three days, each live with its code; renewed once; ends when its last period is over', async () => {
    const renter = await fundedActor(t, 1_000);
    const headers = { authorization: renter.bearer };
    const stream = await openStream(base, headers);
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rentals',
      headers: { ...headers, 'idempotency-key': 'rent-farm-1' },
      payload: { country: 'US', days: 2, services: ['tg'] },
    });
    expect(made.statusCode).toBe(201);
    const rental = made.json();
    expect(rental).toMatchObject({ number: NUMBER, status: 'active', pricePerDay: 50 });
    expect(await api(t, renter).balance()).toEqual({ available: 900, held: 100 });

    const liveCodes = () => stream.events.filter((e) => e.event === 'rental.sms').map((e) => e.data.code);
    expect(await deliver('Telegram code: 12345')).toBe(200);
    await stream.waitFor(() => liveCodes().length === 1);
    expect(stream.events.find((e) => e.event === 'rental.sms')?.data).toMatchObject({ rentalId: rental.id, code: '12345', late: false });

    t.clock.advance(DAY);
    // The app sends the same event again (its retry, stamped afresh seconds later): recorded once.
    const id = randomUUID();
    expect(await deliver('Your WhatsApp code 678-901', id)).toBe(200);
    t.clock.advance(5_000);
    expect(await deliver('Your WhatsApp code 678-901', id)).toBe(200);
    await stream.waitFor(() => liveCodes().length === 2);
    // Renewed by hand for one more day: held now, after the current end.
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/v1/rentals/${rental.id}/renew`, headers, payload: { days: 1 } })).statusCode,
    ).toBe(200);
    expect(await api(t, renter).balance()).toEqual({ available: 850, held: 150 });

    // Day 2 over: period 1 captured, the rental goes on into the renewal.
    t.clock.advance(DAY + 1_000);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toEqual({ captured: 1, renewed: 0, ended: 0, skipped: 0 });
    t.clock.advance(2 * HOUR);
    expect(await deliver('G-424242 is your Google verification code.')).toBe(200);
    await stream.waitFor(() => liveCodes().length === 3);
    expect(liveCodes()).toEqual(['12345', '678901', '424242']);
    expect(JSON.stringify(stream.events)).not.toContain('WhatsApp');

    // Day 3 over: period 2 captured and, without auto-renewal, the rental ends.
    t.clock.advance(DAY);
    expect(await runRentalPeriods(ctxOf(t), t.clock.now())).toEqual({ captured: 1, renewed: 0, ended: 1, skipped: 0 });
    const ended = (await t.app.inject({ method: 'GET', url: `/api/v1/rentals/${rental.id}`, headers })).json();
    expect(ended).toMatchObject({ status: 'ended', endReason: 'expired', smsCount: 3 });
    expect(ended.sms.map((m: { code: string | null; text: string }) => [m.code, m.text])).toEqual([
      ['12345', 'Telegram code: 12345'],
      ['678901', 'Your WhatsApp code 678-901'],
      ['424242', 'G-424242 is your Google verification code.'],
    ]);
    expect(await lines(rental.id)).toEqual([
      { kind: 'hold', amount: 100, period: 1 },
      { kind: 'hold', amount: 50, period: 2 },
      { kind: 'capture', amount: 100, period: 1 },
      { kind: 'capture', amount: 50, period: 2 },
    ]);
    expect(await api(t, renter).balance()).toEqual({ available: 850, held: 0 });
    const report = await verifyLedger(t.database.db, t.clock.now());
    expect(report.ok, JSON.stringify(report)).toBe(true);
    await stream.waitFor((events) => events.some((e) => e.event === 'rental.updated' && e.data.status === 'ended'));
    stream.close();

    // It received SMS: it cools for POOL_REUSE_DAYS, so the renter's accounts are not taken over through it.
    const listed = JSON.parse((await otpbox('numbers', 'list', '--json')).stdout) as {
      number: string;
      state: string;
      coolingUntil: string;
    }[];
    expect(listed).toEqual([expect.objectContaining({ number: NUMBER, state: 'cooling' })]);
    expect(new Date(listed[0]?.coolingUntil as string).getTime()).toBe(t.clock.now().getTime() + 90 * DAY);
  });

  it('an SMS stamped seconds before the rental began, which the rental shows, makes cancelling within the hour pay', async () => {
    expect(
      (await otpbox('numbers', 'add', '--gateway', 'farm', '--number', '+14155550101', '--device', DEVICE, '--sim', '2', '--cost', '0.05'))
        .code,
    ).toBe(0);
    expect((await otpbox('numbers', 'rent-rate', '--number', '+14155550101', '--per-day', '0.50')).code).toBe(0);
    await t.orders.providers.load();
    const renter = await fundedActor(t, 1_000);
    const headers = { authorization: renter.bearer };
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rentals',
      headers: { ...headers, 'idempotency-key': 'rent-farm-skew' },
      payload: { country: 'US', days: 1 },
    });
    expect(made.statusCode, made.body).toBe(201);
    const rental = made.json();
    expect(rental.number).toBe('+14155550101');
    // The phone's SIM 2, its SMS centre's clock 15 s behind: within the skew routing allows.
    t.clock.advance(20_000);
    const status = await farm.deliver({
      device: DEVICE,
      sim: 2,
      text: 'Telegram code: 55123',
      receivedAt: new Date(t.clock.now().getTime() - 35_000),
    });
    expect(status).toBe(200);
    const shown = (await t.app.inject({ method: 'GET', url: `/api/v1/rentals/${rental.id}`, headers })).json();
    expect(shown.sms.map((m: { code: string | null; late: boolean }) => [m.code, m.late])).toEqual([['55123', false]]);

    const cancelled = await t.app.inject({ method: 'POST', url: `/api/v1/rentals/${rental.id}/cancel`, headers });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(await lines(rental.id)).toEqual([
      { kind: 'hold', amount: 50, period: 1 },
      { kind: 'capture', amount: 50, period: 1 },
    ]);
    expect(await api(t, renter).balance()).toEqual({ available: 950, held: 0 });
  });
});
