import type { PurchaseSubject, RevenueCatEnvironment, RevenueCatFact, StoreAmount } from './facts.ts';
import { parseRevenueCatWebhook, type RevenueCatEvent } from './schema.ts';

export type FactReading = { ok: true; fact: RevenueCatFact } | { ok: false; message: string };

/** Event types that carry nothing for otpbox today, and why (RevenueCat docs, "Event Types and Fields"). */
const IGNORED: Readonly<Record<string, string>> = {
  SUBSCRIPTION_PAUSED: 'a Google Play pause takes effect at the end of the period; the EXPIRATION that follows ends the plan',
  SUBSCRIPTION_EXTENDED: 'the store pushed the period end back without a payment; no credits are due',
  TEMPORARY_ENTITLEMENT_GRANT: 'RevenueCat could not yet validate the purchase with the store; the INITIAL_PURCHASE that follows credits',
  REFUND_REVERSED: 'refund reversals are not handled automatically; an operator can grant the credits again',
  INVOICE_ISSUANCE: 'an invoice is not a payment',
  VIRTUAL_CURRENCY_TRANSACTION: "RevenueCat's virtual currencies are not otpbox credits",
  EXPERIMENT_ENROLLMENT: 'not about a payment',
  SUBSCRIBER_ALIAS: 'not about a payment',
};

const ANONYMOUS_ID = '$RCAnonymousID:';

/** Parse a webhook body and turn its event into a fact. */
export function readRevenueCatWebhook(body: unknown): FactReading {
  const parsed = parseRevenueCatWebhook(body);
  if (!parsed.ok) return parsed;
  return normaliseRevenueCatEvent(parsed.body.event);
}

/**
 * One event → one fact. Types otpbox has nothing to do with, and unknown types, become `ignored` with
 * the reason (RevenueCat retries anything but HTTP 200, so they must be acknowledged, not refused).
 * An event of a handled type that lacks what its fact needs is an error naming the field.
 */
export function normaliseRevenueCatEvent(event: RevenueCatEvent): FactReading {
  const { id: eventId, type } = event;
  if (type === 'TEST') return fact({ kind: 'test', eventId, type });
  const ignoredBecause = IGNORED[type];
  if (ignoredBecause) return fact({ kind: 'ignored', eventId, type, reason: `${type}: ${ignoredBecause}.` });
  if (!HANDLED.has(type)) return fact({ kind: 'ignored', eventId, type, reason: `${type}: an event type otpbox does not know.` });

  const missing = (field: string) => ({ ok: false as const, message: `RevenueCat ${type} event ${eventId} has no ${field}.` });
  const environment = environmentOf(event.environment);
  if (!environment) {
    return {
      ok: false,
      message: `RevenueCat ${type} event ${eventId}: environment must be PRODUCTION or SANDBOX, not ${JSON.stringify(event.environment ?? null)}.`,
    };
  }
  const base = { eventId, type, environment, store: event.store ?? null, eventAt: date(event.event_timestamp_ms) };

  if (type === 'TRANSFER') {
    const from = unique(event.transferred_from ?? []);
    const to = unique(event.transferred_to ?? []);
    if (from.length === 0) return missing('transferred_from');
    if (to.length === 0) return missing('transferred_to');
    return fact({ ...base, kind: 'transfer', from, to });
  }

  if (!event.product_id) return missing('product_id');
  if (event.transaction_id == null) return missing('transaction_id');
  const subject: PurchaseSubject = {
    appUserIds: unique([event.app_user_id, event.original_app_user_id, ...(event.aliases ?? [])]).filter(
      (userId) => !userId.startsWith(ANONYMOUS_ID),
    ),
    product: event.product_id,
    productIds: unique([event.product_id, event.product_id.split(':')[0]]),
    reference: event.transaction_id,
    originalReference: event.original_transaction_id ?? event.transaction_id,
  };
  const periodEndsAt = date(event.expiration_at_ms);

  switch (type) {
    case 'INITIAL_PURCHASE':
    case 'RENEWAL':
    case 'NON_RENEWING_PURCHASE': {
      const unpaid = unpaidBecause(event);
      if (unpaid) return fact({ kind: 'ignored', eventId, type, reason: `${type}: ${unpaid}.` });
      const at = date(event.purchased_at_ms);
      if (!at) return missing('purchased_at_ms');
      const purchase = type === 'INITIAL_PURCHASE' ? 'initial' : type === 'RENEWAL' ? 'renewal' : 'one_time';
      return fact({ ...base, ...subject, kind: 'purchase', purchase, at, periodEndsAt, amount: amountOf(event) });
    }
    case 'CANCELLATION':
      if (isRefund(event))
        return fact({ ...base, ...subject, kind: 'refund', reason: event.cancel_reason ?? null, amount: amountOf(event) });
      return fact({ ...base, ...subject, kind: 'autoRenew', on: false, reason: event.cancel_reason ?? null, periodEndsAt });
    case 'UNCANCELLATION':
      return fact({ ...base, ...subject, kind: 'autoRenew', on: true, reason: null, periodEndsAt });
    case 'EXPIRATION':
      return fact({ ...base, ...subject, kind: 'expired', reason: event.expiration_reason ?? null, at: periodEndsAt });
    case 'BILLING_ISSUE':
      return fact({ ...base, ...subject, kind: 'billingIssue', gracePeriodEndsAt: date(event.grace_period_expiration_at_ms) });
    default:
      return fact({ ...base, ...subject, kind: 'productChange', newProduct: event.new_product_id ?? null });
  }
}

