import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** The rights a customer can exercise (GDPR Art. 15–18, 20, 21 and 7(3)), as the public contract names them. */
export const PRIVACY_REQUEST_TYPES = [
  'access',
  'rectification',
  'erasure',
  'portability',
  'objection',
  'restriction',
  'withdraw_consent',
] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

/** See modules/privacy/requests/states.ts for the transitions between them. */
export const PRIVACY_REQUEST_STATUSES = ['unverified', 'open', 'in_progress', 'completed', 'refused', 'withdrawn'] as const;
export type PrivacyRequestStatus = (typeof PRIVACY_REQUEST_STATUSES)[number];

/**
 * A customer's rights request (P11). Filed signed in (verified at once) or through an e-mailed link
 * for someone who lost access (verified when the link is opened: only the SHA-256 of the link's token
 * is kept, and only until it is used). Due 30 days after it was received (`filed_at`).
 */
export const privacyRequests = pgTable(
  'privacy_requests',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    type: text('type', { enum: PRIVACY_REQUEST_TYPES }).notNull(),
    /** What the customer wrote (at most 2,000 characters). */
    details: text('details'),
    status: text('status', { enum: PRIVACY_REQUEST_STATUSES }).notNull(),
    filedAt: ts('filed_at').notNull(),
    verifiedAt: ts('verified_at'),
    dueAt: ts('due_at').notNull(),
    /** SHA-256 of the e-mailed link's token while it can still be used; null once used or for signed-in filing. */
    tokenHash: text('token_hash'),
    tokenExpiresAt: ts('token_expires_at'),
    resolvedAt: ts('resolved_at'),
    /** Shown to the customer: what was done, or why the request was refused. */
    resolution: text('resolution'),
    /** The staff account id (or `cli`) that last moved the request. */
    handledBy: text('handled_by'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('privacy_requests_account_idx').on(t.accountId, t.filedAt),
    index('privacy_requests_queue_idx').on(t.status, t.dueAt),
    uniqueIndex('privacy_requests_token_hash_key').on(t.tokenHash),
    // One request of a type in progress per account: a second would only duplicate the work.
    uniqueIndex('privacy_requests_one_open_key').on(t.accountId, t.type).where(sql`${t.status} in ('open', 'in_progress')`),
    check('privacy_requests_details_length', sql`char_length(${t.details}) <= 2000`),
    check('privacy_requests_resolution_length', sql`char_length(${t.resolution}) <= 2000`),
  ],
);
