import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { fundedActor } from '../../../../test/support/orders.ts';
import { activations } from '../../../db/schema/index.ts';
import { cancelActivation } from '../actions.ts';
import { createActivation } from '../create.ts';
import { getOpenedOrder, type OpenedOrder, openOrder, type StoredRow } from '../opened-order.ts';
import { type ActivationRow, toView } from '../view.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', CANCEL_MIN_S: '0' } });
});
afterAll(() => t?.close());

const storedRow = async (id: string): Promise<StoredRow> => {
  const [row] = await t.database.db.select().from(activations).where(eq(activations.id, id));
  return row as ActivationRow;
};

describe('an opened order', () => {
  it('is what creating, reading and changing an order answer: the number in the clear, the row as stored sealed', async () => {
    const user = await fundedActor(t, 1000);
    const ctx = ctxOf(t);
    const created = await createActivation(ctx, t.orders.activations, { accountId: user.accountId, service: 'tg', country: 'ID' });
    expect(created.row.phone).toMatch(/^\+62\d+$/);
    expect(created.sms).toEqual([]);
    const stored = await storedRow(created.row.id);
    expect(stored.phone).not.toBe(created.row.phone);

    const read = await getOpenedOrder(ctx, user.accountId, created.row.id);
    expect(read.row.phone).toBe(created.row.phone);
    expect(toView(read, t.orders.activations.ephemeral, 0)).toEqual(toView(created, t.orders.activations.ephemeral, 0));

    const cancelled = await cancelActivation(ctx, t.orders.activations, user.accountId, created.row.id);
    expect(cancelled.row).toMatchObject({ status: 'cancelled', phone: created.row.phone });
  });

  it('cannot be opened again, and a stored row cannot be shown: the compiler refuses both', async () => {
    const user = await fundedActor(t, 1000);
    const ctx = ctxOf(t);
    const created = await createActivation(ctx, t.orders.activations, { accountId: user.accountId, service: 'tg', country: 'ID' });
    const stored = await storedRow(created.row.id);
    // Checked by `npm run typecheck` (an unused @ts-expect-error is itself an error); at run time
    // opening the plain number again fails, which is the bug the type prevents.
    const openTwice = () =>
      // @ts-expect-error an opened row is not a stored one
      openOrder(ctx, created.row, []);
    await expect(openTwice()).rejects.toThrow();
    // @ts-expect-error a stored row with no messages is not an opened order
    const forged: OpenedOrder = { row: stored, sms: [] };
    expect(forged.row.phone).not.toBe(created.row.phone);
    expect((await openOrder(ctx, stored, [])).row.phone).toBe(created.row.phone);
  });
});
