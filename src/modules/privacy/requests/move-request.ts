import { eq } from 'drizzle-orm';
import { type PrivacyRequestType, privacyRequests, type Role } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { DomainError } from '../../../lib/errors.ts';
import { type Ctx, withDb } from '../../context.ts';
import { markAccountDeleted } from '../erasure/mark-deleted.ts';
import { recordStaffAccess } from '../staff-access.ts';
import { refuseStaffAccountToSupport } from '../staff-reach.ts';
import { auditRequest } from './audit.ts';
import type { RequestDeps } from './deps.ts';
import { checkTransition } from './states.ts';
import type { RequestRow } from './view.ts';

/** A staff move; starting carries the staff member's reason for the audit row (the console requires one; the CLI gives none). */
export type StaffMove = { to: 'in_progress'; reason?: string } | { to: 'completed'; note: string } | { to: 'refused'; reason: string };

/**
 * The requests whose completion restricts processing: `restriction` (Art. 18), and `withdraw_consent`
 * (nothing is processed any more on the strength of the consent withdrawn; see ADR 25).
 */
export const RESTRICTING_TYPES: readonly PrivacyRequestType[] = ['restriction', 'withdraw_consent'];

/** A request by id, for staff (locked until the caller's transaction ends). */
export async function lockRequest(ctx: Ctx, id: string, staffRole?: Role): Promise<RequestRow> {
  const [row] = await ctx.db.select().from(privacyRequests).where(eq(privacyRequests.id, id)).for('update');
  if (!row) throw new DomainError('NOT_FOUND', 'No such privacy request.');
  if (staffRole !== undefined) {
    // Nobody answers their own request; a staff member's request (and restricting their account) is for admins.
    if (ctx.actor === row.accountId) throw new DomainError('CONFLICT', 'Staff cannot act on their own account this way.');
    await refuseStaffAccountToSupport(ctx.db, staffRole, row.accountId, "Only an admin can act on a staff account's request.");
  }
  return row;
}

/**
 * Staff move a request along the state table (states.ts): start it, complete it with a note the
 * customer sees, or refuse it with the reason. Completing a restricting request (RESTRICTING_TYPES)
 * restricts the account's processing in the same transaction; completing an `erasure` request
 * deletes the account in it (every way in ends at once) and the erasure job erases the rest within
 * ERASURE_DAYS, as for a customer who deleted their own account. `ctx.actor` is the staff id (or `cli`).
 */
export async function moveRequest(ctx: Ctx, deps: RequestDeps, id: string, move: StaffMove, staffRole?: Role): Promise<RequestRow> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const row = await lockRequest(txCtx, id, staffRole);
    checkTransition(row.id, row.status, move.to, 'staff');
    const now = ctx.clock.now();
    const handledBy = ctx.actor ?? 'cli';
    const resolution = move.to === 'completed' ? move.note : move.to === 'refused' ? move.reason : null;
    const [moved] = await tx
      .update(privacyRequests)
      .set({
        status: move.to,
        handledBy,
        updatedAt: now,
        ...(move.to === 'in_progress' ? {} : { resolvedAt: now, resolution }),
      })
      .where(eq(privacyRequests.id, row.id))
      .returning();
    let restricted = false;
    if (move.to === 'completed' && RESTRICTING_TYPES.includes(row.type)) {
      restricted = await deps.setProcessingRestriction(txCtx, row.accountId, true, `privacy request ${row.id} (${row.type})`);
    }
    let erasureStarted = false;
    if (move.to === 'completed' && row.type === 'erasure') {
      const marked = await markAccountDeleted(txCtx, deps.endAccess, row.accountId, `privacy request ${row.id} (erasure)`);
      erasureStarted = !marked.complete;
    }
    // A staff member acting on the customer's request (the console; the server's command line is the operator): in their "Who accessed my data".
    if (staffRole && ctx.actor)
      await recordStaffAccess(txCtx, {
        accountId: row.accountId,
        staff: { accountId: ctx.actor, role: staffRole },
        what: 'privacy.request_handled',
        reason: move.to === 'in_progress' ? move.reason : undefined,
      });
    await auditRequest(txCtx, move.to === 'in_progress' ? 'started' : move.to, row, {
      from: row.status,
      ...(resolution ? { resolution } : {}),
      ...(move.to === 'in_progress' && move.reason ? { reason: move.reason } : {}),
      ...(restricted ? { processingRestricted: true } : {}),
      ...(erasureStarted ? { erasureStarted: true } : {}),
    });
    return moved ?? row;
  });
}
