import { and, asc, eq, gte } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { auditLog, type RentalEndReason, rentalPeriods, rentalSms, rentals } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { CURRENT_BALANCE, type EventToEmit, emitAccountEvents } from '../events/index.ts';
import { captureHold, holdCredits, releaseHold } from '../ledger/index.ts';
import { endRentalLease } from '../pool/index.ts';

export type RentalRow = typeof rentals.$inferSelect;
export type PeriodRow = typeof rentalPeriods.$inferSelect;

const DAY_MS = 86_400_000;
/** A hold outlives its period by this much: the rental-periods job settles it first; `ledger verify` flags it after. */
const HOLD_GRACE_MS = DAY_MS;
/**
 * Cancelling a period that received no SMS within this long after it began gives its price back in
 * full (a number that turned out not to suit); later, the days begun are paid (ADR 42).
 */
export const FREE_CANCEL_MS = 60 * 60_000;

export const notFound = () => new DomainError('NOT_FOUND', 'No such rental.');

/** The number as ledger lines show it: country code and the last four digits. */
export function maskNumber(number: string): string {
  return number.length > 6 ? `${number.slice(0, 3)}…${number.slice(-4)}` : number;
}

/** The rental, locked for the transaction; a rental of another account is not found. */
export async function lockRental(tx: Executor, id: string, accountId?: string): Promise<RentalRow> {
  const [row] = await tx
    .select()
    .from(rentals)
    .where(accountId === undefined ? eq(rentals.id, id) : and(eq(rentals.id, id), eq(rentals.accountId, accountId)))
    .for('update');
  if (!row) throw notFound();
  return row;
}

interface PeriodInput {
  seq: number;
  startsAt: Date;
  days: number;
  /** The number in clear, for the ledger line (masked). */
  label: string;
}

/**
 * Hold a period's price and record the period, in the caller's transaction (a refusal — too few
 * credits, a restricted wallet — is thrown and the transaction rolls back with it). Demo credits never
 * pay: the hold takes the credits purse only.
 */
export async function holdPeriod(
  ctx: Ctx,
  rental: Pick<RentalRow, 'id' | 'accountId' | 'dayPrice' | 'country'>,
  input: PeriodInput,
): Promise<PeriodRow> {
  const now = ctx.clock.now();
  const price = rental.dayPrice * input.days;
  const endsAt = new Date(input.startsAt.getTime() + input.days * DAY_MS);
  const hold = await holdCredits(ctx, {
    accountId: rental.accountId,
    amount: price,
    expiresAt: new Date(endsAt.getTime() + HOLD_GRACE_MS),
    idempotencyKey: `${rental.id}:p${input.seq}:hold`,
    reason: `Rented number ${input.label} (${rental.country}), period ${input.seq}: ${input.days} ${input.days === 1 ? 'day' : 'days'} reserved`,
    metadata: { rentalId: rental.id, period: input.seq },
  });
  const [period] = await ctx.db
    .insert(rentalPeriods)
    .values({
      id: newId('rper', now.getTime()),
      rentalId: rental.id,
      seq: input.seq,
      startsAt: input.startsAt,
      endsAt,
      days: input.days,
      price,
      holdId: hold.transfer.id,
      createdAt: now,
    })
    .returning();
  return period as PeriodRow;
}

/** Capture a period (in full, or `amount` of it: the rest returns) or release it, in the caller's transaction. */
export async function settlePeriod(
  ctx: Ctx,
  period: PeriodRow,
  label: string,
  settlement: { kind: 'capture'; amount: number; why: string } | { kind: 'release'; why: string },
): Promise<void> {
  const now = ctx.clock.now();
  const base = `Rented number ${label}, period ${period.seq}`;
  const metadata = { rentalId: period.rentalId, period: period.seq };
  if (settlement.kind === 'capture') {
    await captureHold(ctx, {
      holdId: period.holdId,
      amount: settlement.amount,
      idempotencyKey: `${period.rentalId}:p${period.seq}:capture`,
      reason: `${base}: ${settlement.why}`,
      metadata,
    });
  } else {
    await releaseHold(ctx, {
      holdId: period.holdId,
      idempotencyKey: `${period.rentalId}:p${period.seq}:release`,
      reason: `${base}: ${settlement.why}, credits returned`,
      metadata,
    });
  }
  await ctx.db
    .update(rentalPeriods)
    .set({
      status: settlement.kind === 'capture' ? 'captured' : 'released',
      charged: settlement.kind === 'capture' ? settlement.amount : 0,
      settledAt: now,
    })
    .where(eq(rentalPeriods.id, period.id));
}

