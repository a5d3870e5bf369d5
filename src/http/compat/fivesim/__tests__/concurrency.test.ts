import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/support/app.ts';
import { onPostgres } from '../../../../../test/support/database.ts';
import { api, fundedActor } from '../../../../../test/support/orders.ts';
import { verifyLedger } from '../../../../modules/ledger/index.ts';

/** The order storm through the 5sim-compatible buy: the same wallet lock and limits as the REST API. */
describe.skipIf(!onPostgres())('5sim-compatible buys under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', API_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '100' } });
  });
  afterAll(() => t?.close());

  const buy = (bearer: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url: '/compat/5sim/v1/user/buy/activation/indonesia/any/telegram',
      headers: { authorization: bearer, ...headers },
    });

  it('40 concurrent buys with credit for exactly 10: 10 orders, 30 "not enough user balance", balances exact', async () => {
    const price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
    const actor = await fundedActor(t, price * 10);
    const results = await Promise.all(Array.from({ length: 40 }, () => buy(actor.bearer)));
    const bought = results.filter((r) => r.statusCode === 200);
    expect(bought).toHaveLength(10);
    expect(new Set(results.filter((r) => r.statusCode !== 200).map((r) => `${r.statusCode} ${r.body}`))).toEqual(
      new Set(['400 not enough user balance']),
    );
    expect(new Set(bought.map((r) => r.json().id)).size).toBe(10);
    expect(await api(t, actor).balance()).toEqual({ available: 0, held: price * 10 });
    expect((await api(t, actor).list('?limit=100')).json().activations).toHaveLength(10);
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });

  it('10 concurrent retries of one buy under one Idempotency-Key: one order, held once', async () => {
    const price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
    const actor = await fundedActor(t, price * 10);
    const results = await Promise.all(Array.from({ length: 10 }, () => buy(actor.bearer, { 'idempotency-key': 'storm-1' })));
    const ids = new Set(results.filter((r) => r.statusCode === 200).map((r) => r.json().id));
    expect(ids.size).toBe(1);
    // A retry that arrives while the first is still buying is asked to retry (409), never given a second order.
    for (const r of results.filter((r) => r.statusCode !== 200))
      expect(`${r.statusCode} ${r.body}`).toBe('409 idempotency key in use, retry later');
    expect((await api(t, actor).list('?limit=100')).json().activations).toHaveLength(1);
    expect(await api(t, actor).balance()).toEqual({ available: price * 9, held: price });
  });
});
