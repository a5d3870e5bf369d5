import { eq } from 'drizzle-orm';
import { creditPackages, payments } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { CheckoutSession, Invoice, StripeEvent, StripePort, Subscription } from '../../payment-clients/stripe/port.ts';
import type { Ctx } from '../context.ts';
import {
  closePaymentDispute,
  type FactOutcome,
  markPaymentFailed,
  markPaymentPaid,
  markPaymentPending,
  openPaymentDispute,
  recordPaymentRefund,
} from './apply-fact.ts';
import { createPayment } from './create-payment.ts';
import { paymentById } from './find-payments.ts';
import type { PaymentStatus } from './states.ts';
import { claimEvent, eventSeen, paymentWithPaymentRef, paymentWithRef } from './store.ts';
import { syncStripeSubscription } from './subscriptions.ts';
import type { PaymentWithPackage } from './view.ts';

export type StripeWebhookOutcome =
  /** This event was handled before (or is being handled now): nothing was done. */
  | { kind: 'duplicate' }
  /** Nothing of ours (a session otpbox never created, an event type it does not use): recorded, nothing else. */
  | { kind: 'ignored'; reason: string }
  | { kind: 'applied'; paymentId?: string; status?: PaymentStatus; subscriptionId?: string };

const SESSION_EVENTS = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);
const SUBSCRIPTION_EVENTS = new Set(['customer.subscription.updated', 'customer.subscription.deleted', 'customer.subscription.created']);
const CHARGE_EVENTS = new Set(['charge.refunded', 'charge.dispute.created', 'charge.dispute.closed']);

/**
 * What Stripe says now, read back before anything is decided (ADR 23): the event only names the
 * object; its state — paid or not, which payment, which subscription — comes from the API. Read
 * outside any transaction (it is a network call).
 */
type Truth =
  | { kind: 'session'; session: CheckoutSession; subscription: Subscription | null }
  | { kind: 'invoice'; invoice: Invoice; subscription: Subscription | null }
  | { kind: 'charge'; paymentIntent: string; session: CheckoutSession | null; invoice: Invoice | null; subscription: Subscription | null }
  | { kind: 'subscription'; subscription: Subscription }
  | { kind: 'ignored'; reason: string };

/**
 * Handle one verified Stripe event: skip it if its id was handled before; read the truth back from
 * Stripe; then, in one transaction, claim the event id (a concurrent delivery of the same event waits
 * and then finds it claimed) and apply the facts to the payment it concerns — each fact its own
 * verb, joining this transaction. An event about something otpbox never created changes nothing.
 */
export async function handleStripeEvent(ctx: Ctx, stripe: StripePort, event: StripeEvent): Promise<StripeWebhookOutcome> {
  if (await eventSeen(ctx.db, 'stripe', event.id)) return { kind: 'duplicate' };
  const truth = await readBack(ctx, stripe, event);
  return transaction(ctx.db, async (tx) => {
    const txCtx: Ctx = { ...ctx, db: tx, actor: ctx.actor ?? 'stripe' };
    // Claimed once the payment it concerns is known (recorded with it), before any fact is applied.
    const claim = (paymentId: string | null) =>
      claimEvent(tx, { processor: 'stripe', eventId: event.id, type: event.type, paymentId, now: ctx.clock.now() });
    const outcome = await apply(txCtx, event, truth, claim);
    if (outcome.kind === 'ignored') ctx.log.info({ eventId: event.id, type: event.type, reason: outcome.reason }, 'Stripe event ignored');
    return outcome;
  });
}

