import { and, eq, gt } from 'drizzle-orm';
import { securityEvents } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { ipHash } from './network.ts';
import type { ThrottleKey } from './throttle.ts';

/**
 * Sign-up tells a taken address apart (409 EMAIL_UNAVAILABLE): see docs/adr/0013-sign-up-and-enumeration.md.
 * That answer is made scarce, in the database so every instance shares it and a restart forgets nothing:
 * a network (a keyed hash of the client address) gets 5 of them in 24 hours; after the fifth, its
 * sign-ups are refused (429 TOO_MANY_ATTEMPTS) until the 24 hours are over, whatever address they name.
 */
export const SIGNUP_TAKEN_THROTTLE = { windowMs: 24 * 3_600_000, maxFailures: 5 } as const;

/** The owner of a taken address hears of sign-up attempts at most once in this long. */
export const SIGNUP_NOTICE_INTERVAL_MS = 24 * 3_600_000;

export const signupNetworkKey = (ctx: Ctx): ThrottleKey | undefined => {
  const hash = ipHash(ctx.keys, ctx.meta?.ip);
  return hash ? (`signup:${hash}` as ThrottleKey) : undefined;
};

/**
 * Whether the owner of `accountId` was already told of a sign-up attempt with their address within
 * SIGNUP_NOTICE_INTERVAL_MS: someone probing addresses must not be able to fill a stranger's inbox
 * through us.
 */
export async function ownerRecentlyTold(ctx: Ctx, accountId: string): Promise<boolean> {
  const since = new Date(ctx.clock.now().getTime() - SIGNUP_NOTICE_INTERVAL_MS);
  const [recent] = await ctx.db
    .select({ id: securityEvents.id })
    .from(securityEvents)
    .where(
      and(
        eq(securityEvents.accountId, accountId),
        eq(securityEvents.type, 'signup_with_existing_email'),
        gt(securityEvents.occurredAt, since),
      ),
    )
    .limit(1);
  return recent !== undefined;
}
