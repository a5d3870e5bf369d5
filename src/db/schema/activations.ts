import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { ACTIVATION_STATUSES, OPEN_STATUSES, OPEN_WITH_NUMBER } from '../../modules/activations/states.ts';
import { accounts } from './accounts.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

// The statuses and which of them are open belong to the order state machine (ADR 18); the partial
// indexes below spell its sets in SQL, and a test keeps them (and migration 0010's trigger) equal to it.

/** `status in ('a', 'b')`: a set of statuses as SQL text, for index predicates (constant, never input). */
const statusIn = (statuses: readonly string[]) => sql.raw(statuses.map((status) => `'${status}'`).join(', '));

/** An order: a number rented for one service in one country, and what became of it. */
export const activations = pgTable(
  'activations',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    service: text('service').notNull(),
    country: text('country').notNull(),
    provider: text('provider').notNull(),
    upstreamId: text('upstream_id'),
    /** E.164 of the rented number (not the customer's). */
    phone: text('phone'),
    /** Keyed hash (HMAC-SHA256, key derived from SECRET_KEY) of the number's digits: staff find an order by its number (ADR 32). */
    phoneHash: text('phone_hash'),
    /** Credits charged when a code arrives. */
    price: bigint('price', { mode: 'number' }).notNull(),
    /** What the provider charges us, in its currency's micro-units, when it says. */
    providerCost: bigint('provider_cost', { mode: 'number' }),
    providerCurrency: text('provider_currency'),
    status: text('status', { enum: ACTIVATION_STATUSES }).notNull(),
    holdId: text('hold_id'),
    failureReason: text('failure_reason'),
    sandbox: boolean('sandbox').notNull().default(false),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    cancellableAt: ts('cancellable_at').notNull(),
    receivedAt: ts('received_at'),
    retryRequestedAt: ts('retry_requested_at'),
    endedAt: ts('ended_at'),
    /** When the poll job next asks the provider about this order; null: never (the sandbox pushes). */
    nextPollAt: ts('next_poll_at'),
    /** Polls since the last change, for the back-off. */
    pollAttempts: integer('poll_attempts').notNull().default(0),
  },
  (t) => [
    index('activations_account_idx').on(t.accountId, t.id),
    // The order limits read an account's orders of the last minute and hour by an index range that
    // stops at the limit (its open orders are counted in account_order_counts).
    index('activations_account_created_idx').on(t.accountId, t.createdAt),
    // Orders that may have bought a number we never recorded (a crash, a buy that timed out or came
    // back garbled): reconciliation looks for such numbers at the providers.
    index('activations_unsettled_idx').on(t.endedAt).where(sql`${t.failureReason} in ('interrupted', 'provider_unavailable')`),
    index('activations_poll_idx')
      .on(t.nextPollAt)
      .where(sql`${t.nextPollAt} is not null and ${t.status} in (${statusIn(OPEN_WITH_NUMBER)})`),
    // The expiry sweep reads only open orders by deadline.
    index('activations_open_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} in (${statusIn(OPEN_STATUSES)})`),
    index('activations_phone_hash_idx').on(t.phoneHash).where(sql`${t.phoneHash} is not null`),
    uniqueIndex('activations_upstream_key').on(t.provider, t.upstreamId).where(sql`${t.upstreamId} is not null`),
    check('activations_price_positive', sql`${t.price} > 0`),
  ],
);

/**
 * How many open orders (requesting, waiting, received) each account has, kept by a trigger on
 * `activations` (migration 0010) in the transaction of every insert, status change and delete: the
 * MAX_ACTIVE_ACTIVATIONS limit reads one row instead of counting the account's open orders on every
 * order — a count that grew with a reseller's raised limit.
 */
export const accountOrderCounts = pgTable(
  'account_order_counts',
  {
    accountId: text('account_id')
      .primaryKey()
      .references(() => accounts.id),
    open: integer('open').notNull().default(0),
    /**
     * The creation time of the account's most recently created order that was cancelled (migration
     * 0028, the same trigger): while it is older than the cancel throttle's hour, no order in that
     * window was cancelled, and placing an order does not read the window's orders at all.
     */
    lastCancelledOrderAt: ts('last_cancelled_order_at'),
  },
  (t) => [check('account_order_counts_open_not_negative', sql`${t.open} >= 0`)],
);

/**
 * The messages an order received. In `ephemeral` SMS storage the text is never written here (P4):
 * only that a message arrived, when, and its code.
 */
