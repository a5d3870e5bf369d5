/**
 * What otpbox asks of Stripe, in its own words: the adapter (adapter.ts) speaks the SDK, the payments
 * module speaks this. Objects come back narrowed to the fields otpbox decides on — ids, statuses,
 * amounts, our own metadata — so nothing else (customer details, card brands) travels further.
 */

export interface CheckoutRequest {
  /** Our payment id: the session's `client_reference_id` and `metadata.otpbox_payment`. */
  paymentId: string;
  mode: 'payment' | 'subscription';
  /** Lower-case ISO 4217 is Stripe's; we pass upper case and the adapter lowers it. */
  currency: string;
  amountMinor: number;
  /** What the customer sees on the payment page. */
  productName: string;
  interval?: 'month' | 'year';
  successUrl: string;
  cancelUrl: string;
  /** Sent as Stripe's `Idempotency-Key`: the same key gets the same session. */
  idempotencyKey: string;
}

export interface CheckoutSession {
  id: string;
  /** `payment`, `subscription` or `setup`. */
  mode: string;
  /** `open`, `complete` or `expired`. */
  status: string | null;
  /** `paid`, `unpaid` or `no_payment_required`. */
  paymentStatus: string;
  url: string | null;
  clientReferenceId: string | null;
  /** `metadata.otpbox_payment`. */
  otpboxPayment: string | null;
  amountTotal: number | null;
  /** Upper case. */
  currency: string | null;
  paymentIntent: string | null;
  subscription: string | null;
  customer: string | null;
}

export interface Invoice {
  id: string;
  /** `draft`, `open`, `paid`, `uncollectible`, `void`. */
  status: string | null;
  /** `subscription_create`, `subscription_cycle`, `subscription_update`, `manual`, … */
  billingReason: string | null;
  amountPaid: number;
  currency: string;
  subscription: string | null;
  customer: string | null;
  /** The PaymentIntents that paid it (its invoice payments). */
  paymentIntents: string[];
}

export interface Subscription {
  id: string;
  /** Stripe's: `active`, `trialing`, `past_due`, `unpaid`, `canceled`, `incomplete`, `incomplete_expired`, `paused`. */
  status: string;
  customer: string | null;
  /** `metadata.otpbox_payment`: the checkout payment that started it. */
  otpboxPayment: string | null;
  /** The end of the current period (of its first item), if Stripe says. */
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
}

export interface Refund {
  id: string;
  /** `pending`, `requires_action`, `succeeded`, `failed`, `canceled`. */
  status: string | null;
  amount: number;
}

/** A verified event: what it is about, as the event says (the object is read again before anyone trusts it). */
export interface StripeEvent {
  id: string;
  type: string;
  /** The event's object, as delivered. */
  object: Record<string, unknown>;
}

/** Stripe could not be asked (network, outage, 5xx, rate limit): nothing is known; try again later. */
export class StripeUnavailable extends Error {
  override name = 'StripeUnavailable';
}

/** Stripe refused the request (4xx): asking again the same way will not help. */
export class StripeRefused extends Error {
  override name = 'StripeRefused';
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The signature did not verify (wrong secret, altered body, too old). */
export class StripeSignatureInvalid extends Error {
  override name = 'StripeSignatureInvalid';
}

/** A body whose signature verifies but which is not a Stripe event (not JSON, or without id, type and data.object). */
export class StripeEventMalformed extends Error {
  override name = 'StripeEventMalformed';
}

export interface StripePort {
  createCheckoutSession(request: CheckoutRequest): Promise<CheckoutSession>;
  retrieveCheckoutSession(id: string): Promise<CheckoutSession | null>;
  /** The Checkout Session whose payment this PaymentIntent is (payment mode), if any. */
  checkoutSessionOfPaymentIntent(paymentIntent: string): Promise<string | null>;
  retrieveInvoice(id: string): Promise<Invoice | null>;
  /** The invoice this PaymentIntent paid (subscriptions), if any. */
  invoiceOfPaymentIntent(paymentIntent: string): Promise<string | null>;
  retrieveSubscription(id: string): Promise<Subscription | null>;
  /** Expire an open Checkout Session: its page no longer takes a payment. A session not open is refused (4xx). */
  expireCheckoutSession(id: string): Promise<CheckoutSession>;
  /**
   * Cancel a subscription at once: no further renewal; the period paid is not refunded (no proration).
   * One already cancelled is refused (4xx).
   */
  cancelSubscription(id: string, idempotencyKey: string): Promise<Subscription>;
  /** Refund a payment in full. */
  /** Refund `amount` (minor units) of the payment, or all that is left of it when no amount is given. */
  refund(input: { paymentIntent: string; amount?: number; idempotencyKey: string; metadata: Record<string, string> }): Promise<Refund>;
  /** A Customer Portal session where the customer manages (cancels) a card subscription. */
  createPortalSession(input: { customer: string; returnUrl: string }): Promise<{ url: string }>;
  /**
   * Verify `Stripe-Signature` over the raw body with the endpoint secret (the SDK's constructEvent),
   * at `receivedAt`; throws StripeSignatureInvalid.
   */
  verifyEvent(rawBody: Buffer | string, signature: string | undefined, receivedAt: Date): StripeEvent;
}
