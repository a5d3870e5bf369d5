import { createHmac } from 'node:crypto';
import type { SecretKeys } from '../../lib/secrets.ts';

/** How an address is compared everywhere: trimmed, lower-cased. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/**
 * The keyed hash an account is looked up by (sign-in, sign-up uniqueness, password reset) while the
 * address itself is sealed: HMAC-SHA256 of the normalised address under a key derived from SECRET_KEY.
 */
export const emailLookupHash = (keys: SecretKeys, email: string): string =>
  createHmac('sha256', keys.derive('email-hmac')).update(normaliseEmail(email), 'utf8').digest('hex');

/** A rented number as compared everywhere: its digits only (`+62 812-3456` and `628123456` are one number). */
export const normalisePhone = (phone: string): string => phone.replace(/\D/g, '');

/**
 * The keyed hash staff find an order by its rented number with (the operator console, ADR 32) while
 * the number itself is sealed under the account's key: HMAC-SHA256 of its digits under a key derived
 * from SECRET_KEY. Stored with the order and deleted with it.
 */
export const phoneLookupHash = (keys: SecretKeys, phone: string): string =>
  createHmac('sha256', keys.derive('phone-hmac')).update(normalisePhone(phone), 'utf8').digest('hex');