/** The periods still held, oldest first. */
export async function heldPeriods(tx: Executor, rentalId: string): Promise<PeriodRow[]> {
  return tx
    .select()
    .from(rentalPeriods)
    .where(and(eq(rentalPeriods.rentalId, rentalId), eq(rentalPeriods.status, 'held')))
    .orderBy(asc(rentalPeriods.seq))
    .for('update');
}

/**
 * End a rental now (cancelled by the customer, or its account erased): every held period is settled
 * by the early-cancel rule (ADR 42) —
 * - a period over already: captured in full;
 * - a period not begun (a renewal paid ahead): released;
 * - the current period: captured in full if it received an SMS; released if it received none and began
 *   less than FREE_CANCEL_MS ago; else the days begun are captured and the rest returns.
 * Then the lease ends (the number cools), the row, the audit row and the events. Caller's transaction.
 */
export async function endNow(ctx: Ctx, rental: RentalRow, label: string, reason: RentalEndReason, actor: string): Promise<RentalRow> {
  const now = ctx.clock.now();
  const settled: { seq: number; charged: number }[] = [];
  for (const period of await heldPeriods(ctx.db, rental.id)) {
    if (period.endsAt <= now) {
      await settlePeriod(ctx, period, label, { kind: 'capture', amount: period.price, why: `${period.days} days` });
      settled.push({ seq: period.seq, charged: period.price });
      continue;
    }
    if (period.startsAt > now) {
      await settlePeriod(ctx, period, label, { kind: 'release', why: 'renewal not begun, cancelled' });
      settled.push({ seq: period.seq, charged: 0 });
      continue;
    }
    // An SMS the rental shows makes its period payable: in the first period, every one it shows — one
    // stamped up to CLOCK_SKEW_MS before the start (a phone's or SMS centre's clock behind) is shown too.
    const [sms] = await ctx.db
      .select({ id: rentalSms.id })
      .from(rentalSms)
      .where(
        and(
          eq(rentalSms.rentalId, rental.id),
          eq(rentalSms.late, false),
          period.seq === 1 ? undefined : gte(rentalSms.receivedAt, period.startsAt),
        ),
      )
      .limit(1);
    const elapsed = now.getTime() - period.startsAt.getTime();
    if (!sms && elapsed < FREE_CANCEL_MS) {
      await settlePeriod(ctx, period, label, { kind: 'release', why: 'cancelled early without any SMS' });
      settled.push({ seq: period.seq, charged: 0 });
      continue;
    }
    const days = Math.min(period.days, Math.max(1, Math.ceil(elapsed / DAY_MS)));
    const amount = sms ? period.price : rental.dayPrice * days;
    await settlePeriod(ctx, period, label, {
      kind: 'capture',
      amount,
      why: sms ? `cancelled after receiving SMS, ${period.days} days` : `cancelled after ${days} ${days === 1 ? 'day' : 'days'} begun`,
    });
    settled.push({ seq: period.seq, charged: amount });
  }
  const ended = await finish(ctx, rental, reason === 'cancelled' ? 'cancelled' : 'ended', reason, actor, { settled });
  return ended;
}

/** The rental ends: its lease ends (the number cools), the row, the audit row and the events. */
export async function finish(
  ctx: Ctx,
  rental: RentalRow,
  status: 'ended' | 'cancelled',
  reason: RentalEndReason,
  actor: string,
  details: Record<string, unknown> = {},
): Promise<RentalRow> {
  const now = ctx.clock.now();
  await endRentalLease(ctx.db, ctx.config, now, rental.leaseId);
  const [row] = await ctx.db
    .update(rentals)
    .set({ status, endedAt: now, endReason: reason, updatedAt: now })
    .where(eq(rentals.id, rental.id))
    .returning();
  await audit(ctx.db, now, actor, `rental.${status === 'cancelled' ? 'cancel' : 'end'}`, rental.accountId, {
    rentalId: rental.id,
    reason,
    ...details,
  });
  await announce(ctx.db, row as RentalRow, now, true);
  return row as RentalRow;
}

export async function audit(
  tx: Executor,
  now: Date,
  actor: string,
  action: string,
  accountId: string,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.insert(auditLog).values({ id: newId('aud', now.getTime()), actor, action, accountId, details, occurredAt: now });
}

/** `rental.updated` (and `balance.updated` when credits moved), last in the transaction. */
export async function announce(tx: Executor, row: RentalRow, now: Date, balanceChanged: boolean, extra: EventToEmit[] = []): Promise<void> {
  const events: EventToEmit[] = [
    ...extra,
    {
      type: 'rental.updated',
      payload: {
        rentalId: row.id,
        status: row.status,
        endsAt: row.endsAt.toISOString(),
        autoRenew: row.autoRenew,
        endReason: row.endReason,
      },
    },
  ];
  if (balanceChanged) events.push({ type: 'balance.updated', payload: CURRENT_BALANCE });
  await emitAccountEvents(tx, row.accountId, events, now);
}
