import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, jsonb, pgTable, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** Credits are integers; JavaScript numbers are exact far beyond any balance we hold (2^53). */
const credits = (name: string) => bigint(name, { mode: 'number' });

export const LEDGER_ACCOUNT_KINDS = ['wallet', 'system'] as const;
export const SYSTEM_ACCOUNTS = [
  'grants',
  'purchases',
  'order_revenue',
  'refunds',
  'forfeits',
  'chargebacks',
  // Demo credits (the sandbox's play money) live in a ledger of their own: they come from
  // `demo_grants`, pay sandbox orders into `demo_revenue`, and are voided into `demo_voids`.
  'demo_grants',
  'demo_revenue',
  'demo_voids',
] as const;
export type SystemAccount = (typeof SYSTEM_ACCOUNTS)[number];
/** The system accounts of demo credits: a demo wallet's transfers go to and come from these only. */
export const DEMO_SYSTEM_ACCOUNTS = ['demo_grants', 'demo_revenue', 'demo_voids'] as const satisfies readonly SystemAccount[];
/**
 * A customer has up to two wallets ("purses"): `credits`, bought or granted, which buy any number, and
 * `demo`, the sandbox's play money, which buys sandbox numbers only and is voided when the sandbox
 * stops selling.
 */
export const PURSES = ['credits', 'demo'] as const;
export type Purse = (typeof PURSES)[number];
/**
 * Each system account is kept as this many stripes (ADR 12): a customer's transfers go to the stripe
 * its id hashes to, so concurrent orders of different customers do not queue on one row lock.
 */
export const SYSTEM_STRIPES = 32;

/**
 * Ledger accounts: one wallet per customer, and the system accounts money comes from and goes to.
 * `posted` and `pending` cache the sums of the account's entries (signed: credits positive). A wallet's
 * available balance is posted + pending (pending ≤ 0: its open holds); the database refuses a negative
 * one unless the wallet is `in_debt` (only a chargeback can put it there).
 */
export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: LEDGER_ACCOUNT_KINDS }).notNull(),
    code: text('code', { enum: SYSTEM_ACCOUNTS }),
    /** Which stripe of its system account this row is (0 for wallets). */
    stripe: smallint('stripe').notNull().default(0),
    ownerAccountId: text('owner_account_id').references(() => accounts.id),
    /** Which of the customer's wallets this is (null for system accounts). */
    purse: text('purse', { enum: PURSES }),
    posted: credits('posted').notNull().default(0),
    pending: credits('pending').notNull().default(0),
    inDebt: boolean('in_debt').notNull().default(false),
    restrictedAt: ts('restricted_at'),
    /**
     * Set while staff hold the wallet (`restrictAsStaff`): it is then restricted whatever payments say, and
     * only an admin lifts it. `restricted_at` is the restriction in force, from either cause.
     */
    staffHeldAt: ts('staff_held_at'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('ledger_accounts_owner_key').on(t.ownerAccountId, t.purse),
    uniqueIndex('ledger_accounts_code_key').on(t.code, t.stripe),
    check(
      'ledger_accounts_kind_shape',
      sql`(${t.kind} = 'wallet') = (${t.ownerAccountId} is not null) and (${t.kind} = 'system') = (${t.code} is not null)
          and (${t.kind} = 'wallet') = (${t.purse} is not null)`,
    ),
    check('ledger_accounts_wallet_not_negative', sql`${t.kind} = 'system' or ${t.inDebt} or ${t.posted} + ${t.pending} >= 0`),
    check('ledger_accounts_stripe_range', sql`${t.stripe} >= 0 and ${t.stripe} < ${sql.raw(String(SYSTEM_STRIPES))}`),
    check('ledger_accounts_wallet_pending_is_holds', sql`${t.kind} = 'system' or ${t.pending} <= 0`),
    check('ledger_accounts_staff_hold_restricts', sql`${t.staffHeldAt} is null or ${t.restrictedAt} is not null`),
  ],
);

export const TRANSFER_KINDS = [
  'grant',
  'purchase',
  'hold',
  'capture',
  'release',
  'refund',
  'chargeback',
  'forfeit',
  'reversal',
  /** Demo credits removed because the sandbox stopped selling. */
  'void',
] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/**
 * Transfers are immutable and balanced. A hold is a `pending` transfer; exactly one later `capture`
 * or `release` resolves it (the unique index on `pending_id`). `idempotency_key` is chosen by the
 * caller: repeating a transfer returns the original. Corrections are new transfers (`reversal`).
 */
export const ledgerTransfers = pgTable(
  'ledger_transfers',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    kind: text('kind', { enum: TRANSFER_KINDS }).notNull(),
    phase: text('phase', { enum: ['pending', 'posted'] }).notNull(),
    amount: credits('amount').notNull(),
    debitAccountId: text('debit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    creditAccountId: text('credit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    /** For a capture or release: the hold it resolves. For a reversal: the transfer it reverses. */
    pendingId: text('pending_id'),
    reversesId: text('reverses_id'),
    /** A hold still open after this is overdue (`ledger verify` reports it). */
    holdExpiresAt: ts('hold_expires_at'),
    /** What happened, in plain words, for statements. */
    reason: text('reason').notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    actor: text('actor'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('ledger_transfers_idempotency_key').on(t.idempotencyKey),
    // Partial: most transfers resolve or reverse nothing, and every index entry costs each insert.
    uniqueIndex('ledger_transfers_resolves_once').on(t.pendingId).where(sql`${t.pendingId} is not null`),
    uniqueIndex('ledger_transfers_reversed_once').on(t.reversesId).where(sql`${t.reversesId} is not null`),
    index('ledger_transfers_debit_idx').on(t.debitAccountId, t.createdAt),
    check('ledger_transfers_amount_positive', sql`${t.amount} > 0`),
    check('ledger_transfers_two_accounts', sql`${t.debitAccountId} <> ${t.creditAccountId}`),
    check('ledger_transfers_phase', sql`(${t.phase} = 'pending') = (${t.kind} = 'hold')`),
  ],
);

/**
 * One row per change to one account: signed amount, phase, and the account's balances after it
 * (for statements and for checking the chain). `id` is a sequence, so entries of an account — written
 * under its row lock — are numbered in the order they happened.
 */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // No foreign keys here, deliberately (ADR 12): entries are written only by the transfer statement,
    // which inserts the transfer and locks and updates the accounts they name in the same statement; a
    // key-share check on rows the statement just updated costs a MultiXact per entry and halved the
    // ledger's throughput. Ledger accounts cannot be deleted (trigger) and `ledger verify` checks that
    // every entry belongs to its transfer's accounts.
    transferId: text('transfer_id').notNull(),
    accountId: text('account_id').notNull(),
    phase: text('phase', { enum: ['pending', 'posted'] }).notNull(),
    amount: credits('amount').notNull(),
    postedAfter: credits('posted_after').notNull(),
    pendingAfter: credits('pending_after').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('ledger_entries_account_idx').on(t.accountId, t.id), check('ledger_entries_amount_nonzero', sql`${t.amount} <> 0`)],
);

/** What operators and staff did (credits granted, and later refunds and settings), with who and why. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    accountId: text('account_id').references(() => accounts.id),
    details: jsonb('details').$type<Record<string, unknown>>(),
    occurredAt: ts('occurred_at').notNull(),
  },
  (t) => [index('audit_log_account_idx').on(t.accountId, t.occurredAt), index('audit_log_occurred_idx').on(t.occurredAt)],
);
