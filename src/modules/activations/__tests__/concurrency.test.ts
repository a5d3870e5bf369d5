import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { onPostgres } from '../../../../test/support/database.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { verifyLedger } from '../../ledger/index.ts';
import { cancelActivation, finishActivation } from '../actions.ts';
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

  it("one account's orders placed, finished, cancelled and expired all at once: none fails, the open count stays exact", async () => {
    const price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
    const user = await fundedActor(t, price * 60);
    const a = api(t, user);
    const orders = await Promise.all(Array.from({ length: 20 }, async () => (await a.order()).json()));
    await Promise.all(orders.slice(0, 10).map((order, i) => a.sms(order.id, `Telegram code: ${20000 + i}`)));
    t.clock.advance(1_200_000);
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => a.order()),
      ...orders.slice(0, 10).map((order) => a.action(order.id, 'finish')),
      ...orders.slice(10).map((order) => a.action(order.id, 'cancel')),
      expireDue(ctxOf(t), t.orders.activations, t.clock.now()).then(() => ({ statusCode: 200 })),
    ]);
    // An order the sweep ended first refuses its finish or cancel (409); nothing is a server error.
    expect(answers.filter((answer) => answer.statusCode >= 500)).toEqual([]);
    expect(answers.slice(0, 20).map((answer) => answer.statusCode)).toEqual(Array(20).fill(201));
    const open = (await a.list('?status=waiting,received&limit=100')).json().activations.length;
    expect(open).toBe(20);
    const [counted] = await queryRows<{ open: number }>(
      t.database.db,
      sql`select open from account_order_counts where account_id = ${user.accountId}`,
    );
    expect(counted?.open).toBe(open);
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });

  it('closing an order and placing one for the same account cannot deadlock: the count changes under the wallet lock', async () => {
    const price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
    const user = await fundedActor(t, price * 10);
    const a = api(t, user);
    const first = (await a.order()).json();
    const second = (await a.order()).json();
    await a.sms(first.id, 'Telegram code: 31337');
    t.clock.advance(200_000);
    let placing: ReturnType<typeof a.order> | undefined;
    // No retry around this transaction: a deadlock would fail it or the placement, never be hidden.
    await t.database.db.transaction(async (tx) => {
      const ctx = { ...ctxOf(t), db: tx };
      // Finishing changes the count without a ledger step; the placement then waits on this transaction...
      await finishActivation(ctx, t.orders.activations, user.accountId, first.id);
      placing = a.order();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // ...which next locks the wallet for a release. Counting outside the wallet's lock deadlocked here.
      await cancelActivation(ctx, t.orders.activations, user.accountId, second.id);
    });
    expect((await placing)?.statusCode).toBe(201);
    expect((await a.list('?status=waiting,received')).json().activations).toHaveLength(1);
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
