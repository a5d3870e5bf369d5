import { bigint, integer, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const count = (name: string) => integer(name).notNull().default(0);
const whole = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);

/**
 * The business figures of the console's overview (ADR 33), kept by triggers (migration 0021) in the
 * transaction of the change they count, per UTC hour. No row names an account: these are counts and
 * sums by provider, service, country, kind or payment method only.
 *
 * `stripe`: the writing connection's stripe (its backend pid modulo 8), so concurrent transactions
 * rarely wait on one another's row; readers add the stripes together, and the `stats-compaction` job
 * folds the stripes of past hours into stripe 0.
 */

/**
 * The columns of the time-to-code histogram: `ttc_0` … `ttc_15`, one per bucket of
 * modules/stats/histogram.ts (its test keeps the two counts equal).
 */
export const TTC_COLUMNS = Array.from({ length: 16 }, (_, i) => `ttc_${i}`);
const ttcColumns = Object.fromEntries(TTC_COLUMNS.map((name) => [name, count(name)])) as Record<string, ReturnType<typeof count>>;

/** Dimensions of order figures: each ended order counts once under each. */
export const ORDER_DIMENSIONS = ['provider', 'service', 'country'] as const;
export type OrderDimension = (typeof ORDER_DIMENSIONS)[number];

/**
 * Orders by the hour they ended (completed, cancelled, expired, failed), under each dimension. Money
 * counts orders sold for credits only (not sandbox orders): `revenue` the credits captured by
 * completed orders, `cost_micros` what their provider charged in `currency` (the provider's), and
 * `released` the credits given back by orders that ended without a code.
 */
export const statsOrders = pgTable(
  'stats_orders',
  {
    dimension: text('dimension', { enum: ORDER_DIMENSIONS }).notNull(),
    hour: ts('hour').notNull(),
    value: text('value').notNull(),
    /** The provider's currency of `cost_micros` ('' when none was recorded). */
    currency: text('currency').notNull(),
    stripe: smallint('stripe').notNull(),
    completed: count('completed'),
    cancelled: count('cancelled'),
    expired: count('expired'),
    failed: count('failed'),
    revenue: whole('revenue'),
    costMicros: whole('cost_micros'),
    released: whole('released'),
    ...ttcColumns,
  },
  (t) => [primaryKey({ columns: [t.dimension, t.hour, t.value, t.currency, t.stripe] })],
);

/** Accounts by the hour they were created and their kind (an upgraded device account moves to `email`). */
export const statsAccounts = pgTable(
  'stats_accounts',
  {
    hour: ts('hour').notNull(),
    kind: text('kind').notNull(),
    stripe: smallint('stripe').notNull(),
    created: count('created'),
  },
  (t) => [primaryKey({ columns: [t.hour, t.kind, t.stripe] })],
);

/**
 * Payments by the hour they were created, their method, their current status and currency: a
 * payment that changes status moves from one row to the other (its counts and amounts with it).
 */
export const statsPayments = pgTable(
  'stats_payments',
  {
    hour: ts('hour').notNull(),
    method: text('method').notNull(),
    status: text('status').notNull(),
    currency: text('currency').notNull(),
    stripe: smallint('stripe').notNull(),
    payments: count('payments'),
    amountMinor: whole('amount_minor'),
    credits: whole('credits'),
    refundedMinor: whole('refunded_minor'),
  },
  (t) => [primaryKey({ columns: [t.hour, t.method, t.status, t.currency, t.stripe] })],
);
