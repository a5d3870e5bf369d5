import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
// The state table imports nothing; its index would make a cycle (schema → payments → schema).
import { DISPUTE_STATES, PAYMENT_STATUSES } from '../../modules/payments/states.ts';
import { accounts } from './accounts.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** Money and credits are integers in the smallest unit (cents, satoshis, credits). */
const whole = (name: string) => bigint(name, { mode: 'number' });

export const PACKAGE_INTERVALS = ['month', 'year'] as const;
export type PackageInterval = (typeof PACKAGE_INTERVALS)[number];

/**
 * What customers can buy: a pack of credits for a price, or (with an interval) a plan that grants its
 * credits every period. Never edited once sold (payments point at it): the operator disables one and
 * adds another.
 */
export const creditPackages = pgTable(
  'credit_packages',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    credits: whole('credits').notNull(),
    /** In the currency's minor unit (cents for USD, yen for JPY). */
    priceMinor: whole('price_minor').notNull(),
    /** ISO 4217, upper case. */
    currency: text('currency').notNull(),
    interval: text('interval', { enum: PACKAGE_INTERVALS }),
    /** The App Store / Google Play product id (through RevenueCat) that buys this package. */
    storeProductId: text('store_product_id'),
    active: boolean('active').notNull().default(true),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('credit_packages_code_key').on(t.code),
    uniqueIndex('credit_packages_store_product_key').on(t.storeProductId).where(sql`${t.storeProductId} is not null`),
    check('credit_packages_credits_positive', sql`${t.credits} > 0`),
    check('credit_packages_price_positive', sql`${t.priceMinor} > 0`),
    check('credit_packages_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

export const PAYMENT_METHODS = ['card', 'bitcoin', 'app_store', 'play_store'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_PROCESSORS = ['stripe', 'blockonomics', 'revenuecat'] as const;
export type PaymentProcessor = (typeof PAYMENT_PROCESSORS)[number];

/**
 * One row per payment (P8): what was bought, for how much, its status and the processor's references
 * — never card, bank or wallet data. The facts the processor reported are kept as they arrived
 * (`paid_at`, `failed_at`, `refunded_minor`, `dispute_status`), and `status` follows from them
 * (modules/payments/states.ts), so facts arriving in any order end in the same row. Credits move
 * in the ledger under keys derived from (processor, processor_ref): a payment credits at most once.
 */
export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    packageId: text('package_id')
      .notNull()
      .references(() => creditPackages.id),
    method: text('method', { enum: PAYMENT_METHODS }).notNull(),
    processor: text('processor', { enum: PAYMENT_PROCESSORS }).notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    credits: whole('credits').notNull(),
    amountMinor: whole('amount_minor').notNull(),
    currency: text('currency').notNull(),
    /**
     * The processor's id of what was paid: a Checkout Session (`cs_…`) or a subscription's invoice
     * (`in_…`) at Stripe. Null only between the row and the processor's answer.
     */
    processorRef: text('processor_ref'),
    /** The processor's id of the money movement that refunds and disputes name (a PaymentIntent, `pi_…`). */
    processorPaymentRef: text('processor_payment_ref'),
    /** The subscription this payment belongs to (its first period, or a renewal). */
    subscriptionId: text('subscription_id'),
    /** Where the customer pays (a Checkout page); kept to answer a retried request the same way. */
    checkoutUrl: text('checkout_url'),
    /** The customer's `Idempotency-Key` for the checkout, and a hash of the request it came with. */
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    pendingAt: ts('pending_at'),
    paidAt: ts('paid_at'),
    failedAt: ts('failed_at'),
    /** Why it failed, in plain words (expired, declined); never the processor's card details. */
    failureReason: text('failure_reason'),
    /** How much of the amount the processor says it refunded (cumulative). */
    refundedMinor: whole('refunded_minor').notNull().default(0),
    refundedAt: ts('refunded_at'),
    disputeStatus: text('dispute_status', { enum: DISPUTE_STATES }).notNull().default('none'),
    disputedAt: ts('disputed_at'),
    /** Credits taken back so far (refunds, a lost dispute): the ledger's reversals of this payment add up to it. */
    creditsReversed: whole('credits_reversed').notNull().default(0),
    /**
     * When otpbox last read an unfinished payment back from its processor on its own (a webhook that
     * never came, a customer back from the payment page): the reconciler spaces its reads by it.
     */
    checkedAt: ts('checked_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('payments_processor_ref_key').on(t.processor, t.processorRef).where(sql`${t.processorRef} is not null`),
    uniqueIndex('payments_processor_payment_ref_key')
      .on(t.processor, t.processorPaymentRef)
      .where(sql`${t.processorPaymentRef} is not null`),
    uniqueIndex('payments_idempotency_key').on(t.accountId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    index('payments_account_idx').on(t.accountId, t.id),
    index('payments_open_disputes_idx').on(t.accountId).where(sql`${t.disputeStatus} = 'open'`),
    index('payments_unfinished_idx').on(t.processor, t.createdAt).where(sql`${t.status} in ('created', 'pending')`),
    check('payments_credits_positive', sql`${t.credits} > 0`),
    check('payments_amount_not_negative', sql`${t.amountMinor} >= 0`),
    check('payments_reversed_range', sql`${t.creditsReversed} between 0 and ${t.credits}`),
    check('payments_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

/**
 * Webhook events already handled, by the processor's event id: a repeated delivery is answered at once.
 * Recorded in the transaction that applies the event, so an event that failed half-way is not.
 */
export const processedWebhookEvents = pgTable(
  'processed_webhook_events',
  {
    processor: text('processor', { enum: PAYMENT_PROCESSORS }).notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    /** The payment it concerned, if any (null: an event about something otpbox never created). */
    paymentId: text('payment_id'),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.processor, t.eventId] }), index('processed_webhook_events_received_idx').on(t.receivedAt)],
);

export const SUBSCRIPTION_STATUSES = ['incomplete', 'active', 'past_due', 'paused', 'cancelled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** A plan a customer subscribed to, as its processor last described it. Each paid period is a payment. */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    packageId: text('package_id')
      .notNull()
      .references(() => creditPackages.id),
    processor: text('processor', { enum: PAYMENT_PROCESSORS }).notNull(),
    /** The processor's subscription id (`sub_…`). */
    processorRef: text('processor_ref').notNull(),
    /** The processor's customer id (`cus_…`), for its customer portal. */
    processorCustomerRef: text('processor_customer_ref'),
    /** The payment of its first period (the checkout that started it). */
    firstPaymentId: text('first_payment_id'),
    status: text('status', { enum: SUBSCRIPTION_STATUSES }).notNull(),
    currentPeriodEnd: ts('current_period_end'),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    /**
     * When the processor said what `status` and `cancel_at_period_end` hold (its event's time): a
     * processor whose events arrive out of order (RevenueCat) only lets a later statement replace them.
     */
    statusAsOf: ts('status_as_of'),
    renewalAsOf: ts('renewal_as_of'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('subscriptions_processor_ref_key').on(t.processor, t.processorRef),
    index('subscriptions_account_idx').on(t.accountId),
  ],
);