async function readBack(ctx: Ctx, stripe: StripePort, event: StripeEvent): Promise<Truth> {
  const objectId = typeof event.object.id === 'string' ? event.object.id : '';
  const subscriptionOf = async (id: string | null) => (id ? stripe.retrieveSubscription(id) : null);
  if (SESSION_EVENTS.has(event.type)) {
    const session = await stripe.retrieveCheckoutSession(objectId);
    if (!session) return { kind: 'ignored', reason: `Stripe knows no Checkout Session ${objectId}` };
    return { kind: 'session', session, subscription: await subscriptionOf(session.subscription) };
  }
  if (event.type === 'invoice.paid') {
    const invoice = await stripe.retrieveInvoice(objectId);
    if (!invoice) return { kind: 'ignored', reason: `Stripe knows no invoice ${objectId}` };
    return { kind: 'invoice', invoice, subscription: await subscriptionOf(invoice.subscription) };
  }
  if (SUBSCRIPTION_EVENTS.has(event.type)) {
    const subscription = await stripe.retrieveSubscription(objectId);
    if (!subscription) return { kind: 'ignored', reason: `Stripe knows no subscription ${objectId}` };
    return { kind: 'subscription', subscription };
  }
  if (CHARGE_EVENTS.has(event.type)) {
    const paymentIntent = typeof event.object.payment_intent === 'string' ? event.object.payment_intent : null;
    if (!paymentIntent) return { kind: 'ignored', reason: 'a charge without a PaymentIntent (not a Checkout payment)' };
    const none = { kind: 'charge', paymentIntent, session: null, invoice: null, subscription: null } as const;
    // Known already (the payment was seen paid): no need to ask which checkout or invoice it was.
    if (await paymentWithPaymentRef(ctx.db, 'stripe', paymentIntent)) return none;
    const sessionId = await stripe.checkoutSessionOfPaymentIntent(paymentIntent);
    if (sessionId) return { ...none, session: await stripe.retrieveCheckoutSession(sessionId) };
    const invoiceId = await stripe.invoiceOfPaymentIntent(paymentIntent);
    const invoice = invoiceId ? await stripe.retrieveInvoice(invoiceId) : null;
    return { ...none, invoice, subscription: await subscriptionOf(invoice?.subscription ?? null) };
  }
  return { kind: 'ignored', reason: `otpbox does not use ${event.type} events` };
}

type Claim = (paymentId: string | null) => Promise<boolean>;
const DUPLICATE = { kind: 'duplicate' } as const;

async function apply(ctx: Ctx, event: StripeEvent, truth: Truth, claim: Claim): Promise<StripeWebhookOutcome> {
  const outcome = await applyClaimed(ctx, event, truth, claim);
  // Whatever was not claimed on the way (nothing of ours) is claimed now, so a repeat is answered at once.
  if (outcome.kind === 'ignored' && !(await claim(null))) return DUPLICATE;
  return outcome;
}

