import { eq } from 'drizzle-orm';
import { rentalPeriods, rentals } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { type Ctx, withDb } from '../context.ts';
import { MAX_RENTAL_DAYS } from './schemas.ts';
import { announce, audit, holdPeriod, lockRental, type RentalRow } from './store.ts';
import { labelOf, latestEnd } from './view.ts';

const DAY_MS = 86_400_000;

/** Whole days a rental may still be extended by (P5: at most 183 days from its start). */
export const daysLeft = (row: RentalRow) => Math.floor((latestEnd(row).getTime() - row.endsAt.getTime()) / DAY_MS);

/**
 * Add a period to a rental, in the caller's transaction: its price held now, starting where the last
 * one ends. Thrown: CONFLICT when the rental ended or the period would pass the 183-day cap,
 * INSUFFICIENT_CREDITS (nothing changes).
 */
export async function addPeriod(ctx: Ctx, row: RentalRow, days: number, actor: string): Promise<RentalRow> {
  if (row.status !== 'active') throw new DomainError('CONFLICT', 'This rental has ended: rent a number again.');
  if (!Number.isInteger(days) || days < 1 || days > MAX_RENTAL_DAYS)
    throw new DomainError('VALIDATION_FAILED', `days must be a whole number from 1 to ${MAX_RENTAL_DAYS}.`);
  const left = daysLeft(row);
  if (days > left)
    throw new DomainError(
      'CONFLICT',
      left < 1
        ? `A rental lasts at most ${MAX_RENTAL_DAYS} days from its start; this one cannot be renewed. Rent a number again.`
        : `A rental lasts at most ${MAX_RENTAL_DAYS} days from its start: this one can be renewed by ${left} ${left === 1 ? 'day' : 'days'} at most.`,
      { maxDays: left },
    );
  const now = ctx.clock.now();
  const seq = row.periods + 1;
  const period = await holdPeriod(ctx, row, { seq, startsAt: row.endsAt, days, label: await labelOf(ctx, row) });
  const [updated] = await ctx.db
    .update(rentals)
    .set({ endsAt: period.endsAt, periods: seq, updatedAt: now })
    .where(eq(rentals.id, row.id))
    .returning();
  await audit(ctx.db, now, actor, 'rental.renew', row.accountId, { rentalId: row.id, period: seq, days, price: period.price });
  await announce(ctx.db, updated as RentalRow, now, true);
  return updated as RentalRow;
}

/** The days of a rental's last period (a renewal without `days` repeats it). */
export async function lastPeriodDays(ctx: Pick<Ctx, 'db'>, row: RentalRow): Promise<number> {
  const periods = await ctx.db
    .select({ seq: rentalPeriods.seq, days: rentalPeriods.days })
    .from(rentalPeriods)
    .where(eq(rentalPeriods.rentalId, row.id));
  return periods.reduce((last, p) => (p.seq > last.seq ? p : last), { seq: 0, days: 1 }).days;
}

/** `POST /rentals/{id}/renew`: one transaction (the hold, the period, the audit row, the events). */
export async function renewRental(ctx: Ctx, accountId: string, id: string, days?: number): Promise<RentalRow> {
  return transaction(ctx.db, async (tx) => {
    const tctx = withDb(ctx, tx);
    const row = await lockRental(tx, id, accountId);
    return addPeriod(tctx, row, days ?? (await lastPeriodDays(tctx, row)), ctx.actor ?? 'customer');
  });
}

/** Turn automatic renewal on or off. */
export async function setAutoRenew(ctx: Ctx, accountId: string, id: string, autoRenew: boolean): Promise<RentalRow> {
  return transaction(ctx.db, async (tx) => {
    const row = await lockRental(tx, id, accountId);
    if (row.status !== 'active') throw new DomainError('CONFLICT', 'This rental has ended.');
    if (row.autoRenew === autoRenew) return row;
    const now = ctx.clock.now();
    const [updated] = await tx.update(rentals).set({ autoRenew, updatedAt: now }).where(eq(rentals.id, id)).returning();
    await audit(tx, now, ctx.actor ?? 'customer', 'rental.auto_renew', accountId, { rentalId: id, autoRenew });
    await announce(tx, updated as RentalRow, now, false);
    return updated as RentalRow;
  });
}
