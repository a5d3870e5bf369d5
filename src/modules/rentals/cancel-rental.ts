import { and, eq, isNull } from 'drizzle-orm';
import { rentals } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { type Ctx, withDb } from '../context.ts';
import { endNow, lockRental, type RentalRow } from './store.ts';
import { labelOf } from './view.ts';

/**
 * `POST /rentals/{id}/cancel`: the rental ends now, its periods settled by the early-cancel rule
 * (store.ts `endNow`, ADR 42), the number cooling. One transaction.
 */
export async function cancelRental(ctx: Ctx, accountId: string, id: string): Promise<RentalRow> {
  return transaction(ctx.db, async (tx) => {
    const tctx = withDb(ctx, tx);
    const row = await lockRental(tx, id, accountId);
    if (row.status !== 'active') throw new DomainError('CONFLICT', 'This rental has already ended.');
    return endNow(tctx, row, await labelOf(tctx, row), 'cancelled', ctx.actor ?? 'customer');
  });
}

/**
 * The account is being erased (privacy's `ErasureDeps.endRentals`): each active rental ends now, by
 * the same rule as a cancel, one transaction each. Safe to run again.
 */
export async function endRentalsForErasure(ctx: Ctx, accountId: string): Promise<{ ended: number }> {
  const active = await ctx.db
    .select({ id: rentals.id })
    .from(rentals)
    .where(and(eq(rentals.accountId, accountId), eq(rentals.status, 'active'), isNull(rentals.endedAt)));
  let ended = 0;
  for (const { id } of active) {
    const done = await transaction(ctx.db, async (tx) => {
      const tctx = withDb(ctx, tx);
      const row = await lockRental(tx, id);
      if (row.status !== 'active') return false;
      await endNow(tctx, row, await labelOf(tctx, row), 'erasure', ctx.actor ?? 'customer');
      return true;
    });
    if (done) ended++;
  }
  return { ended };
}