async function applyClaimed(ctx: Ctx, event: StripeEvent, truth: Truth, claim: Claim): Promise<StripeWebhookOutcome> {
  const source = `stripe ${event.id}`;
  switch (truth.kind) {
    case 'ignored':
      return truth;
    case 'session': {
      const payment = await paymentOfSession(ctx, truth.session);
      if (!payment) return { kind: 'ignored', reason: `Checkout Session ${truth.session.id} is not one otpbox created` };
      if (!(await claim(payment.id))) return DUPLICATE;
      const settled = await settleCheckoutSession(ctx, payment, truth, {
        source,
        asyncFailed: event.type === 'checkout.session.async_payment_failed',
      });
      if (!settled) return { kind: 'ignored', reason: `Checkout Session ${truth.session.id} is still open` };
      return { kind: 'applied', paymentId: payment.id, status: settled.outcome.payment.status, subscriptionId: settled.subscriptionId };
    }
    case 'invoice': {
      const { invoice, subscription } = truth;
      if (invoice.status !== 'paid') return { kind: 'ignored', reason: `invoice ${invoice.id} is ${invoice.status}, not paid` };
      const first = await firstPaymentOf(ctx, subscription);
      if (!first || !subscription || subscription.id !== invoice.subscription) {
        return { kind: 'ignored', reason: `invoice ${invoice.id} is not a period of a plan otpbox sold` };
      }
      const subscriptionId = await syncStripeSubscription(ctx, first, subscription);
      const payment = await paymentOfInvoice(ctx, invoice, first, subscriptionId);
      if (!payment) return { kind: 'ignored', reason: `invoice ${invoice.id} (${invoice.billingReason}) grants no credits` };
      if (!(await claim(payment.id))) return DUPLICATE;
      const paid = await markPaymentPaid(ctx, payment.id, { source, subscriptionId, processorPaymentRef: invoice.paymentIntents[0] });
      return { kind: 'applied', paymentId: payment.id, status: paid.payment.status, subscriptionId };
    }
    case 'subscription': {
      const first = await firstPaymentOf(ctx, truth.subscription);
      if (!first) return { kind: 'ignored', reason: `subscription ${truth.subscription.id} is not one otpbox sold` };
      if (!(await claim(first.id))) return DUPLICATE;
      return { kind: 'applied', subscriptionId: await syncStripeSubscription(ctx, first, truth.subscription) };
    }
    case 'charge': {
      const payment =
        (await paymentWithPaymentRef(ctx.db, 'stripe', truth.paymentIntent)) ??
        (truth.session ? await paymentOfSession(ctx, truth.session) : undefined) ??
        (truth.invoice ? await paymentOfChargedInvoice(ctx, truth.invoice, truth.subscription) : undefined);
      if (!payment) return { kind: 'ignored', reason: `PaymentIntent ${truth.paymentIntent} did not pay for anything otpbox sold` };
      if (!(await claim(payment.id))) return DUPLICATE;
      const options = { source, processorPaymentRef: truth.paymentIntent };
      const outcome = await chargeFact(ctx, event, payment, options);
      return { kind: 'applied', paymentId: payment.id, status: outcome?.payment.status ?? payment.status };
    }
  }
}

/**
 * What a Checkout Session read back from Stripe says of its payment, applied: paid (credited once),
 * expired or failed, or under way (an asynchronous method); undefined while the customer is still on
 * the payment page. Its plan's subscription is recorded first. Shared by the webhook and the
 * reconciler (reconcile-stripe.ts), so a session says the same whichever way it was read.
 */
export async function settleCheckoutSession(
  ctx: Ctx,
  payment: PaymentWithPackage,
  truth: { session: CheckoutSession; subscription: Subscription | null },
  how: { source: string; asyncFailed?: boolean },
): Promise<{ outcome: FactOutcome; subscriptionId: string | undefined } | undefined> {
  const { session } = truth;
  const paid = session.paymentStatus === 'paid' || session.paymentStatus === 'no_payment_required';
  if (!paid && session.status === 'open' && !how.asyncFailed) return undefined;
  const subscriptionId = await subscriptionFor(ctx, payment, truth.subscription);
  const options = { source: how.source, subscriptionId, processorPaymentRef: session.paymentIntent ?? undefined };
  let outcome: FactOutcome;
  if (paid) outcome = await markPaymentPaid(ctx, payment.id, options);
  else if (session.status === 'expired') outcome = await markPaymentFailed(ctx, payment.id, 'the payment page expired', options);
  else if (how.asyncFailed) outcome = await markPaymentFailed(ctx, payment.id, 'the payment did not go through', options);
  else if (session.status === 'complete') outcome = await markPaymentPending(ctx, payment.id, options);
  else return undefined;
  return { outcome, subscriptionId };
}

/** The fact a charge event states: a refund (cumulative), a dispute opened, or its outcome. */
async function chargeFact(
  ctx: Ctx,
  event: StripeEvent,
  payment: PaymentWithPackage,
  options: { source: string; processorPaymentRef: string },
) {
  const object = event.object;
  if (event.type === 'charge.refunded') {
    const amount = Number(object.amount ?? payment.amountMinor);
    const refunded = Number(object.amount_refunded ?? 0);
    // In the payment's own terms: all of it when Stripe says the charge is refunded, else the same share.
    const refundedMinor =
      object.refunded === true || refunded >= amount
        ? payment.amountMinor
        : Math.floor((refunded * payment.amountMinor) / Math.max(1, amount));
    return recordPaymentRefund(ctx, payment.id, refundedMinor, options);
  }
  if (event.type === 'charge.dispute.created') return openPaymentDispute(ctx, payment.id, options);
  const status = String(object.status ?? '');
  if (status === 'lost') return closePaymentDispute(ctx, payment.id, 'lost', options);
  if (status === 'won' || status === 'warning_closed' || status === 'prevented')
    return closePaymentDispute(ctx, payment.id, 'won', options);
  return undefined;
}

