import type { Role } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { DomainError } from '../../../lib/errors.ts';
import { type Ctx, withDb } from '../../context.ts';
import { recordStaffAccess } from '../staff-access.ts';
import { auditRequest } from './audit.ts';
import type { RequestDeps } from './deps.ts';
import { lockRequest, RESTRICTING_TYPES } from './move-request.ts';

/**
 * Staff lift the processing restriction a completed request put on the account (the customer asked,
 * or the reason for it ended): orders and webhooks resume. The request itself stays completed.
 */
export async function liftProcessingRestriction(
  ctx: Ctx,
  deps: RequestDeps,
  id: string,
  reason: string,
  staffRole?: Role,
): Promise<{ accountId: string }> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const row = await lockRequest(txCtx, id, staffRole);
    if (row.status !== 'completed' || !RESTRICTING_TYPES.includes(row.type))
      throw new DomainError(
        'CONFLICT',
        `The request ${row.id} did not restrict processing: only a completed restriction or consent withdrawal does.`,
      );
    const lifted = await deps.setProcessingRestriction(txCtx, row.accountId, false, `privacy request ${row.id}: ${reason}`);
    if (!lifted) throw new DomainError('CONFLICT', `The account of ${row.id} is not processing-restricted.`);
    if (staffRole && ctx.actor)
      await recordStaffAccess(txCtx, {
        accountId: row.accountId,
        staff: { accountId: ctx.actor, role: staffRole },
        what: 'privacy.restriction_lifted',
        reason,
      });
    await auditRequest(txCtx, 'restriction_lifted', row, { reason });
    return { accountId: row.accountId };
  });
}
