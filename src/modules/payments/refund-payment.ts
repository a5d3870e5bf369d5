import { DomainError } from '../../lib/errors.ts';
import { StripeRefused } from '../../payment-clients/stripe/port.ts';
import type { Ctx } from '../context.ts';
import { type FactOutcome, recordPaymentRefund } from './apply-fact.ts';
import type { PaymentDeps } from './deps.ts';
import { paymentById } from './find-payments.ts';

/**
 * An operator refunds a card payment (`otpbox payments refund`), in full or — with `amountMinor` — in
 * part: Stripe refunds the PaymentIntent under an Idempotency-Key of the payment and the refunded total
 * this refund starts from. Asking twice for the same refund refunds once; two refunds asked at the same
 * moment start from the same total, so Stripe refuses the second (the key again, with other
 * parameters) and it is answered 409, instead of both being refunded while only one is recorded. The
 * credits are taken back at once by the same
 * fact `charge.refunded` states (ADR 23), in proportion to what is refunded in all — whichever comes
 * first takes them, the other finds nothing left to do. Spent credits leave the wallet in debt and
 * restricted. A partly refunded payment stays `paid` and can be refunded again up to its amount.
 *
 * `refundedBefore` is the refunded total the operator saw when deciding (the console sends it). When
 * the payment has been refunded further since — another operator, a second click that came after the
 * first one finished, a refund made in Stripe's dashboard — the refund is refused (409) rather than
 * made on top of one the operator did not know of. Without it (the CLI), the total read now is used.
 */
export async function refundPayment(
  ctx: Ctx,
  deps: PaymentDeps,
  paymentId: string,
  reason: string,
  options: { amountMinor?: number; refundedBefore?: number } = {},
): Promise<FactOutcome & { refundId: string; refundedMinor: number }> {
  const payment = await paymentById(ctx.db, paymentId);
  if (!payment) throw new DomainError('NOT_FOUND', `No payment ${paymentId}.`);
  if (payment.processor !== 'stripe') {
    throw new DomainError(
      'CONFLICT',
      `Payment ${paymentId} was made through ${payment.processor}: only card payments are refunded from here.`,
    );
  }
  if (payment.status === 'refunded') throw new DomainError('CONFLICT', `Payment ${paymentId} is already refunded.`);
  if (payment.status !== 'paid') {
    throw new DomainError('CONFLICT', `Payment ${paymentId} is ${payment.status}: only a paid payment (not disputed) can be refunded.`);
  }
  if (options.refundedBefore !== undefined && options.refundedBefore !== payment.refundedMinor) {
    throw new DomainError(
      'CONFLICT',
      `Payment ${paymentId} has been refunded further since you looked: ${payment.refundedMinor} refunded now, not ` +
        `${options.refundedBefore}. Look at it again before refunding more.`,
      { refunded: payment.refundedMinor },
    );
  }
  const left = payment.amountMinor - payment.refundedMinor;
  const amount = options.amountMinor ?? left;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > left) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `The amount to refund must be a whole number of minor units from 1 to ${left} (what is left of payment ${paymentId}).`,
      { field: 'amount', max: left },
    );
  }
  const stripe = deps.stripe;
  if (!stripe) throw new DomainError('PAYMENT_METHOD_UNAVAILABLE', 'Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).');
  const paymentIntent = payment.processorPaymentRef ?? (await paymentIntentOf(stripe, payment.processorRef));
  if (!paymentIntent)
    throw new DomainError('CONFLICT', `Stripe names no payment for ${paymentId} (${payment.processorRef}): nothing to refund.`);
  const total = payment.refundedMinor + amount;
  let refundId: string;
  try {
    const refund = await stripe.refund({
      paymentIntent,
      // All that is left: no amount, so Stripe refunds exactly the rest of its charge.
      amount: amount === left ? undefined : amount,
      idempotencyKey: `otpbox-refund-${payment.id}-from-${payment.refundedMinor}`,
      metadata: { otpbox_payment: payment.id },
    });
    if (refund.status === 'failed' || refund.status === 'canceled')
      throw new DomainError('CONFLICT', `Stripe did not refund ${paymentId}: the refund is ${refund.status}.`);
    refundId = refund.id;
  } catch (error) {
    // The key again with other parameters (`idempotency_error`), or while its first request still runs (`idempotency_key_in_use`).
    if (error instanceof StripeRefused && (error.code === 'idempotency_error' || error.code === 'idempotency_key_in_use'))
      throw new DomainError(
        'CONFLICT',
        `Another refund of ${paymentId} was asked at the same moment and Stripe made that one: look at the payment again before refunding more.`,
      );
    if (!(error instanceof StripeRefused && error.code === 'charge_already_refunded')) throw error;
    refundId = 'already refunded at Stripe';
  }
  const outcome = await recordPaymentRefund({ ...ctx, actor: ctx.actor ?? 'cli' }, payment.id, total, {
    processorPaymentRef: paymentIntent,
    source: `refund ${refundId}`,
    reason,
  });
  return { ...outcome, refundId, refundedMinor: amount };
}

/** The PaymentIntent of a Checkout Session (a one-off payment) or of an invoice (a plan's period). */
async function paymentIntentOf(stripe: NonNullable<PaymentDeps['stripe']>, ref: string | null): Promise<string | null> {
  if (!ref) return null;
  if (ref.startsWith('cs_')) return (await stripe.retrieveCheckoutSession(ref))?.paymentIntent ?? null;
  if (ref.startsWith('in_')) return (await stripe.retrieveInvoice(ref))?.paymentIntents[0] ?? null;
  return null;
}
