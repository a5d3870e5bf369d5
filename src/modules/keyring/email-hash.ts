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
