import { createHmac } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import { authThrottles } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { ipHash } from './network.ts';

/**
 * Password guessing defence (P16; ASVS 6.1.1/6.3.1), documented in docs/adr/0007-identity-and-access.md.
 *
 * - Per sign-in name (a keyed hash of the e-mail, whether or not an account has it, so the answers
 *   never differ for unknown addresses): 10 consecutive failures are free; from then on each failure
 *   blocks further attempts for 1 min, doubling up to 15 min. Blocked attempts are answered 429
 *   without checking the password. A success resets the count.
 * - A browser that has signed in to the account before carries a trusted-device cookie; its attempts
 *   count against that cookie instead, so an attacker failing on purpose cannot lock the owner out
 *   of their usual browser.
 * - Per IP: 50 failures in 15 minutes block that address for the rest of the window.
 * - Device accounts (device-sign-in.ts): a refused device sign-in counts against the device, like a
 *   wrong password against its name, and against the IP.
 */
export const LOGIN_THROTTLE = { freeFailures: 10, firstBlockMs: 60_000, maxBlockMs: 15 * 60_000 } as const;
export const IP_THROTTLE = { windowMs: 15 * 60_000, maxFailures: 50 } as const;

export type ThrottleKey = string & { readonly __throttleKey: true };

export const nameKey = (ctx: Ctx, email: string): ThrottleKey =>
  `login:${createHmac('sha256', ctx.keys.derive('throttle-hmac')).update(email).digest('hex').slice(0, 32)}` as ThrottleKey;
export const trustedDeviceKey = (nonce: string): ThrottleKey => `device:${nonce}` as ThrottleKey;
/** A device account's sign-in name: its device hash (already keyed), so its secret cannot be guessed freely either. */
export const deviceSignInKey = (deviceHash: string): ThrottleKey => `device-id:${deviceHash.slice(0, 32)}` as ThrottleKey;
export const ipKey = (ctx: Ctx): ThrottleKey | undefined => {
  const hash = ipHash(ctx.keys, ctx.meta?.ip);
  return hash ? (`ip:${hash}` as ThrottleKey) : undefined;
};

/** The latest moment until which any of these keys is blocked, if one is blocked now. */
export async function blockedUntil(ctx: Ctx, keys: (ThrottleKey | undefined)[]): Promise<Date | undefined> {
  const present = keys.filter((key): key is ThrottleKey => key !== undefined);
  if (present.length === 0) return undefined;
  const now = ctx.clock.now();
  const rows = await ctx.db
    .select({ blockedUntil: authThrottles.blockedUntil })
    .from(authThrottles)
    .where(inArray(authThrottles.key, present));
  const until = rows
    .map((row) => row.blockedUntil)
    .filter((date): date is Date => date !== null && date > now)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  return until;
}

/** Count one more consecutive failure; returns the block it caused, if any. */
export async function recordConsecutiveFailure(ctx: Ctx, key: ThrottleKey): Promise<Date | undefined> {
  const now = ctx.clock.now();
  const [row] = await queryRows<{ failures: number }>(
    ctx.db,
    sql`insert into auth_throttles (key, failures, window_started_at, updated_at)
        values (${key}, 1, ${now}, ${now})
        on conflict (key) do update set failures = auth_throttles.failures + 1, updated_at = excluded.updated_at
        returning failures`,
  );
  const failures = Number(row?.failures ?? 1);
  if (failures < LOGIN_THROTTLE.freeFailures) return undefined;
  const exponent = Math.min(failures - LOGIN_THROTTLE.freeFailures, 20);
  const blockMs = Math.min(LOGIN_THROTTLE.firstBlockMs * 2 ** exponent, LOGIN_THROTTLE.maxBlockMs);
  const until = new Date(now.getTime() + blockMs);
  await ctx.db.update(authThrottles).set({ blockedUntil: until }).where(eq(authThrottles.key, key));
  return until;
}

/** Count a failure in the key's current window (per IP; `policy` for another window and count, as sign-up's). */
export async function recordWindowedFailure(
  ctx: Ctx,
  key: ThrottleKey,
  policy: { windowMs: number; maxFailures: number } = IP_THROTTLE,
): Promise<number> {
  const now = ctx.clock.now();
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const [row] = await queryRows<{ failures: number; window_started_at: Date | string }>(
    ctx.db,
    sql`insert into auth_throttles (key, failures, window_started_at, updated_at)
        values (${key}, 1, ${now}, ${now})
        on conflict (key) do update set
          failures = case when auth_throttles.window_started_at < ${windowStart} then 1 else auth_throttles.failures + 1 end,
          window_started_at = case when auth_throttles.window_started_at < ${windowStart} then excluded.window_started_at else auth_throttles.window_started_at end,
          updated_at = excluded.updated_at
        returning failures, window_started_at`,
  );
  const failures = Number(row?.failures ?? 0);
  if (!row || failures < policy.maxFailures) return failures;
  const until = new Date(new Date(row.window_started_at).getTime() + policy.windowMs);
  await ctx.db.update(authThrottles).set({ blockedUntil: until }).where(eq(authThrottles.key, key));
  return failures;
}

export async function clearThrottle(ctx: Ctx, key: ThrottleKey): Promise<void> {
  await ctx.db.delete(authThrottles).where(eq(authThrottles.key, key));
}
