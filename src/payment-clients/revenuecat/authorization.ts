import { constantTimeEqual } from '../../lib/secrets.ts';

/**
 * RevenueCat signs nothing: its dashboard lets the operator set an `Authorization` header value that
 * it then sends verbatim with every webhook POST. REVENUECAT_WEBHOOK_AUTH holds that exact value
 * (for instance `Bearer 9f…`), compared whole and in constant time. A missing, repeated or empty
 * header, or an unconfigured secret, never matches.
 */
export function verifyRevenueCatAuthorization(header: string | readonly string[] | undefined, expected: string): boolean {
  if (!expected || typeof header !== 'string' || header.length === 0) return false;
  return constantTimeEqual(header, expected);
}
