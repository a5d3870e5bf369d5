import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/support/app.ts';
import { onPostgres } from '../../../../../test/support/database.ts';
import { api, fundedActor } from '../../../../../test/support/orders.ts';
import { verifyLedger } from '../../../../modules/ledger/index.ts';
import { protocol } from './support.ts';

/** Races only show on a real server (PGlite runs one statement at a time). */
describe.skipIf(!onPostgres())('getNumber under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '100' } });
  });
  afterAll(() => t?.close());

  it('40 concurrent getNumber with credit for exactly 10: 10 numbers, 30 NO_BALANCE, balances and ledger exact', async () => {
    const price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
    const user = await fundedActor(t, price * 10);
    const client = protocol(t, user);
    const answers = await Promise.all(Array.from({ length: 40 }, () => client.getNumber()));
    const bought = answers.filter((answer) => answer.word === 'ACCESS_NUMBER');
    expect(bought).toHaveLength(10);
    expect(new Set(answers.filter((answer) => answer.word !== 'ACCESS_NUMBER').map((answer) => answer.response.body))).toEqual(
      new Set(['NO_BALANCE']),
    );
    expect(new Set(bought.map((answer) => answer.id)).size).toBe(10);
    expect(await api(t, user).balance()).toEqual({ available: 0, held: price * 10 });
    const active = (await client.call('getActiveActivations')).json().activeActivations as { activationId: string }[];
    expect(new Set(active.map((order) => order.activationId))).toEqual(new Set(bought.map((answer) => answer.id)));
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });
});
