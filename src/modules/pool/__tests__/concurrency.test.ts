import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../../test/support/cli.ts';
import { onPostgres } from '../../../../test/support/database.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { poolLeases } from '../../../db/schema/index.ts';
import type { ProviderPort } from '../../../provider-clients/port.ts';
import { checkGatewayHeartbeats } from '../index.ts';

/** Races only show on a real server (PGlite runs one statement at a time). */
describe.skipIf(!onPostgres())('the pool under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off', ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '100', DB_POOL_MAX: '12' } });
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
    for (let i = 0; i < 4; i++)
      expect(
        (
          await otpbox(
            'numbers',
            'add',
            '--gateway',
            'farm',
            '--number',
            `+1415555010${i}`,
            '--device',
            'd',
            '--sim',
            String(i + 1),
            '--cost',
            '0.05',
          )
        ).stderr,
      ).toBe('');
    await t.orders.providers.load();
  });
  afterAll(() => t?.close());

  it('30 parallel buys of the pool for 4 numbers: 4 sold, each number once, the rest no_numbers', async () => {
    const pool = t.orders.providers.port('pool') as ProviderPort;
    const results = await Promise.all(Array.from({ length: 30 }, () => pool.buyNumber({ service: 'wa', country: 'US' })));
    const sold = results.flatMap((r) => (r.ok ? [r.value.phone] : []));
    expect(sold.sort()).toEqual(['+14155550100', '+14155550101', '+14155550102', '+14155550103']);
    expect(new Set(results.flatMap((r) => (r.ok ? [] : [r.failure.kind])))).toEqual(new Set(['no_numbers']));
    const open = await t.database.db.select().from(poolLeases).where(isNull(poolLeases.endedAt));
    expect(open).toHaveLength(4);
    for (const r of results) if (r.ok) await pool.cancel(r.value.upstreamId);
  });

  it('20 parallel orders for 4 numbers: 4 orders get distinct numbers, 16 are refused NO_NUMBERS and cost nothing', async () => {
    t.clock.advance(11 * 60_000);
    expect((await checkGatewayHeartbeats(ctxOf(t), t.clock.now())).cooled).toBe(4);
    await t.orders.providers.load();
    const price = t.orders.activations.catalog.offers('tg', 'US')[0]?.price ?? 0;
    expect(price).toBeGreaterThan(0);
    const buyer = await fundedActor(t, price * 20);
    const a = api(t, buyer);
    const responses = await Promise.all(Array.from({ length: 20 }, () => a.order({ service: 'tg', country: 'US' })));
    const created = responses.filter((r) => r.statusCode === 201).map((r) => r.json() as { id: string; phone: string });
    expect(created).toHaveLength(4);
    expect(new Set(created.map((o) => o.phone)).size).toBe(4);
    expect(new Set(responses.filter((r) => r.statusCode !== 201).map((r) => `${r.statusCode} ${code(r)}`))).toEqual(
      new Set(['409 NO_NUMBERS']),
    );
    expect(await a.balance()).toEqual({ available: price * 16, held: price * 4 });
    const leases = await t.database.db
      .select()
      .from(poolLeases)
      .where(and(isNull(poolLeases.endedAt), eq(poolLeases.service, 'tg')));
    expect(leases).toHaveLength(4);
  });
});
