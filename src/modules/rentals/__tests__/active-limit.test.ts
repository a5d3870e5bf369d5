import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../../test/support/cli.ts';
import { onPostgres } from '../../../../test/support/database.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { verifyLedger } from '../../ledger/index.ts';

const NUMBERS = ['+14155550180', '+14155550181', '+14155550182', '+14155550183'];

async function poolApp(env: Record<string, string>): Promise<TestApp> {
  const t = await createTestApp({ env: { SANDBOX: 'off', ...env } });
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
  expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
  for (const number of NUMBERS) {
    expect((await otpbox('numbers', 'add', '--gateway', 'farm', '--number', number, '--cost', '0.05')).code).toBe(0);
    expect((await otpbox('numbers', 'rent-rate', '--number', number, '--per-day', '0.50')).code).toBe(0);
  }
  return t;
}

const rent = (t: TestApp, actor: Actor) =>
  t.app.inject({ method: 'POST', url: '/api/v1/rentals', headers: { authorization: actor.bearer }, payload: { country: 'US', days: 1 } });
const cancel = (t: TestApp, actor: Actor, id: string) =>
  t.app.inject({ method: 'POST', url: `/api/v1/rentals/${id}/cancel`, headers: { authorization: actor.bearer } });
const openLeases = async (t: TestApp) =>
  (await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from pool_leases where ended_at is null`))[0]?.n;

describe('MAX_ACTIVE_RENTALS: active rentals per account', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await poolApp({ MAX_ACTIVE_RENTALS: '2' });
  });
  afterAll(() => t?.close());

  it('refuses one more than the limit with TOO_MANY_ACTIVE, charging and leasing nothing, and rents again once one ends', async () => {
    const renter = await fundedActor(t, 1_000);
    const first = await rent(t, renter);
    const second = await rent(t, renter);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(await api(t, renter).balance()).toEqual({ available: 900, held: 100 });

    const third = await rent(t, renter);
    expect(third.statusCode).toBe(429);
    expect(code(third)).toBe('TOO_MANY_ACTIVE');
    expect(third.json().error.message).toContain('2 active rentals');
    expect(third.json().error.details).toEqual({ active: 2, limit: 2 });
    expect(await api(t, renter).balance()).toEqual({ available: 900, held: 100 });
    expect(await openLeases(t)).toBe(2);

    // Another customer is not counted against this one.
    const neighbour = await fundedActor(t, 1_000);
    expect((await rent(t, neighbour)).statusCode).toBe(201);

    // Cancelled within the first hour (free): the account may rent again.
    expect((await cancel(t, renter, first.json().id)).statusCode).toBe(200);
    t.clock.advance(11 * 60_000);
    expect((await rent(t, renter)).statusCode).toBe(201);
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });
});

/** Races only show on a real server (PGlite runs one statement at a time). */
describe.skipIf(!onPostgres())('MAX_ACTIVE_RENTALS under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await poolApp({ MAX_ACTIVE_RENTALS: '1', DB_POOL_MAX: '12' });
  });
  afterAll(() => t?.close());

  it('three rentals at once by one account at a limit of one: one is made, two are refused, one period held', async () => {
    const renter = await fundedActor(t, 1_000);
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all([rent(t, renter), rent(t, renter), rent(t, renter)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 429, 429]);
      expect(await api(t, renter).balance()).toEqual({ available: 950, held: 50 });
      expect(await openLeases(t)).toBe(1);
      const made = results.find((r) => r.statusCode === 201)?.json().id as string;
      expect((await cancel(t, renter, made)).statusCode).toBe(200);
      t.clock.advance(11 * 60_000);
    }
    expect(await api(t, renter).balance()).toEqual({ available: 1_000, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });
});
