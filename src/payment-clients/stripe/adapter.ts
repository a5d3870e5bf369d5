import type Stripe from 'stripe';
import {
  type CheckoutRequest,
  type CheckoutSession,
  type Invoice,
  type Refund,
  type StripeEvent,
  StripeEventMalformed,
  type StripePort,
  StripeRefused,
  StripeSignatureInvalid,
  StripeUnavailable,
  type Subscription,
} from './port.ts';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Another server speaking Stripe's API (tests: a fake on 127.0.0.1); unset: api.stripe.com. */
  apiBase?: string;
  /** How long one request may take (default 10 s). */
  timeoutMs?: number;
}

/** Our own metadata key: the payment a session or subscription belongs to. */
export const PAYMENT_METADATA = 'otpbox_payment';

/** The SDK's error classes, once it is loaded (by the first adapter made). */
let errors: typeof Stripe.errors | undefined;

/**
 * The official SDK behind the port, pointed at STRIPE_API_BASE when set (host, port and protocol
 * options). The SDK is loaded here, not with this file: a fifth of a second that a server without
 * Stripe never pays (ADR 21).
 */
export async function stripeAdapter(settings: StripeSettings): Promise<StripePort> {
  const { default: StripeSdk } = await import('stripe');
  errors = StripeSdk.errors;
  const base = settings.apiBase ? new URL(settings.apiBase) : undefined;
  const stripe = new StripeSdk(settings.secretKey, {
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'http:' ? 80 : 443),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
    timeout: settings.timeoutMs ?? 10_000,
    // The SDK retries connection failures and 409/5xx answers (reusing its Idempotency-Key): once is enough
    // inside a webhook, which Stripe itself retries for days.
    maxNetworkRetries: 1,
    telemetry: false,
  });

  return {
    async createCheckoutSession(request: CheckoutRequest): Promise<CheckoutSession> {
      const metadata = { [PAYMENT_METADATA]: request.paymentId };
      const priceData = {
        currency: request.currency.toLowerCase(),
        unit_amount: request.amountMinor,
        product_data: { name: request.productName },
        ...(request.mode === 'subscription' && request.interval ? { recurring: { interval: request.interval } } : {}),
      };
      const session = await call(() =>
        stripe.checkout.sessions.create(
          {
            mode: request.mode,
            line_items: [{ quantity: 1, price_data: priceData }],
            client_reference_id: request.paymentId,
            metadata,
            success_url: request.successUrl,
            cancel_url: request.cancelUrl,
            ...(request.mode === 'subscription' ? { subscription_data: { metadata } } : { payment_intent_data: { metadata } }),
          },
          { idempotencyKey: request.idempotencyKey },
        ),
      );
      return narrowSession(session);
    },

    async retrieveCheckoutSession(id) {
      const session = await orNull(() => stripe.checkout.sessions.retrieve(id));
      return session ? narrowSession(session) : null;
    },

    async checkoutSessionOfPaymentIntent(paymentIntent) {
      const list = await call(() => stripe.checkout.sessions.list({ payment_intent: paymentIntent, limit: 1 }));
      return list.data[0]?.id ?? null;
    },

    async retrieveInvoice(id) {
      const invoice = await orNull(() => stripe.invoices.retrieve(id, { expand: ['payments'] }));
      return invoice ? narrowInvoice(invoice) : null;
    },

    async invoiceOfPaymentIntent(paymentIntent) {
      const list = await call(() =>
        stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: paymentIntent }, limit: 1 }),
      );
      const invoice = list.data[0]?.invoice;
      return typeof invoice === 'string' ? invoice : (invoice?.id ?? null);
    },

    async retrieveSubscription(id) {
      const subscription = await orNull(() => stripe.subscriptions.retrieve(id));
      return subscription ? narrowSubscription(subscription) : null;
    },

    async expireCheckoutSession(id) {
      return narrowSession(await call(() => stripe.checkout.sessions.expire(id)));
    },

    async cancelSubscription(id, idempotencyKey) {
      // `prorate: false` is Stripe's default for an immediate cancel; said here so that no change of default refunds a period.
      return narrowSubscription(await call(() => stripe.subscriptions.cancel(id, { prorate: false }, { idempotencyKey })));
    },

    async refund(input): Promise<Refund> {
      const refund = await call(() =>
        stripe.refunds.create(
          { payment_intent: input.paymentIntent, amount: input.amount, metadata: input.metadata },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return { id: refund.id, status: refund.status, amount: refund.amount };
    },

    async createPortalSession(input) {
      const session = await call(() => stripe.billingPortal.sessions.create({ customer: input.customer, return_url: input.returnUrl }));
      return { url: session.url };
    },

    verifyEvent(rawBody, signature, receivedAt): StripeEvent {
      if (!signature) throw new StripeSignatureInvalid('No Stripe-Signature header.');
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(
          rawBody,
          signature,
          settings.webhookSecret,
          undefined,
          undefined,
          // Milliseconds: this SDK divides by 1000 (stripe 23.2, Webhooks.js validateComputedSignature); the
          // adapter test's stale-signature case fails if a new version reads it otherwise.
          receivedAt.getTime(),
        );
      } catch (error) {
        // The SDK parses the body once the signature verified: a signed body that is not JSON is not a forgery.
        if (error instanceof SyntaxError) throw new StripeEventMalformed('it is not JSON');
        throw new StripeSignatureInvalid((error as Error).message);
      }
      const { id, type, data } = (event ?? {}) as Partial<Stripe.Event>;
      const object: unknown = data?.object;
      if (typeof id !== 'string' || typeof type !== 'string' || typeof object !== 'object' || object === null || Array.isArray(object))
        throw new StripeEventMalformed('it has no id, type and data.object');
      return { id, type, object: object as Record<string, unknown> };
    },
  };
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);

