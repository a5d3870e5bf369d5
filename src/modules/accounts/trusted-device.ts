import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../lib/secrets.ts';
import type { Ctx } from '../context.ts';

/**
 * The trusted-device cookie (OWASP "device cookies" against lockout abuse): set on a successful
 * sign-in, it lets that browser's later attempts on the same account count against the cookie
 * instead of the account, so strangers failing on purpose cannot lock the owner out of it.
 * Value: `v1.<accountId>.<nonce>.<hmac>`; a forged or foreign cookie is simply ignored.
 */
export const TRUSTED_DEVICE_MAX_AGE_S = 365 * 86_400;

const sign = (ctx: Ctx, accountId: string, nonce: string) =>
  createHmac('sha256', ctx.keys.derive('trusted-device-cookie')).update(`${accountId}.${nonce}`).digest('base64url');

export function issueTrustedDevice(ctx: Ctx, accountId: string): string {
  const nonce = randomBytes(16).toString('base64url');
  return `v1.${accountId}.${nonce}.${sign(ctx, accountId, nonce)}`;
}

/** The cookie's nonce when it is genuine and belongs to `accountId`. */
export function trustedDeviceNonce(ctx: Ctx, cookie: string | undefined, accountId: string): string | undefined {
  if (!cookie || cookie.length > 200) return undefined;
  const [version, owner, nonce, signature] = cookie.split('.');
  if (version !== 'v1' || owner !== accountId || !nonce || !signature) return undefined;
  return constantTimeEqual(signature, sign(ctx, accountId, nonce)) ? nonce : undefined;
}
