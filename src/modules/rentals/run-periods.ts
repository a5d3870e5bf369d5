import { and, asc, eq, lte } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts, rentalPeriods, rentals } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { isDomainError } from '../../lib/errors.ts';
import { type Ctx, withDb } from '../context.ts';
import { addPeriod, daysLeft, lastPeriodDays } from './renew-rental.ts';
import { announce, finish, lockRental, settlePeriod } from './store.ts';
import { labelOf } from './view.ts';

/** At most this many periods and rentals per run; the next run takes the rest. */
const BATCH = 200;

export type RentalPeriodCounts = {
  captured: number;
  renewed: number;
  ended: number;
  skipped: number;
};

/**
 * The `rental-periods` job: what is due at `now`, one transaction each (a failure is logged, counted
 * `skipped` and left for the next run).
 *  1. A held period that is over is captured in full (the number was the customer's for all of it).
 *  2. An active rental whose last period is over: with autoRenew it gets another period like its last
 *     one (shortened to the 183-day cap), its price held — if the balance allows; otherwise (no
 *     autoRenew, the cap reached, too few credits) it ends and its number cools.
 */
export async function runRentalPeriods(ctx: Ctx, now: Date): Promise<RentalPeriodCounts> {
  const counts: RentalPeriodCounts = { captured: 0, renewed: 0, ended: 0, skipped: 0 };
  const jobCtx: Ctx = { ...ctx, clock: { now: () => now } };

  const due = await ctx.db
    .select({ id: rentalPeriods.id, rentalId: rentalPeriods.rentalId })
    .from(rentalPeriods)
    .where(and(eq(rentalPeriods.status, 'held'), lte(rentalPeriods.endsAt, now)))
    .orderBy(asc(rentalPeriods.endsAt))
    .limit(BATCH);
  for (const { id, rentalId } of due) {
    try {
      const done = await transaction(ctx.db, async (tx) => {
        const tctx = withDb(jobCtx, tx);
        // The rental first, then the period: every verb of a rental locks in this order.
        const rental = await lockRental(tx, rentalId);
        const [period] = await tx.select().from(rentalPeriods).where(eq(rentalPeriods.id, id)).for('update');
        if (period?.status !== 'held') return false;
        await settlePeriod(tctx, period, await labelOf(tctx, rental), {
          kind: 'capture',
          amount: period.price,
          why: `${period.days} ${period.days === 1 ? 'day' : 'days'}`,
        });
        await announce(tx, rental, now, true);
        return true;
      });
      if (done) counts.captured++;
    } catch (error) {
      ctx.log.error({ err: error, rentalId }, 'could not capture a rental period; the next run tries again');
      counts.skipped++;
    }
  }

  const ending = await ctx.db
    .select({ id: rentals.id })
    .from(rentals)
    .where(and(eq(rentals.status, 'active'), lte(rentals.endsAt, now)))
    .orderBy(asc(rentals.endsAt))
    .limit(BATCH);
  for (const { id } of ending) {
    try {
      const outcome = await renewOrEnd(jobCtx, id, now);
      if (outcome) counts[outcome]++;
    } catch (error) {
      ctx.log.error({ err: error, rentalId: id }, 'could not renew or end a rental; the next run tries again');
      counts.skipped++;
    }
  }
  return counts;
}

async function renewOrEnd(ctx: Ctx, id: string, now: Date): Promise<'renewed' | 'ended' | undefined> {
  const attempt = await transaction(ctx.db, async (tx) => {
    const tctx = withDb(ctx, tx);
    const rental = await lockRental(tx, id);
    if (rental.status !== 'active' || rental.endsAt > now) return 'nothing' as const;
    if (!rental.autoRenew) {
      await finish(tctx, rental, 'ended', 'expired', 'system');
      return 'ended' as const;
    }
    // A suspended account, or one whose processing is restricted at the customer's request (Art. 18), is
    // processed no further: its rental is not renewed, nor its credits taken for a new period.
    if (await accountHeld(tx, rental.accountId)) {
      await finish(tctx, rental, 'ended', 'account_held', 'system');
      return 'ended' as const;
    }
    const days = Math.min(await lastPeriodDays(tctx, rental), daysLeft(rental));
    if (days < 1) {
      await finish(tctx, rental, 'ended', 'expired', 'system', { cap: true });
      return 'ended' as const;
    }
    try {
      await addPeriod(tctx, rental, days, 'system');
      return 'renewed' as const;
    } catch (error) {
      // Too few credits (or a restricted wallet): nothing was written; ended in a transaction of its own.
      if (isDomainError(error) && (error.code === 'INSUFFICIENT_CREDITS' || error.code === 'ACCOUNT_RESTRICTED'))
        throw new RenewalRefused();
      throw error;
    }
  }).catch((error: unknown) => {
    if (error instanceof RenewalRefused) return 'refused' as const;
    throw error;
  });
  if (attempt === 'nothing') return undefined;
  if (attempt !== 'refused') return attempt;
  return transaction(ctx.db, async (tx) => {
    const rental = await lockRental(tx, id);
    if (rental.status !== 'active' || rental.endsAt > now) return undefined;
    await finish(withDb(ctx, tx), rental, 'ended', 'insufficient_credits', 'system');
    return 'ended' as const;
  });
}

/** The account may not be processed now: suspended (or deleted), or its processing restricted. */
async function accountHeld(tx: Executor, accountId: string): Promise<boolean> {
  const [account] = await tx
    .select({ status: accounts.status, restrictedAt: accounts.processingRestrictedAt })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return account?.status !== 'active' || account.restrictedAt !== null;
}

class RenewalRefused extends Error {
  override name = 'RenewalRefused';
}
