import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { poolNumbers } from './pool.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const RENTAL_STATUSES = ['active', 'ended', 'cancelled'] as const;
export type RentalStatus = (typeof RENTAL_STATUSES)[number];
/** `held` until the period is settled: `captured` (in full or in part, `charged` says) or `released`. */
export const RENTAL_PERIOD_STATUSES = ['held', 'captured', 'released'] as const;
export type RentalPeriodStatus = (typeof RENTAL_PERIOD_STATUSES)[number];
/** Why a rental ended. */
/** `account_held`: not renewed because the account was suspended or its processing restricted (at the customer's request). */
export const RENTAL_END_REASONS = ['expired', 'cancelled', 'insufficient_credits', 'erasure', 'account_held'] as const;
export type RentalEndReason = (typeof RENTAL_END_REASONS)[number];

/**
 * A pool number's rental rate (ADR 42): what one day of renting it costs the operator's customers
 * before the pool provider's markup, in micro-units of USD like `pool_numbers.cost`. A number without
 * a rate is never rented.
 */
export const poolRentalRates = pgTable(
  'pool_rental_rates',
  {
    numberId: text('number_id')
      .primaryKey()
      .references(() => poolNumbers.id),
    perDay: bigint('per_day', { mode: 'number' }).notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [check('pool_rental_rates_positive', sql`${t.perDay} > 0`)],
);

/**
 * A long-term rental of a pool number (issue 20, P5): the number held for the customer for days or
 * weeks, every SMS to it shown, paid per period (rental_periods), at most 183 days from its start.
 */
export const rentals = pgTable(
  'rentals',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /**
     * The pool lease (kind `rental`) that holds the number. Not a foreign key (like an order's
     * upstream id): the lease is kept longer (RETENTION_NUMBER_HISTORY_DAYS) than the rental.
     */
    leaseId: text('lease_id').notNull(),
    /** The number, sealed under the account's key (ADR 28). */
    phone: text('phone'),
    /** Keyed hash of the number, for staff to find the rental by it (as activations.phone_hash). */
    phoneHash: text('phone_hash').notNull(),
    country: text('country').notNull(),
    /** The services the customer declared (checked against the number's), or null. */
    services: text('services').array(),
    /** Credits per day, fixed when the rental started (renewals pay the same). */
    dayPrice: bigint('day_price', { mode: 'number' }).notNull(),
    status: text('status', { enum: RENTAL_STATUSES }).notNull().default('active'),
    startedAt: ts('started_at').notNull(),
    /** The end of the last period paid for (held or captured). */
    endsAt: ts('ends_at').notNull(),
    autoRenew: boolean('auto_renew').notNull().default(false),
    /** The last period's number (rental_periods.seq). */
    periods: integer('periods').notNull().default(1),
    /** The request's Idempotency-Key and a hash of its body. */
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    endedAt: ts('ended_at'),
    endReason: text('end_reason', { enum: RENTAL_END_REASONS }),
  },
  (t) => [
    index('rentals_account_idx').on(t.accountId, t.id),
    uniqueIndex('rentals_lease_key').on(t.leaseId),
    uniqueIndex('rentals_idempotency_key').on(t.accountId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    index('rentals_due_idx').on(t.endsAt).where(sql`${t.status} = 'active'`),
    index('rentals_phone_hash_idx').on(t.phoneHash),
    index('rentals_ended_idx').on(t.endedAt),
    check('rentals_day_price_positive', sql`${t.dayPrice} > 0`),
    check('rentals_ended', sql`(${t.status} = 'active') = (${t.endedAt} is null)`),
  ],
);

/** One paid period of a rental: its price held at its start, captured at its end (or released). */
export const rentalPeriods = pgTable(
  'rental_periods',
  {
    id: text('id').primaryKey(),
    rentalId: text('rental_id')
      .notNull()
      .references(() => rentals.id, { onDelete: 'cascade' }),
    /** 1, 2, 3, … within the rental. */
    seq: integer('seq').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    days: integer('days').notNull(),
    price: bigint('price', { mode: 'number' }).notNull(),
    holdId: text('hold_id').notNull(),
    status: text('status', { enum: RENTAL_PERIOD_STATUSES }).notNull().default('held'),
    /** Credits captured when settled (the price, part of it on an early cancel, or 0 when released). */
    charged: bigint('charged', { mode: 'number' }),
    settledAt: ts('settled_at'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('rental_periods_seq_key').on(t.rentalId, t.seq),
    index('rental_periods_due_idx').on(t.endsAt).where(sql`${t.status} = 'held'`),
    check('rental_periods_price_positive', sql`${t.price} > 0 and ${t.days} between 1 and 183`),
  ],
);

/** Every SMS that reached a rented number: shown to the renter only (P4), deduplicated. */
export const rentalSms = pgTable(
  'rental_sms',
  {
    id: text('id').primaryKey(),
    rentalId: text('rental_id')
      .notNull()
      .references(() => rentals.id, { onDelete: 'cascade' }),
    /** The channel's message id, or a hash of sender, time and text. */
    dedupeKey: text('dedupe_key').notNull(),
    code: text('code'),
    /** Sealed under the account's key; null with SMS_STORAGE=ephemeral. */
    text: text('text'),
    /** Sealed under the account's key. */
    sender: text('sender'),
    /** Arrived after the rental ended (within the cooling time): shown, nothing else. */
    late: boolean('late').notNull().default(false),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [uniqueIndex('rental_sms_dedupe_key').on(t.rentalId, t.dedupeKey), index('rental_sms_received_idx').on(t.receivedAt)],
);
