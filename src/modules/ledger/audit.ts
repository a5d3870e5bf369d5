import { auditLog } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';

/** The audit row of a credit movement someone decided (a grant, a chargeback, …), in the caller's transaction. */
export async function auditCredits(
  ctx: Ctx,
  action: string,
  accountId: string,
  details: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await ctx.db
    .insert(auditLog)
    .values({ id: newId('aud', now.getTime()), actor: ctx.actor ?? 'system', action, accountId, details, occurredAt: now });
}