/**
 * The payment a Checkout Session pays: by its id, or (when the session's id was never recorded, a
 * crash between Stripe's answer and our write) by its `client_reference_id`, which must name one of
 * our Stripe payments that is linked to no other session. Its amount and currency must be the
 * payment's: a session that says otherwise is not the one otpbox created.
 */
export async function paymentOfSession(ctx: Ctx, session: CheckoutSession): Promise<PaymentWithPackage | undefined> {
  let payment = await paymentWithRef(ctx.db, 'stripe', session.id);
  if (!payment && session.clientReferenceId && session.clientReferenceId === session.otpboxPayment) {
    const candidate = await paymentById(ctx.db, session.clientReferenceId);
    if (candidate?.processor === 'stripe' && candidate.processorRef === null) {
      await ctx.db.update(payments).set({ processorRef: session.id }).where(eq(payments.id, candidate.id));
      payment = { ...candidate, processorRef: session.id };
    }
  }
  if (!payment) return undefined;
  if (session.currency !== payment.currency || (session.amountTotal !== null && session.amountTotal !== payment.amountMinor)) {
    ctx.log.warn({ sessionId: session.id, paymentId: payment.id }, 'a Checkout Session does not match its payment: not credited');
    return undefined;
  }
  return payment;
}

/** The checkout payment that started a subscription (named in the subscription's metadata when otpbox created it). */
async function firstPaymentOf(ctx: Ctx, subscription: Subscription | null): Promise<PaymentWithPackage | undefined> {
  if (!subscription?.otpboxPayment) return undefined;
  const payment = await paymentById(ctx.db, subscription.otpboxPayment);
  return payment?.processor === 'stripe' ? payment : undefined;
}

/**
 * The payment an invoice of a plan pays: the first period is the checkout payment itself; each
 * renewal is a payment of its own, created here the first time the invoice is seen (its reference is
 * the invoice). Other invoices (prorations, manual ones) grant no credits.
 */
async function paymentOfInvoice(
  ctx: Ctx,
  invoice: Invoice,
  first: PaymentWithPackage,
  subscriptionId: string | undefined,
): Promise<PaymentWithPackage | undefined> {
  if (invoice.billingReason === 'subscription_create') return first;
  if (invoice.billingReason !== 'subscription_cycle') return undefined;
  const [pkg] = await ctx.db.select().from(creditPackages).where(eq(creditPackages.id, first.packageId));
  if (!pkg) return undefined;
  const { payment } = await createPayment(ctx, {
    accountId: first.accountId,
    pkg,
    method: 'card',
    processor: 'stripe',
    processorRef: invoice.id,
    subscriptionId,
    amountMinor: invoice.amountPaid,
    currency: invoice.currency,
  });
  return payment;
}

/** The payment a charge of an invoice paid (a refund or dispute about a plan's period). */
async function paymentOfChargedInvoice(
  ctx: Ctx,
  invoice: Invoice,
  subscription: Subscription | null,
): Promise<PaymentWithPackage | undefined> {
  const first = await firstPaymentOf(ctx, subscription);
  if (!first || subscription?.id !== invoice.subscription) return undefined;
  return paymentOfInvoice(ctx, invoice, first, first.subscriptionId ?? undefined);
}

/** The subscription row of a session's plan, brought up to date (undefined: a one-off payment). */
async function subscriptionFor(ctx: Ctx, payment: PaymentWithPackage, subscription: Subscription | null): Promise<string | undefined> {
  if (!subscription) return payment.subscriptionId ?? undefined;
  const first = await firstPaymentOf(ctx, subscription);
  return first ? syncStripeSubscription(ctx, first, subscription) : undefined;
}
