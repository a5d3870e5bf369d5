import { pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The keyring (ADR 28): each account's data key, in a PostgreSQL schema of its own so that it is backed
 * up apart from the data, with a shorter retention. Nothing in the data refers to it by a foreign key.
 */
export const keyring = pgSchema('keyring');

/** One random 256-bit data key per account, wrapped (AES-256-GCM) under a key derived from SECRET_KEY. */
export const accountKeys = keyring.table('account_keys', {
  accountId: text('account_id').primaryKey(),
  /** base64(version ‖ nonce ‖ ciphertext ‖ tag) of the data key; never the key itself. */
  wrappedKey: text('wrapped_key').notNull(),
  createdAt: ts('created_at').notNull(),
});

/**
 * Accounts whose key was destroyed (erasure): the row in `account_keys` is deleted, and this one keeps
 * a new key from being made for the account afterwards. Only the pseudonymous account id and the time.
 */
export const destroyedAccountKeys = keyring.table('destroyed_account_keys', {
  accountId: text('account_id').primaryKey(),
  destroyedAt: ts('destroyed_at').notNull(),
});
