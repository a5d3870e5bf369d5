import { and, eq, inArray } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';

/**
 * Access to the account ended, so the endpoints it left behind stop receiving events: those registered
 * by the API keys just revoked (`keys`), or every one (`'all'`: a password reset takes the account back
 * from whoever held a session too). The owner sees why and enables them again after a look. Caller's
 * transaction; answers how many were disabled.
 */
export async function disableEndpointsLeftBy(
  ctx: Ctx,
  accountId: string,
  left: { keys: string[] } | 'all',
  reason: string,
): Promise<number> {
  if (left !== 'all' && left.keys.length === 0) return 0;
  const now = ctx.clock.now();
  const disabled = await ctx.db
    .update(webhookEndpoints)
    .set({ status: 'disabled', disabledReason: reason, disabledAt: now, updatedAt: now })
    .where(
      and(
        eq(webhookEndpoints.accountId, accountId),
        eq(webhookEndpoints.status, 'enabled'),
        left === 'all' ? undefined : inArray(webhookEndpoints.createdByKey, left.keys),
      ),
    )
    .returning({ id: webhookEndpoints.id });
  return disabled.length;
}
