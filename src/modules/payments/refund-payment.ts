import { DomainError } from '../../lib/errors.ts';
import { StripeRefused } from '../../payment-clients/stripe/port.ts';
import type { Ctx } from '../context.ts';
import { type FactOutcome, recordPaymentRefund } from './apply-fact.ts';
import type { PaymentDeps } from './deps.ts';
import { paymentById } from './find-payments.ts';

/**
 * An operator refunds a card payment in full (`otpbox payments refund`): Stripe refunds the
 * PaymentIntent (under an Idempotency-Key of the payment: asking twice refunds once), and the credits
 * are taken back at once by the same fact `charge.refunded` states (ADR 23) — whichever comes first
 * takes them, the other finds nothing left to do. Spent credits leave the wallet in debt and restricted.
 */
export async function refundPayment(
  ctx: Ctx,
  deps: PaymentDeps,
  paymentId: string,
  reason: string,
): Promise<FactOutcome & { refundId: string }> {
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
  const stripe = deps.stripe;
  if (!stripe) throw new DomainError('PAYMENT_METHOD_UNAVAILABLE', 'Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).');
  const paymentIntent = payment.processorPaymentRef ?? (await paymentIntentOf(stripe, payment.processorRef));
  if (!paymentIntent)
    throw new DomainError('CONFLICT', `Stripe names no payment for ${paymentId} (${payment.processorRef}): nothing to refund.`);
  let refundId: string;
  try {
    const refund = await stripe.refund({
      paymentIntent,
      idempotencyKey: `otpbox-refund-${payment.id}`,
      metadata: { otpbox_payment: payment.id },
    });
    if (refund.status === 'failed' || refund.status === 'canceled')
      throw new DomainError('CONFLICT', `Stripe did not refund ${paymentId}: the refund is ${refund.status}.`);
    refundId = refund.id;
  } catch (error) {
    if (!(error instanceof StripeRefused && error.code === 'charge_already_refunded')) throw error;
    refundId = 'already refunded at Stripe';
  }
  const outcome = await recordPaymentRefund({ ...ctx, actor: ctx.actor ?? 'cli' }, payment.id, payment.amountMinor, {
    processorPaymentRef: paymentIntent,
    source: `refund ${refundId}`,
    reason,
  });
  return { ...outcome, refundId };
}

/** The PaymentIntent of a Checkout Session (a one-off payment) or of an invoice (a plan's period). */
async function paymentIntentOf(stripe: NonNullable<PaymentDeps['stripe']>, ref: string | null): Promise<string | null> {
  if (!ref) return null;
  if (ref.startsWith('cs_')) return (await stripe.retrieveCheckoutSession(ref))?.paymentIntent ?? null;
  if (ref.startsWith('in_')) return (await stripe.retrieveInvoice(ref))?.paymentIntents[0] ?? null;
  return null;
}
