import { hash, randomBytes } from 'node:crypto';

/** How long the e-mailed link of a request filed without signing in can be used. */
export const LINK_TTL_MS = 24 * 3_600_000;

const PREFIX = 'otp_prq_';
const SHAPE = /^otp_prq_[A-Za-z0-9_-]{43}$/;

/** 256 random bits, recognisable by their prefix; only the SHA-256 is stored. */
export function newLinkToken(): { token: string; hash: string } {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashLinkToken(token) };
}

export const hashLinkToken = (token: string): string => hash('sha256', token, 'hex');

/** Whether a presented value can be one of our link tokens (no database lookup otherwise). */
export const isLinkToken = (token: string): boolean => SHAPE.test(token);