function narrowSession(session: Stripe.Checkout.Session): CheckoutSession {
  return {
    id: session.id,
    mode: session.mode,
    status: session.status,
    paymentStatus: session.payment_status,
    url: session.url,
    clientReferenceId: session.client_reference_id,
    otpboxPayment: session.metadata?.[PAYMENT_METADATA] ?? null,
    amountTotal: session.amount_total,
    currency: session.currency ? session.currency.toUpperCase() : null,
    paymentIntent: idOf(session.payment_intent),
    subscription: idOf(session.subscription),
    customer: idOf(session.customer),
  };
}

function narrowInvoice(invoice: Stripe.Invoice): Invoice {
  const subscription = invoice.parent?.subscription_details?.subscription;
  return {
    id: invoice.id ?? '',
    status: invoice.status,
    billingReason: invoice.billing_reason,
    amountPaid: invoice.amount_paid,
    currency: invoice.currency.toUpperCase(),
    subscription: idOf(subscription),
    customer: idOf(invoice.customer),
    paymentIntents: (invoice.payments?.data ?? []).map((p) => idOf(p.payment.payment_intent)).filter((id): id is string => id !== null),
  };
}

function narrowSubscription(subscription: Stripe.Subscription): Subscription {
  const end = subscription.items.data[0]?.current_period_end;
  return {
    id: subscription.id,
    status: subscription.status,
    customer: idOf(subscription.customer),
    otpboxPayment: subscription.metadata?.[PAYMENT_METADATA] ?? null,
    currentPeriodEnd: typeof end === 'number' ? new Date(end * 1000) : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
  };
}

/** A Stripe call, its failures in our words: unavailable (retry later) or refused (a 4xx). */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translate(error);
  }
}

/** A retrieve that answers null when Stripe has no such object. */
async function orNull<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (errors && error instanceof errors.StripeError && error.statusCode === 404) return null;
    throw translate(error);
  }
}

function translate(error: unknown): Error {
  if (!errors || !(error instanceof errors.StripeError)) return new StripeUnavailable(String((error as Error)?.message ?? error));
  const status = error.statusCode ?? 0;
  if (error instanceof errors.StripeConnectionError || error instanceof errors.StripeRateLimitError || status === 0 || status >= 500) {
    return new StripeUnavailable(`Stripe could not be reached or failed (${status || error.type}): ${error.message}`);
  }
  // A key used again with other parameters has no `code`: name it, so that callers can tell it apart.
  const code = error.code ?? (error instanceof errors.StripeIdempotencyError ? 'idempotency_error' : undefined);
  return new StripeRefused(`Stripe refused the request (${status}${code ? ` ${code}` : ''}): ${error.message}`, status, code);
}
