import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const ROLES = ['customer', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ACCOUNT_KINDS = ['email', 'device'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];
/** `deleted`: erased at the customer's request (ADR 27): no sign-in, no access; the row stays, pseudonymous. */
export const ACCOUNT_STATUSES = ['active', 'suspended', 'deleted'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** A customer or staff member. Device accounts have no e-mail and no password (P1). */
export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ACCOUNT_KINDS }).notNull(),
    /** Sealed under the account's key (ADR 28): the address as entered, trimmed and lower-cased. */
    email: text('email'),
    /** Keyed hash (HMAC-SHA256, key derived from SECRET_KEY) of the trimmed, lower-cased address: the lookups and uniqueness. */
    emailHash: text('email_hash'),
    emailVerifiedAt: ts('email_verified_at'),
    /** argon2id PHC string. */
    passwordHash: text('password_hash'),
    /**
     * The password was chosen by someone else (an admin creating a staff account gives its first one):
     * its owner sets one of their own before it is ever used to sign in (at enrolment).
     */
    passwordChangeRequired: boolean('password_change_required').notNull().default(false),
    role: text('role', { enum: ROLES }).notNull().default('customer'),
    status: text('status', { enum: ACCOUNT_STATUSES }).notNull().default('active'),
    suspendedReason: text('suspended_reason'),
    /**
     * Set while processing is restricted at the customer's request (GDPR Art. 18, a completed
     * `restriction` request): the data is kept, but no order is placed and no webhook is sent.
     */
    processingRestrictedAt: ts('processing_restricted_at'),
    /**
     * Erasure (ADR 27): when the customer deleted the account, the label it keeps afterwards
     * (`deleted:<random>`, linking to nobody), and when nothing personal of it was left anywhere.
     */
    deletedAt: ts('deleted_at'),
    pseudonym: text('pseudonym'),
    erasureCompletedAt: ts('erasure_completed_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('accounts_email_hash_key').on(t.emailHash),
    uniqueIndex('accounts_pseudonym_key').on(t.pseudonym),
    // Erasures still to complete, for the job that completes them.
    index('accounts_erasure_pending_idx').on(t.deletedAt).where(sql`${t.deletedAt} is not null and ${t.erasureCompletedAt} is null`),
    check(
      'accounts_deleted_shape',
      sql`(${t.status} = 'deleted') = (${t.deletedAt} is not null) and (${t.deletedAt} is null) = (${t.pseudonym} is null)`,
    ),
    check('accounts_email_has_hash', sql`(${t.email} is null) = (${t.emailHash} is null)`),
    check('accounts_email_needs_password', sql`(${t.email} is null) = (${t.passwordHash} is null)`),
  ],
);

/** The mobile app's device behind a device account (P2): kept for support, the id only as a keyed hash. */
export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /** HMAC-SHA256 of the device identifier with a key derived from SECRET_KEY; never the identifier itself. */
    deviceHash: text('device_hash').notNull(),
    /**
     * Proof of possession: a hash of the secret the app made at its first sign-in and keeps in the
     * platform's secure storage; every later sign-in presents it. Null for devices from before
     * secrets existed, until their next sign-in registers one.
     */
    secretHash: text('secret_hash'),
    /**
     * When the owner took the account back (a password reset or change, "sign out everywhere else"):
     * the device no longer signs in with its id and secret, only with the account's e-mail address.
     */
    unlinkedAt: ts('unlinked_at'),
    platform: text('platform').notNull(),
    osVersion: text('os_version').notNull(),
    model: text('model').notNull(),
    appVersion: text('app_version').notNull(),
    createdAt: ts('created_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
  },
  (t) => [uniqueIndex('devices_device_hash_key').on(t.deviceHash), index('devices_account_idx').on(t.accountId)],
);

