import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { activations, instanceSettings } from '../../../db/schema/index.ts';
import { destroyAccountKey, forgetAccountKey, phoneLookupHash } from '../../keyring/index.ts';
import { hashExistingNumbers, NUMBERS_HASHED_SETTING } from '../index.ts';

let t: TestApp;
let support: Actor;
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0', ORDER_RATE_LIMIT: '0' } });
  support = await createActor(t, 'support');
});
afterAll(() => t?.close());

/** An order placed now, made to look like one from before migration 0023: its number without a hash. */
async function oldOrder(): Promise<{ id: string; phone: string; accountId: string }> {
  const customer = await fundedActor(t, 1000);
  const order = (await api(t, customer).order()).json();
  await t.database.db.update(activations).set({ phoneHash: null }).where(eq(activations.id, order.id));
  return { id: order.id, phone: order.phone, accountId: customer.accountId };
}
const foundBy = async (number: string) =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/admin/accounts?q=${encodeURIComponent(number)}`, headers: asActor(support) })).json()
    .accounts as { id: string }[];
const hashesOf = async (ids: string[]) =>
  new Map(
    (
      await t.database.db.select({ id: activations.id, hash: activations.phoneHash }).from(activations).where(inArray(activations.id, ids))
    ).map((row) => [row.id, row.hash]),
  );
const clearMarker = () => t.database.db.delete(instanceSettings).where(eq(instanceSettings.key, NUMBERS_HASHED_SETTING));

describe('hashing the numbers of earlier orders (start-up step)', () => {
  it('gives an old order its keyed hash, so staff find it by number; once done, later starts skip it', async () => {
    const order = await oldOrder();
    expect(await foundBy(order.phone)).toEqual([]);

    const first = await hashExistingNumbers(ctxOf(t));
    expect(first).toMatchObject({ done: true });
    expect(first.hashed).toBeGreaterThanOrEqual(1);
    expect((await hashesOf([order.id])).get(order.id)).toBe(phoneLookupHash(t.keys, order.phone));
    expect((await foundBy(order.phone)).map((account) => account.id)).toEqual([order.accountId]);

    // Done: recorded, and a later start reads only the marker (an order cleared now stays as it is).
    const later = await oldOrder();
    expect(await hashExistingNumbers(ctxOf(t))).toEqual({ hashed: 0, done: true });
    expect((await hashesOf([later.id])).get(later.id)).toBeNull();
    await clearMarker();
    await hashExistingNumbers(ctxOf(t));
    expect((await foundBy(later.phone)).map((account) => account.id)).toEqual([later.accountId]);
  });

  it('works in batches, stops when told and goes on from there; an erased account’s number stays without one', async () => {
    await clearMarker();
    const orders = [await oldOrder(), await oldOrder(), await oldOrder()];
    const erased = await oldOrder();
    await destroyAccountKey(ctxOf(t), erased.accountId);
    forgetAccountKey(erased.accountId);

    let batches = 0;
    const stopped = await hashExistingNumbers(ctxOf(t), { batch: 1, stop: () => batches++ >= 2 });
    expect(stopped).toEqual({ hashed: 2, done: false });
    expect(await t.database.db.select().from(instanceSettings).where(eq(instanceSettings.key, NUMBERS_HASHED_SETTING))).toEqual([]);
    const rest = await hashExistingNumbers(ctxOf(t), { batch: 1 });
    expect(rest).toEqual({ hashed: 1, done: true });
    const hashes = await hashesOf([...orders, erased].map((order) => order.id));
    for (const order of orders) expect(hashes.get(order.id)).toBe(phoneLookupHash(t.keys, order.phone));
    expect(hashes.get(erased.id)).toBeNull();
  });
});
