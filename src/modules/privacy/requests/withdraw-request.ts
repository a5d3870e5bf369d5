import { and, eq } from 'drizzle-orm';
import { privacyRequests } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { DomainError } from '../../../lib/errors.ts';
import { type Ctx, withDb } from '../../context.ts';
import { auditRequest } from './audit.ts';
import { checkTransition } from './states.ts';
import type { RequestRow } from './view.ts';

/** The customer withdraws a request staff have not resolved yet (another account's: not found). */
export async function withdrawRequest(ctx: Ctx, accountId: string, id: string): Promise<RequestRow> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const [row] = await tx
      .select()
      .from(privacyRequests)
      .where(and(eq(privacyRequests.id, id), eq(privacyRequests.accountId, accountId)))
      .for('update');
    if (!row) throw new DomainError('NOT_FOUND', 'No such privacy request.');
    checkTransition(row.id, row.status, 'withdrawn', 'customer');
    const now = ctx.clock.now();
    const [withdrawn] = await tx
      .update(privacyRequests)
      .set({ status: 'withdrawn', resolvedAt: now, updatedAt: now })
      .where(eq(privacyRequests.id, row.id))
      .returning();
    await auditRequest(txCtx, 'withdrawn', row);
    return withdrawn ?? row;
  });
}
