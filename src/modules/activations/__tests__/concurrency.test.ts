import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { onPostgres } from '../../../../test/support/database.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { verifyLedger } from '../../ledger/verify.ts';
import { expireDue } from '../expire.ts';

/** Races only show on a real server (PGlite runs one statement at a time). */
describe.skipIf(!onPostgres())('orders under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '100' } });
  });
  afterAll(() => t?.close());

  it('40 concurrent orders with credit for exactly 10: 10 created, 30 refused 402, balances exact', async () => {
    const { price, a, created, refusals } = await raceOrders(t, 40, 10);
    expect(created).toBe(10);
    expect(refusals).toEqual(new Set(['402 INSUFFICIENT_CREDITS']));
    expect(await a.balance()).toEqual({ available: 0, held: price * 10 });
    expect((await a.list('?limit=100')).json().activations).toHaveLength(10);
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });

  it('30 concurrent orders against a limit of 4 open orders: exactly 4 created, the rest 429, nothing held for them', async () => {
    const limited = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '4' }, database: t.database });
    try {
      const { price, a, created, refusals } = await raceOrders(limited, 30, 100);
      expect(created).toBe(4);
      expect(refusals).toEqual(new Set(['429 TOO_MANY_ACTIVE']));
      expect(await a.balance()).toEqual({ available: price * 96, held: price * 4 });
      expect((await verifyLedger(limited.database.db, limited.clock.now())).violations).toEqual([]);
    } finally {
      await limited.app.close();
      await limited.orders.close();
    }
  });

  it('an SMS racing a cancel or the expiry: the order is charged or refunded, exactly one of the two', async () => {
    const price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
    const user = await fundedActor(t, price * 30);
    const a = api(t, user);
    const orders = await Promise.all(Array.from({ length: 30 }, async () => (await a.order()).json()));
    t.clock.advance(1_200_000);
    await Promise.all([
      ...orders.map((order, i) => (i % 2 === 0 ? a.action(order.id, 'cancel') : Promise.resolve())),
      expireDue(ctxOf(t), t.orders.activations, t.clock.now()),
      ...orders.map((order, i) => a.sms(order.id, `Telegram code: ${10000 + i}`)),
    ]);
    let charged = 0;
    for (const order of orders) {
      const after = (await a.get(order.id)).json();
      if (after.status === 'received' || after.status === 'completed') charged++;
      else expect(['cancelled', 'expired']).toContain(after.status);
    }
    expect(await a.balance()).toEqual({ available: price * (30 - charged), held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });
});

/** `count` orders at once by one new customer funded for `prices` numbers: how many were created, and why the rest were refused. */
async function raceOrders(app: TestApp, count: number, prices: number) {
  const price = app.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
  const a = api(app, await fundedActor(app, price * prices));
  const results = await Promise.all(Array.from({ length: count }, () => a.order()));
  const refused = results.filter((r) => r.statusCode !== 201);
  return {
    price,
    a,
    created: results.length - refused.length,
    refusals: new Set(refused.map((r) => `${r.statusCode} ${r.json().error.code}`)),
  };
}
