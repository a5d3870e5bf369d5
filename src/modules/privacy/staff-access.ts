import { and, desc, eq, lt } from 'drizzle-orm';
import { type Role, staffAccessLog } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import type { StaffAccessView } from './schemas.ts';
import { staffRef } from './staff-ref.ts';

/**
 * What staff read of a customer's data or did to the account, one code per admin read or action (the
 * operator console reads and acts through these): the customer sees each under "Who accessed my data".
 */
export const STAFF_READS = [
  'account.profile',
  'account.search',
  'account.activity',
  'action.credits_granted',
  'action.credits_deducted',
  'action.suspended',
  'action.unsuspended',
  'action.restricted',
  'action.restriction_lifted',
  'action.sessions_ended',
  'action.role_changed',
  'support.conversation',
  'support.queue',
  'account.security_events',
  'account.audit_log',
  'payment.list',
  'payment.detail',
  'order.list',
  'order.detail',
  'privacy.requests',
  'privacy.request_handled',
  'privacy.restriction_lifted',
  'support.answered',
  'support.closed',
] as const;
export type StaffRead = (typeof STAFF_READS)[number];

export interface StaffAccess {
  /** The customer whose data is read. */
  accountId: string;
  staff: { accountId: string; role: Role };
  what: StaffRead;
  reason?: string;
  requestId?: string;
}

/**
 * Log a staff member's read of a customer's data, in the caller's transaction and before the caller
 * answers: a failure here fails the read, so no read goes unlogged. Staff reading their own account
 * are not logged (they are the customer then).
 */
export async function recordStaffAccess(ctx: Ctx, access: StaffAccess): Promise<void> {
  if (access.staff.accountId === access.accountId) return;
  await ctx.db.insert(staffAccessLog).values({
    id: newId('sal', ctx.clock.now().getTime()),
    accountId: access.accountId,
    staffAccountId: access.staff.accountId,
    staffRole: access.staff.role,
    what: access.what,
    reason: access.reason?.trim() || null,
    requestId: access.requestId ?? null,
    occurredAt: ctx.clock.now(),
  });
}

/** Who among the staff read the customer's data, newest first, paged by id; staff named by their reference only. */
export async function listStaffAccess(ctx: Ctx, accountId: string, page: { limit: number; before?: string }): Promise<StaffAccessView[]> {
  const rows = await ctx.db
    .select()
    .from(staffAccessLog)
    .where(and(eq(staffAccessLog.accountId, accountId), page.before ? lt(staffAccessLog.id, page.before) : undefined))
    .orderBy(desc(staffAccessLog.id))
    .limit(page.limit);
  return rows.map((row) => ({
    id: row.id,
    role: row.staffRole,
    staffRef: staffRef(ctx.keys, row.staffAccountId),
    what: row.what,
    reason: row.reason,
    at: row.occurredAt,
  }));
}
