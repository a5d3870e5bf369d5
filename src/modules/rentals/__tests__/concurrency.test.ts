import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../../test/support/cli.ts';
import { onPostgres } from '../../../../test/support/database.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { verifyLedger } from '../../ledger/index.ts';

/** Races only show on a real server (PGlite runs one statement at a time). */
describe.skipIf(!onPostgres())('rentals under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off', DB_POOL_MAX: '12' } });
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
    expect((await otpbox('numbers', 'add', '--gateway', 'farm', '--number', '+14155550100')).code).toBe(0);
    expect((await otpbox('numbers', 'rent-rate', '--number', '+14155550100', '--per-day', '0.50')).code).toBe(0);
  });
  afterAll(() => t?.close());

  it('two customers rent the last number at once: one gets it, the other is refused NO_NUMBERS and loses nothing', async () => {
    const [a, b] = await Promise.all([fundedActor(t, 1_000), fundedActor(t, 1_000)]);
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        [a, b].map((actor) =>
          t.app.inject({
            method: 'POST',
            url: '/api/v1/rentals',
            headers: { authorization: actor.bearer },
            payload: { country: 'US', days: 1 },
          }),
        ),
      );
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([201, 409]);
      expect(results.map(code).filter(Boolean)).toEqual(['NO_NUMBERS']);
      const winner = results.findIndex((r) => r.statusCode === 201);
      const [winnerActor, loser] = winner === 0 ? [a, b] : [b, a];
      expect((await api(t, loser as typeof a).balance()).held).toBe(0);
      expect((await api(t, winnerActor as typeof a).balance()).held).toBe(50);
      // The winner gives it back (free within the first hour) and the number cools for minutes: race again.
      const id = results[winner]?.json().id as string;
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/rentals/${id}/cancel`,
            headers: { authorization: (winnerActor as typeof a).bearer },
          })
        ).statusCode,
      ).toBe(200);
      t.clock.advance(11 * 60_000);
    }
    const open = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from pool_leases where ended_at is null`);
    expect(open[0]?.n).toBe(0);
    expect(await api(t, a).balance()).toEqual({ available: 1_000, held: 0 });
    expect(await api(t, b).balance()).toEqual({ available: 1_000, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });
});
