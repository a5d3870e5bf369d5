import { and, eq } from 'drizzle-orm';
import { privacyRequests } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { DomainError } from '../../../lib/errors.ts';
import { type Ctx, withDb } from '../../context.ts';
import { auditRequest } from './audit.ts';
import { alreadyOpen, openRequestOf } from './file-request.ts';
import { hashLinkToken, isLinkToken } from './link-token.ts';
import { checkTransition } from './states.ts';
import type { RequestRow } from './view.ts';

const invalid = () => new DomainError('INVALID_TOKEN', 'This link is no longer valid (used, expired or mistyped). File the request again.');

/**
 * Open the e-mailed link: the request is verified (whoever opened it reads that mailbox) and joins the
 * staff queue. The token works once: its hash is cleared in the same transaction.
 */
export async function verifyRequest(ctx: Ctx, token: string): Promise<RequestRow> {
  if (!isLinkToken(token)) throw invalid();
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const now = ctx.clock.now();
    const [row] = await tx
      .select()
      .from(privacyRequests)
      .where(and(eq(privacyRequests.tokenHash, hashLinkToken(token)), eq(privacyRequests.status, 'unverified')))
      .for('update');
    if (!row?.tokenExpiresAt || row.tokenExpiresAt.getTime() <= now.getTime()) throw invalid();
    checkTransition(row.id, row.status, 'open', 'link');
    const open = await openRequestOf(txCtx, row.accountId, row.type);
    if (open) throw alreadyOpen(row.type, open.id);
    const [verified] = await tx
      .update(privacyRequests)
      .set({ status: 'open', verifiedAt: now, tokenHash: null, tokenExpiresAt: null, updatedAt: now })
      .where(and(eq(privacyRequests.id, row.id), eq(privacyRequests.status, 'unverified')))
      .returning();
    if (!verified) throw invalid();
    await auditRequest(txCtx, 'verified', verified);
    return verified;
  });
}
