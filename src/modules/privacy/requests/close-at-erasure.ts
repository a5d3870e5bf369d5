import { and, eq, inArray } from 'drizzle-orm';
import { privacyRequests } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { auditRequest } from './audit.ts';
import { checkTransition, type RequestStatus } from './states.ts';

const WAITING: RequestStatus[] = ['unverified', 'open', 'in_progress'];

export const ERASURE_RESOLUTIONS = {
  completed: 'The account was deleted: its data is being erased.',
  withdrawn: 'Closed unanswered: the account was deleted first, and there is no one left to answer.',
} as const;

/**
 * The account is deleted (the first step of an erasure, in its transaction): every rights request still
 * waiting closes, so none sits in the staff queue, overdue, with no one to answer. An erasure request
 * is completed (the erasure is what it asked for); any other is withdrawn. Each move is audited.
 * Safe to repeat: a closed request is not waiting. Returns how many were closed.
 */
export async function closeRequestsAtErasure(ctx: Ctx, accountId: string): Promise<number> {
  const waiting = await ctx.db
    .select()
    .from(privacyRequests)
    .where(and(eq(privacyRequests.accountId, accountId), inArray(privacyRequests.status, WAITING)))
    .for('update');
  const now = ctx.clock.now();
  for (const row of waiting) {
    const to = row.type === 'erasure' && row.status !== 'unverified' ? 'completed' : 'withdrawn';
    checkTransition(row.id, row.status, to, 'erasure');
    await ctx.db
      .update(privacyRequests)
      .set({ status: to, resolvedAt: now, resolution: ERASURE_RESOLUTIONS[to], handledBy: 'system', tokenHash: null, updatedAt: now })
      .where(eq(privacyRequests.id, row.id));
    await auditRequest({ ...ctx, actor: 'system' }, to, row, { from: row.status, reason: 'account deleted' });
  }
  return waiting.length;
}