export const SESSION_KINDS = ['browser', 'device'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** A signed-in browser (cookie) or app (bearer device token). Only a SHA-256 of the token is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    kind: text('kind', { enum: SESSION_KINDS }).notNull(),
    tokenHash: text('token_hash').notNull(),
    deviceId: text('device_id').references(() => devices.id),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at').notNull(),
    /** Absolute end of the session, whatever the activity. */
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    revokedReason: text('revoked_reason'),
    userAgent: text('user_agent'),
    /** IPv4 /24 or IPv6 /48 at sign-in, for "where am I signed in". */
    ipPrefix: text('ip_prefix'),
    /** Staff sessions: when the second factor (TOTP or a recovery code) completed the sign-in (ADR 31). */
    secondFactorAt: ts('second_factor_at'),
  },
  (t) => [
    uniqueIndex('sessions_token_hash_key').on(t.tokenHash),
    index('sessions_account_idx').on(t.accountId),
    // Erasing a device account deletes its devices, each checked against the sessions naming it.
    index('sessions_device_idx').on(t.deviceId),
  ],
);

/** API keys: shown once, stored as SHA-256, revocable. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    /** The first characters of the key, to recognise it in a list (`otp_live_AbC1`). */
    displayPrefix: text('display_prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_key_hash_key').on(t.keyHash), index('api_keys_account_idx').on(t.accountId)],
);

export const CONSENT_KINDS = ['minimum_age', 'privacy_policy'] as const;

/** What a customer confirmed, when, and against which policy version (P13, P14). */
export const consents = pgTable(
  'consents',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    kind: text('kind', { enum: CONSENT_KINDS }).notNull(),
    policyVersion: text('policy_version').notNull(),
    minimumAge: integer('minimum_age').notNull(),
    givenAt: ts('given_at').notNull(),
  },
  (t) => [index('consents_account_idx').on(t.accountId, t.givenAt)],
);

export const AUTH_TOKEN_PURPOSES = ['verify_email', 'reset_password'] as const;
export type AuthTokenPurpose = (typeof AUTH_TOKEN_PURPOSES)[number];

/** Single-use e-mail tokens, stored hashed, valid 30 minutes. */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    purpose: text('purpose', { enum: AUTH_TOKEN_PURPOSES }).notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The address the token was sent to; verification applies to that address only. */
    email: text('email').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('auth_tokens_token_hash_key').on(t.tokenHash), index('auth_tokens_account_idx').on(t.accountId)],
);

/** Failed sign-in counters (per account, per trusted device, per IP) shared by all instances. */
export const authThrottles = pgTable('auth_throttles', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: ts('window_started_at').notNull(),
  blockedUntil: ts('blocked_until'),
  updatedAt: ts('updated_at').notNull(),
});

/** Security event log (P10): sign-ins, password and key changes, role changes, suspensions. */
export const securityEvents = pgTable(
  'security_events',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').references(() => accounts.id),
    /** The staff member (or `cli`) who acted, when not the account itself. */
    actor: text('actor'),
    type: text('type').notNull(),
    occurredAt: ts('occurred_at').notNull(),
    ipPrefix: text('ip_prefix'),
    /** HMAC of the full address, to correlate abuse without keeping the address. */
    ipHash: text('ip_hash'),
    userAgent: text('user_agent'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [index('security_events_account_idx').on(t.accountId, t.occurredAt), index('security_events_occurred_idx').on(t.occurredAt)],
);

export const EMAIL_STATUSES = ['pending', 'sent', 'logged', 'failed'] as const;

/** Transactional e-mail, written in the same transaction as what it announces, delivered by a job. */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').references(() => accounts.id),
    toAddress: text('to_address').notNull(),
    template: text('template').notNull(),
    subject: text('subject').notNull(),
    bodyText: text('body_text').notNull(),
    status: text('status', { enum: EMAIL_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [index('email_outbox_due_idx').on(t.status, t.nextAttemptAt), index('email_outbox_created_idx').on(t.createdAt)],
);
