import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { accountOrderCounts, activations } from '../../../db/schema/index.ts';

// The cancel throttle (CANCEL_THROTTLE_*) reads the account's last orders of the hour only when one of
// them may have been cancelled: a trigger keeps the newest cancelled order's creation time (migration
// 0028). These check that the time follows every way an order becomes cancelled, and that the throttle
// decides as it did when it always read the window.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', CANCEL_THROTTLE_MIN_ORDERS: '3', CANCEL_THROTTLE_PERCENT: '75' } });
});
afterAll(() => t?.close());

const newestCancelled = async (accountId: string) =>
  (await t.database.db.select().from(accountOrderCounts).where(eq(accountOrderCounts.accountId, accountId)))[0]?.lastCancelledOrderAt ??
  null;

/** What the limits function tells a new order of the account (the wallet is locked as the placing statement does). */
async function limits(accountId: string) {
  const now = t.clock.now();
  const [row] = await queryRows<{ cancelled: number; ended: number }>(
    t.database.db,
    sql`select l.cancelled, l.ended
        from ledger_accounts w,
             lateral otpbox_order_limits(${accountId}, w.id, ${new Date(now.getTime() - 60_000)}, ${new Date(now.getTime() - 3_600_000)}, 0, 100) l
        where w.owner_account_id = ${accountId} and w.purse = 'credits'`,
  );
  return row;
}

/** An order written straight into the table, as an import or a test does, not through the order verbs. */
async function insertOrder(accountId: string, id: string, status: 'cancelled' | 'completed', at: Date) {
  await t.database.db.insert(activations).values({
    id,
    accountId,
    service: 'tg',
    country: 'ID',
    provider: 'sandbox',
    phone: '+6281234567890',
    price: 10,
    status,
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
    cancellableAt: at,
    endedAt: at,
  });
}

describe('the cancel throttle', () => {
  it("keeps the newest cancelled order's time as orders are cancelled, and pauses a script that cancels most", async () => {
    const user = await fundedActor(t, 10_000);
    const a = api(t, user);
    expect(await newestCancelled(user.accountId)).toBeNull();
    const orders: { id: string; createdAt: string }[] = [];
    for (let i = 0; i < 3; i++) {
      orders.push((await a.order()).json());
      t.clock.advance(1_000);
    }
    t.clock.advance(121_000);
    expect((await a.action(orders[1]?.id as string, 'cancel')).statusCode).toBe(200);
    expect((await newestCancelled(user.accountId))?.toISOString()).toBe(orders[1]?.createdAt);
    expect((await a.action(orders[2]?.id as string, 'cancel')).statusCode).toBe(200);
    expect((await newestCancelled(user.accountId))?.toISOString()).toBe(orders[2]?.createdAt);
    // Cancelling an order older than the newest cancelled one leaves the time where it is.
    expect((await a.action(orders[0]?.id as string, 'cancel')).statusCode).toBe(200);
    expect((await newestCancelled(user.accountId))?.toISOString()).toBe(orders[2]?.createdAt);
    expect(await limits(user.accountId)).toEqual({ cancelled: 3, ended: 3 });

    const paused = await a.order();
    expect(paused.statusCode).toBe(429);
    expect(code(paused)).toBe('ORDER_RATE_LIMITED');
    expect(paused.json().error.message).toMatch(/cancelled 3 of your last 3 orders/);

    // An hour after the newest cancelled order was placed, the window holds none: not read, no pause.
    t.clock.advance(3_600_000);
    expect(await limits(user.accountId)).toEqual({ cancelled: 0, ended: 0 });
    expect((await a.order()).statusCode).toBe(201);
  });

  it('counts orders written cancelled straight into the table, and an account that never cancelled is not read', async () => {
    const user = await fundedActor(t, 10_000);
    const a = api(t, user);
    const now = t.clock.now();
    await insertOrder(user.accountId, `act_import_done_${Date.now()}`, 'completed', new Date(now.getTime() - 120_000));
    // Only completed orders in the window: nothing cancelled, nothing read (ended is not counted either).
    expect(await newestCancelled(user.accountId)).toBeNull();
    expect(await limits(user.accountId)).toEqual({ cancelled: 0, ended: 0 });

    for (let i = 0; i < 3; i++)
      await insertOrder(user.accountId, `act_import_${i}_${Date.now()}`, 'cancelled', new Date(now.getTime() - 60_000 + i));
    expect((await newestCancelled(user.accountId))?.getTime()).toBe(now.getTime() - 60_000 + 2);
    expect(await limits(user.accountId)).toEqual({ cancelled: 3, ended: 4 });
    const paused = await a.order();
    expect(paused.statusCode).toBe(429);
    expect(paused.json().error.message).toMatch(/cancelled 3 of your last 4 orders/);
  });
});
