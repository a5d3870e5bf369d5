import { bigint, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A staff account's second factor (ADR 31): the TOTP secret (RFC 6238), sealed with a key derived
 * from SECRET_KEY for this purpose only and bound to the account, and the last time step accepted,
 * so that a code is never accepted twice (replay).
 */
export const staffFactors = pgTable('staff_factors', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  /** `v1.` + AES-256-GCM (lib/sealed.ts, purpose `staff-totp`), bound to the account id. */
  totpSecret: text('totp_secret').notNull(),
  /** The RFC 6238 time step of the last code accepted; codes of this step or earlier are refused. */
  lastTimeStep: bigint('last_time_step', { mode: 'number' }).notNull(),
  enrolledAt: ts('enrolled_at').notNull(),
});

/** Ten single-use recovery codes per enrolment, shown once, stored as keyed hashes. */
export const staffRecoveryCodes = pgTable(
  'staff_recovery_codes',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /** HMAC-SHA256 (key derived from SECRET_KEY, purpose `recovery-code-hmac`) of the normalised code. */
    codeHash: text('code_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('staff_recovery_codes_hash_key').on(t.codeHash), index('staff_recovery_codes_account_idx').on(t.accountId)],
);

/**
 * One-time enrolment links (`/admin/enrol#token=…`, 24 h, single-use): the token only as SHA-256;
 * the TOTP secret the link offers, sealed like `staff_factors.totp_secret`, until it is confirmed.
 */
export const staffEnrolments = pgTable(
  'staff_enrolments',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    tokenHash: text('token_hash').notNull(),
    totpSecret: text('totp_secret').notNull(),
    /** Who issued the link (`cli`, or a staff account id). */
    issuedBy: text('issued_by').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('staff_enrolments_token_hash_key').on(t.tokenHash), index('staff_enrolments_account_idx').on(t.accountId)],
);

/**
 * A staff sign-in whose password was right and whose second factor is still to come (5 minutes):
 * the browser holds the token in a cookie; only its SHA-256 is stored.
 */
export const staffSignInChallenges = pgTable(
  'staff_sign_in_challenges',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    tokenHash: text('token_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [
    uniqueIndex('staff_sign_in_challenges_token_hash_key').on(t.tokenHash),
    index('staff_sign_in_challenges_account_idx').on(t.accountId),
  ],
);
