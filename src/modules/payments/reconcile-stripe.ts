import { and, asc, eq, getTableColumns, gt, inArray, isNull, like, lte, or, sql } from 'drizzle-orm';
import { creditPackages, payments } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { type StripePort, StripeRefused, StripeUnavailable } from '../../payment-clients/stripe/port.ts';
import type { Ctx } from '../context.ts';
import { lockPayment } from './apply-fact.ts';
import type { PaymentDeps } from './deps.ts';
import { getPayment } from './find-payments.ts';
import { paymentOfSession, settleCheckoutSession } from './stripe-webhook.ts';
import type { PaymentWithPackage } from './view.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * When the reconciler reads an unfinished card payment back from Stripe (ADR 23): not before
 * `FIRST_CHECK_AFTER_MS` (the webhook usually lands within seconds), then after half the payment's
 * age again — at 10, 20, 40, 80 minutes… — but at least every `MAX_CHECK_GAP_MS`, for as long as a
 * payment can still settle (`GIVE_UP_AFTER_MS`: a Checkout page expires within a day; a bank debit
 * confirms within two weeks). About a dozen reads for a page that was abandoned, none once settled.
 */
export const FIRST_CHECK_AFTER_MS = 10 * MINUTE;
export const MAX_CHECK_GAP_MS = 6 * HOUR;
export const GIVE_UP_AFTER_MS = 21 * 24 * HOUR;
/** A customer back from the payment page may ask again this often. */
export const REFRESH_GAP_MS = 5_000;
export const RECONCILE_BATCH = 50;

export type ReconcileOutcome = {
  checked: number;
  /** Payments whose status or credits the read-back moved. */
  changed: number;
  /** Set when Stripe could not be reached: the run stopped there, the rest wait for the next one. */
  unavailable?: true;
};

/**
 * The card payments whose webhook never came, settled from what Stripe says now: a Checkout Session
 * paid, expired or under way is applied exactly as its event would be (settleCheckoutSession), so a
 * lost or late webhook costs the customer minutes, never their credits. Payments due a read, oldest
 * read first, `RECONCILE_BATCH` per run; Stripe unreachable ends the run.
 */
export async function reconcileStripePayments(
  ctx: Ctx,
  deps: PaymentDeps,
  options: { signal?: AbortSignal } = {},
): Promise<ReconcileOutcome> {
  const stripe = deps.stripe;
  const outcome: ReconcileOutcome = { checked: 0, changed: 0 };
  if (!stripe) return outcome;
  const now = ctx.clock.now();
  const at = now.toISOString();
  const due = await ctx.db
    .select({ id: payments.id })
    .from(payments)
    .where(
      and(
        eq(payments.processor, 'stripe'),
        inArray(payments.status, ['created', 'pending']),
        like(payments.processorRef, 'cs\\_%'),
        lte(payments.createdAt, new Date(now.getTime() - FIRST_CHECK_AFTER_MS)),
        gt(payments.createdAt, new Date(now.getTime() - GIVE_UP_AFTER_MS)),
        or(
          isNull(payments.checkedAt),
          sql`${payments.checkedAt} <= ${at}::timestamptz - least(${`${MAX_CHECK_GAP_MS} milliseconds`}::interval, (${at}::timestamptz - ${payments.createdAt}) / 2)`,
        ),
      ),
    )
    .orderBy(sql`${payments.checkedAt} asc nulls first`, asc(payments.createdAt))
    .limit(RECONCILE_BATCH);
  for (const { id } of due) {
    if (options.signal?.aborted) break;
    try {
      const moved = await readBackPayment(ctx, stripe, id, 'reconciler');
      outcome.checked += 1;
      if (moved) outcome.changed += 1;
    } catch (error) {
      if (!(error instanceof StripeUnavailable)) throw error;
      ctx.log.warn({ err: error, paymentId: id }, 'Stripe could not be reached to reconcile card payments; the next run tries again');
      outcome.unavailable = true;
      break;
    }
  }
  return outcome;
}

/**
 * A customer back from Stripe's payment page asks how it went: the payment is read back from Stripe
 * at once (not more often than every `REFRESH_GAP_MS`), so a webhook still on its way — or lost —
 * does not leave them looking at "pending". The redirect itself is never trusted: only Stripe's answer.
 * Answers the payment as it now stands.
 */
export async function refreshPayment(ctx: Ctx, deps: PaymentDeps, accountId: string, paymentId: string): Promise<PaymentWithPackage> {
  const payment = await getPayment(ctx.db, accountId, paymentId);
  const stripe = deps.stripe;
  const unfinished = payment.status === 'created' || payment.status === 'pending';
  const recentlyRead = payment.checkedAt !== null && ctx.clock.now().getTime() - payment.checkedAt.getTime() < REFRESH_GAP_MS;
  if (!stripe || payment.processor !== 'stripe' || !unfinished || recentlyRead || !payment.processorRef?.startsWith('cs_')) return payment;
  try {
    await readBackPayment(ctx, stripe, payment.id, 'customer');
  } catch (error) {
    if (!(error instanceof StripeUnavailable || error instanceof StripeRefused)) throw error;
    ctx.log.warn({ err: error, paymentId }, 'Stripe could not be asked about a payment; its webhook will tell');
    throw new DomainError(
      'PAYMENT_PROCESSOR_UNAVAILABLE',
      'Stripe could not be asked just now; this page updates by itself when it answers.',
      {
        retryAfterSeconds: 30,
      },
    );
  }
  return getPayment(ctx.db, accountId, paymentId);
}

/**
 * Read one payment's Checkout Session back from Stripe (outside any transaction: a network call),
 * then settle it in one transaction with its `checked_at`. True when the payment moved.
 */
export async function readBackPayment(
  ctx: Ctx,
  stripe: StripePort,
  paymentId: string,
  who: 'reconciler' | 'customer' | 'erasure',
): Promise<boolean> {
  const [row] = await ctx.db
    .select({ ...getTableColumns(payments), packageCode: creditPackages.code })
    .from(payments)
    .innerJoin(creditPackages, eq(creditPackages.id, payments.packageId))
    .where(eq(payments.id, paymentId));
  if (!row?.processorRef) return false;
  const session = await stripe.retrieveCheckoutSession(row.processorRef);
  const subscription = session?.subscription ? await stripe.retrieveSubscription(session.subscription) : null;
  return transaction(ctx.db, async (tx) => {
    const txCtx: Ctx = { ...ctx, db: tx, actor: ctx.actor ?? 'stripe' };
    const locked = await lockPayment(tx, paymentId);
    await tx.update(payments).set({ checkedAt: ctx.clock.now() }).where(eq(payments.id, paymentId));
    if (!session) {
      ctx.log.warn({ paymentId, sessionId: row.processorRef }, 'Stripe knows no Checkout Session of this payment');
      return false;
    }
    // The same checks as an event's: the session must be the one otpbox created for this payment.
    const payment = await paymentOfSession(txCtx, session);
    if (payment?.id !== locked.id) return false;
    const settled = await settleCheckoutSession(txCtx, locked, { session, subscription }, { source: `stripe read back by the ${who}` });
    return settled?.outcome.changed ?? false;
  });
}
