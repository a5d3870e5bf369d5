import { and, eq, isNotNull, like, ne, or } from 'drizzle-orm';
import { accounts, auditLog, payments, subscriptions } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { newId } from '../../lib/ids.ts';
import { type StripePort, StripeRefused, StripeUnavailable, type Subscription } from '../../payment-clients/stripe/port.ts';
import type { Ctx } from '../context.ts';
import type { PaymentDeps } from './deps.ts';
import { readBackPayment } from './reconcile-stripe.ts';
import { subscriptionStatusOf } from './subscriptions.ts';

export interface PaymentsEnded {
  /** Checkout pages expired at Stripe: they no longer take a payment. */
  checkoutPagesExpired: number;
  /** Card subscriptions cancelled at Stripe: no renewal charges the card again. */
  subscriptionsCancelled: number;
  /** What Stripe could not be asked about (or would not end): the erasure job asks again. */
  waiting: number;
}

/**
 * The account is being erased (privacy's `ErasureDeps.endPayments`): nothing it started at Stripe may
 * take its customer's money afterwards, when no one can receive the credits (ADR 27 addendum).
 * - An open Checkout page is expired at Stripe, then read back and settled as its event would be. A page
 *   paid a moment before stays paid: the erased-account rule (apply-fact.ts) records it, credits no one
 *   and warns the operator to refund it.
 * - A card subscription is cancelled at Stripe at once: no renewal charges the card again. The period paid
 *   is not refunded; the row records what Stripe answered, with the audit row.
 * A refusal (4xx) is checked by reading the object back: a page already expired or paid, or a subscription
 * already cancelled, is done. Stripe unreachable, or an object still open after a refusal, is counted in
 * `waiting`: the erasure completes only once it is done, or when the erasure job no longer waits (ADR 27).
 * Store subscriptions (App Store, Google Play) are the customer's to cancel in the store (P15).
 */
export async function endPaymentsForErasure(ctx: Ctx, deps: PaymentDeps, accountId: string): Promise<PaymentsEnded> {
  const ended: PaymentsEnded = { checkoutPagesExpired: 0, subscriptionsCancelled: 0, waiting: 0 };
  const pages = await openPages(ctx, accountId);
  const stripe = deps.stripe;
  if (!stripe) {
    const plans = await livePlans(ctx, accountId);
    // Card payments were switched off since: nothing here can reach Stripe. The operator can, in its dashboard.
    if (pages.length + plans.length > 0)
      ctx.log.error(
        { accountId, checkoutPages: pages.length, subscriptions: plans.length },
        'an erased account has open Stripe checkout pages or subscriptions, and Stripe is not configured: end them in the Stripe dashboard',
      );
    return ended;
  }
  for (const page of pages) {
    const outcome = await expirePage(ctx, stripe, page.id, page.ref as string);
    if (outcome === 'expired') ended.checkoutPagesExpired++;
    else if (outcome === 'waiting') ended.waiting++;
  }
  // Read after the pages: a page paid a moment before the erasure records its plan when it is read back.
  for (const plan of await livePlans(ctx, accountId)) {
    const outcome = await cancelPlan(ctx, stripe, accountId, plan.id, plan.ref);
    if (outcome === 'cancelled') ended.subscriptionsCancelled++;
    else if (outcome === 'waiting') ended.waiting++;
  }
  return ended;
}

/**
 * The safety net (the `erased-account-payments` job): erased accounts whose erasure completed with a
 * card payment still open — a plan recorded by a webhook that came later, or one Stripe could not be
 * asked to end before day 28 — get it ended now. Answers the accounts seen and what ended.
 */
export async function endPaymentsOfErasedAccounts(
  ctx: Ctx,
  deps: PaymentDeps,
  options: { signal?: AbortSignal } = {},
): Promise<{ accounts: number; checkoutPagesExpired: number; subscriptionsCancelled: number; waiting: number }> {
  const totals = { accounts: 0, checkoutPagesExpired: 0, subscriptionsCancelled: 0, waiting: 0 };
  if (!deps.stripe) return totals;
  const erased = and(eq(accounts.status, 'deleted'), isNotNull(accounts.erasureCompletedAt));
  const rows = await ctx.db
    .selectDistinct({ id: accounts.id })
    .from(accounts)
    .leftJoin(
      subscriptions,
      and(eq(subscriptions.accountId, accounts.id), eq(subscriptions.processor, 'stripe'), ne(subscriptions.status, 'cancelled')),
    )
    .leftJoin(payments, and(eq(payments.accountId, accounts.id), openPage))
    .where(and(erased, or(isNotNull(subscriptions.id), isNotNull(payments.id))))
    .limit(SAFETY_NET_BATCH);
  for (const { id } of rows) {
    if (options.signal?.aborted) break;
    const ended = await endPaymentsForErasure(ctx, deps, id);
    totals.accounts++;
    totals.checkoutPagesExpired += ended.checkoutPagesExpired;
    totals.subscriptionsCancelled += ended.subscriptionsCancelled;
    totals.waiting += ended.waiting;
  }
  return totals;
}

