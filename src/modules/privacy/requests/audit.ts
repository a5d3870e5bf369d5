import { auditLog } from '../../../db/schema/index.ts';
import { newId } from '../../../lib/ids.ts';
import type { Ctx } from '../../context.ts';

/** The audit row of a request's change, in the caller's transaction: staff by id (or `cli`), else the customer. */
export async function auditRequest(
  ctx: Ctx,
  action: string,
  request: { id: string; accountId: string; type: string },
  details: Record<string, unknown> = {},
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.insert(auditLog).values({
    id: newId('aud', now.getTime()),
    actor: ctx.actor ?? 'customer',
    action: `privacy_request.${action}`,
    accountId: request.accountId,
    details: { requestId: request.id, type: request.type, ...details },
    occurredAt: now,
  });
}
