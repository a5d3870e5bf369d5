import { createHash } from 'node:crypto';
import { and, eq, isNull, or } from 'drizzle-orm';
import { payments } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { StripeRefused, StripeUnavailable } from '../../payment-clients/stripe/port.ts';
import type { Ctx } from '../context.ts';
import { markPaymentFailed } from './apply-fact.ts';
import { createPayment } from './create-payment.ts';
import type { PaymentDeps } from './deps.ts';
import { packageOnSale } from './packages.ts';
import type { PaymentStatus } from './states.ts';

export interface CheckoutInput {
  accountId: string;
  packageCode: string;
  /** The request's `Idempotency-Key`: a repeat answers with the same payment and page. */
  idempotencyKey?: string;
}

export interface CardCheckoutAnswer {
  paymentId: string;
  status: PaymentStatus;
  url: string;
  /** The key was used before: this is the first request's payment. */
  replayed: boolean;
}

/** The customer's return page in the web app: it shows the payment as the server knows it, never trusting the redirect. */
export const returnPage = (publicUrl: string, paymentId: string) => `${publicUrl}/payments/${paymentId}`;

/**
 * Start paying for a package by card: a payment row (claiming the Idempotency-Key), then a Stripe
 * Checkout Session for it — `mode=payment`, or `subscription` for a plan — whose `client_reference_id`
 * is the payment, under Stripe's own Idempotency-Key derived from the payment (so a retry, ours or the
 * customer's, gets the same session). The customer pays on Stripe's page; the webhook credits.
 */
export async function startCheckout(ctx: Ctx, deps: PaymentDeps, input: CheckoutInput): Promise<CardCheckoutAnswer> {
  const stripe = deps.stripe;
  if (!stripe) throw new DomainError('PAYMENT_METHOD_UNAVAILABLE', 'Card payments are not available on this service.', { method: 'card' });
  const pkg = await packageOnSale(ctx.db, input.packageCode);
  const idempotency = input.idempotencyKey
    ? {
        key: input.idempotencyKey,
        requestHash: createHash('sha256')
          .update(JSON.stringify([pkg.code, 'card']))
          .digest('hex'),
      }
    : undefined;
  const { payment, created } = await createPayment(ctx, {
    customerCheckout: true,
    accountId: input.accountId,
    pkg,
    method: 'card',
    processor: 'stripe',
    idempotency,
  });
  if (!created && payment.checkoutUrl) return { paymentId: payment.id, status: payment.status, url: payment.checkoutUrl, replayed: true };

  const page = returnPage(ctx.config.publicUrl, payment.id);
  let session: Awaited<ReturnType<typeof stripe.createCheckoutSession>>;
  try {
    session = await stripe.createCheckoutSession({
      paymentId: payment.id,
      mode: pkg.interval ? 'subscription' : 'payment',
      currency: pkg.currency,
      amountMinor: pkg.priceMinor,
      productName: `${pkg.credits} credits${pkg.interval ? ` every ${pkg.interval}` : ''}`,
      interval: pkg.interval ?? undefined,
      successUrl: page,
      cancelUrl: `${page}?cancelled=1`,
      idempotencyKey: `otpbox-checkout-${payment.id}`,
    });
  } catch (error) {
    if (error instanceof StripeRefused && error.status === 409) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_IN_USE',
        'The first request with this Idempotency-Key is still in progress; retry in a moment.',
        {
          retryAfterSeconds: 1,
        },
      );
    }
    if (!(error instanceof StripeUnavailable || error instanceof StripeRefused)) throw error;
    ctx.log.error({ err: error, paymentId: payment.id }, 'Stripe did not open a Checkout Session');
    // Without a key nobody can resume this payment: it failed. With one, a retry asks Stripe again.
    if (!idempotency) await markPaymentFailed(ctx, payment.id, 'the payment page could not be opened');
    throw new DomainError(
      'PAYMENT_PROCESSOR_UNAVAILABLE',
      'The card payment page could not be opened; nothing was charged. Try again in a moment.',
      {
        retryAfterSeconds: 30,
      },
    );
  }
  if (!session.url) throw new Error(`Stripe answered Checkout Session ${session.id} without a url`);
  // The session is the payment's reference from now on; a retry that made the same session writes the same.
  const linked = await ctx.db
    .update(payments)
    .set({ processorRef: session.id, checkoutUrl: session.url, updatedAt: ctx.clock.now() })
    .where(and(eq(payments.id, payment.id), or(isNull(payments.processorRef), eq(payments.processorRef, session.id))))
    .returning({ status: payments.status });
  if (linked.length !== 1) throw new Error(`payment ${payment.id} is linked to another Checkout Session than ${session.id}`);
  return { paymentId: payment.id, status: linked[0]?.status ?? payment.status, url: session.url, replayed: !created };
}