export const activationSms = pgTable(
  'activation_sms',
  {
    id: text('id').primaryKey(),
    activationId: text('activation_id')
      .notNull()
      .references(() => activations.id),
    /** One message, whatever the number of times the provider pushes or we poll it. */
    dedupeKey: text('dedupe_key').notNull(),
    code: text('code'),
    text: text('text'),
    /** Arrived after the order ended: shown, never charged. */
    late: boolean('late').notNull().default(false),
    receivedAt: ts('received_at').notNull(),
    source: text('source', { enum: ['sandbox', 'provider_push', 'provider_poll', 'gateway'] }).notNull(),
  },
  (t) => [uniqueIndex('activation_sms_dedupe_key').on(t.activationId, t.dedupeKey), index('activation_sms_received_idx').on(t.receivedAt)],
);

/** The audit trail of every order transition, written in the transition's own transaction. */
export const activationEvents = pgTable(
  'activation_events',
  {
    id: text('id').primaryKey(),
    activationId: text('activation_id')
      .notNull()
      .references(() => activations.id),
    type: text('type').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    /** `customer`, `system`, `provider`, or a staff account id. */
    actor: text('actor').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    occurredAt: ts('occurred_at').notNull(),
  },
  (t) => [index('activation_events_activation_idx').on(t.activationId, t.id), index('activation_events_occurred_idx').on(t.occurredAt)],
);

export const PROVIDER_ACTIONS = ['finish', 'cancel', 'retry'] as const;
export type ProviderAction = (typeof PROVIDER_ACTIONS)[number];

/**
 * What we must still tell the provider (finish, cancel, another SMS), written with the customer's
 * transition and retried by a job until the provider acknowledges it: the customer never waits on it.
 */
export const providerTasks = pgTable(
  'provider_tasks',
  {
    id: text('id').primaryKey(),
    activationId: text('activation_id')
      .notNull()
      .references(() => activations.id),
    provider: text('provider').notNull(),
    upstreamId: text('upstream_id').notNull(),
    action: text('action', { enum: PROVIDER_ACTIONS }).notNull(),
    status: text('status', { enum: ['pending', 'done', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    doneAt: ts('done_at'),
  },
  (t) => [
    index('provider_tasks_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('provider_tasks_created_idx').on(t.createdAt),
    // Deleting an order (retention, erasure) checks its foreign key here, once per order: without an
    // index, a read of every task (test: foreign-key-indexes).
    index('provider_tasks_activation_idx').on(t.activationId),
  ],
);

/**
 * Each account's live events, numbered, for the event stream (`Last-Event-ID` resumes from here) and
 * fanned out across instances with LISTEN/NOTIFY. Payloads carry ids and codes, never SMS text.
 */
export const accountEvents = pgTable(
  'account_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /**
     * The event's number within its account (1, 2, 3, …), given under the account's row in
     * `account_event_heads`, which the emitting transaction holds until it commits: an account's
     * events commit in the order of their numbers, with no gaps. Streams resume from it.
     */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('account_events_account_seq_key').on(t.accountId, t.seq), index('account_events_created_idx').on(t.createdAt)],
);

/** The number of the last event of each account (see `account_events.seq`). */
export const accountEventHeads = pgTable('account_event_heads', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  seq: bigint('seq', { mode: 'number' }).notNull(),
});

/** `Idempotency-Key` of order creation: the same key and body give the original response. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** The order this key placed: written with the order, in the statement that places it. */
    activationId: text('activation_id'),
    status: text('status', { enum: ['in_flight', 'done'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    /**
     * Which API worded the stored answer (`rest`, `sms-activate`, `sms-activate-v2`, `5sim`): it is replayed
     * to that API only; a retry through another words the order anew (null: stored before this column).
     */
    responseProtocol: text('response_protocol'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

export const PROVIDER_CALL_ACTIONS = ['buy', 'status', 'cancel', 'finish', 'retry'] as const;
export type ProviderCallAction = (typeof PROVIDER_CALL_ACTIONS)[number];

/**
 * What we asked an upstream provider about an order and what it answered (ADR 36): every buy, cancel,
 * finish and retry, and the status polls whose answer changed something or failed (an unchanged poll is
 * not recorded). The answer is a summary of the parsed reply with any number or code redacted.
 */
export const providerCalls = pgTable(
  'provider_calls',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // No foreign key, as ledger_entries (ADR 12): the purchase's calls are inserted by the statement that
    // updates the order, and a key-share check on the row it just updated would cost a MultiXact.
    activationId: text('activation_id').notNull(),
    provider: text('provider').notNull(),
    action: text('action', { enum: PROVIDER_CALL_ACTIONS }).notNull(),
    /** `ok`, or the failure's kind (`no_numbers`, `timeout`, …). */
    outcome: text('outcome').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** The answer, summarised, digits runs that could be a number or a code redacted; at most 300 characters. */
    answer: text('answer'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('provider_calls_activation_idx').on(t.activationId, t.id), index('provider_calls_created_idx').on(t.createdAt)],
);