const SAFETY_NET_BATCH = 50;
const openPage = and(eq(payments.processor, 'stripe'), eq(payments.status, 'created'), like(payments.processorRef, 'cs\\_%'));

const openPages = (ctx: Ctx, accountId: string) =>
  ctx.db
    .select({ id: payments.id, ref: payments.processorRef })
    .from(payments)
    .where(and(eq(payments.accountId, accountId), openPage));

const livePlans = (ctx: Ctx, accountId: string) =>
  ctx.db
    .select({ id: subscriptions.id, ref: subscriptions.processorRef })
    .from(subscriptions)
    .where(and(eq(subscriptions.accountId, accountId), eq(subscriptions.processor, 'stripe'), ne(subscriptions.status, 'cancelled')));

/** Expire a payment's Checkout page, then settle the payment from what Stripe says of it. */
async function expirePage(ctx: Ctx, stripe: StripePort, paymentId: string, sessionId: string): Promise<'expired' | 'done' | 'waiting'> {
  let expired = false;
  try {
    await stripe.expireCheckoutSession(sessionId);
    expired = true;
  } catch (error) {
    if (!(error instanceof StripeRefused || error instanceof StripeUnavailable)) throw error;
    if (error instanceof StripeUnavailable) return unreachable(ctx, error, { paymentId });
    if (error.status === 404) {
      // No such session at Stripe (made under another key, or deleted): it takes no payment; nothing to end.
      ctx.log.warn({ paymentId }, 'Stripe knows no checkout page of this payment of an erased account; nothing to expire');
      return 'done';
    }
    // Refused otherwise: no longer open (paid, expired); the read-back below says which.
  }
  try {
    await readBackPayment(ctx, stripe, paymentId, 'erasure');
  } catch (error) {
    if (!(error instanceof StripeRefused || error instanceof StripeUnavailable)) throw error;
    // Expired: its event (`checkout.session.expired`) settles the payment, or the reconciler does.
    if (expired) return 'expired';
    return unreachable(ctx, error, { paymentId });
  }
  if (expired) return 'expired';
  const [row] = await ctx.db.select({ status: payments.status }).from(payments).where(eq(payments.id, paymentId));
  if (row?.status !== 'created') return 'done';
  ctx.log.warn({ paymentId }, 'Stripe would not expire the checkout page of an erased account; the erasure job tries again');
  return 'waiting';
}

/** Cancel a card subscription at Stripe and record what Stripe answered, with the audit row. */
async function cancelPlan(
  ctx: Ctx,
  stripe: StripePort,
  accountId: string,
  subscriptionId: string,
  ref: string,
): Promise<'cancelled' | 'done' | 'waiting'> {
  let answer: Subscription | null;
  let cancelledNow = true;
  try {
    answer = await stripe.cancelSubscription(ref, `otpbox-erasure-cancel-${subscriptionId}`);
  } catch (error) {
    if (error instanceof StripeUnavailable) return unreachable(ctx, error, { subscriptionId });
    if (!(error instanceof StripeRefused)) throw error;
    // Refused: already cancelled, or unknown to Stripe; read it back to know.
    cancelledNow = false;
    try {
      answer = await stripe.retrieveSubscription(ref);
    } catch (readError) {
      if (!(readError instanceof StripeRefused || readError instanceof StripeUnavailable)) throw readError;
      return unreachable(ctx, readError, { subscriptionId });
    }
  }
  const status = answer ? subscriptionStatusOf(answer.status) : 'cancelled';
  if (status !== 'cancelled') {
    ctx.log.warn({ subscriptionId }, 'Stripe would not cancel the subscription of an erased account; the erasure job tries again');
    return 'waiting';
  }
  const now = ctx.clock.now();
  await transaction(ctx.db, async (tx) => {
    await tx
      .update(subscriptions)
      .set({
        status,
        cancelAtPeriodEnd: answer?.cancelAtPeriodEnd ?? false,
        ...(answer?.currentPeriodEnd ? { currentPeriodEnd: answer.currentPeriodEnd } : {}),
        updatedAt: now,
      })
      .where(eq(subscriptions.id, subscriptionId));
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'system',
      action: 'subscription.cancel',
      accountId,
      details: {
        subscriptionId,
        reason: 'account erasure',
        ...(cancelledNow ? {} : { stripe: answer ? 'already cancelled' : 'unknown to Stripe' }),
      },
      occurredAt: now,
    });
  });
  return cancelledNow ? 'cancelled' : 'done';
}

function unreachable(ctx: Ctx, error: Error, about: Record<string, string>): 'waiting' {
  ctx.log.warn({ err: error, ...about }, 'Stripe could not be asked to end a payment of an erased account; the erasure job tries again');
  return 'waiting';
}