const HANDLED = new Set([
  'INITIAL_PURCHASE',
  'RENEWAL',
  'NON_RENEWING_PURCHASE',
  'CANCELLATION',
  'UNCANCELLATION',
  'EXPIRATION',
  'BILLING_ISSUE',
  'PRODUCT_CHANGE',
  'TRANSFER',
]);

/**
 * A CANCELLATION is a refund when RevenueCat says so (`cancel_reason: CUSTOMER_SUPPORT`: refunded by
 * Apple support, through RevenueCat for Play, by Amazon, or on the web), when the price is negative
 * (RevenueCat's sign for refunds), or when the purchase has no period end: a one-time purchase cannot
 * be unsubscribed from, so its cancellation can only be a refund. Any other reason only turns
 * auto-renewal off; the period already paid for stays paid.
 */
function isRefund(event: RevenueCatEvent): boolean {
  return event.cancel_reason === 'CUSTOMER_SUPPORT' || (event.price ?? 0) < 0 || event.expiration_at_ms == null;
}

/**
 * Purchases that are not paid for credit nothing: a free trial starting (its first paid period comes
 * as a RENEWAL with `is_trial_conversion`), and a promotional grant made in RevenueCat's dashboard
 * (an operator grants otpbox credits with `otpbox credits grant` instead).
 */
function unpaidBecause(event: RevenueCatEvent): string | null {
  if (event.period_type === 'TRIAL') return 'a free trial started; its first paid period arrives as a RENEWAL';
  if (event.store === 'PROMOTIONAL' || event.period_type === 'PROMOTIONAL') return 'a promotional grant made in RevenueCat, not a payment';
  return null;
}

function environmentOf(value: string | null | undefined): RevenueCatEnvironment | null {
  return value === 'PRODUCTION' || value === 'SANDBOX' ? value : null;
}

function amountOf(event: RevenueCatEvent): StoreAmount | null {
  const price = event.price_in_purchased_currency;
  const currency = event.currency;
  if (price == null || !currency || !Number.isFinite(price)) return null;
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  // toFixed rounds the double to the currency's digits; the digits are then read as an integer (no float multiply).
  const amountMinor = Number(Math.abs(price).toFixed(digits).replace('.', ''));
  return Number.isSafeInteger(amountMinor) ? { amountMinor, currency } : null;
}

function date(ms: number | null | undefined): Date | null {
  return ms == null ? null : new Date(ms);
}

function unique(values: readonly (string | null | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value.length > 0))];
}

function fact(value: RevenueCatFact): FactReading {
  return { ok: true, fact: value };
}
