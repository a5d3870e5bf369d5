import { and, eq, inArray } from 'drizzle-orm';
import { type PrivacyRequestType, privacyRequests } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { DomainError } from '../../../lib/errors.ts';
import { type Ctx, withDb } from '../../context.ts';
import { auditRequest } from './audit.ts';
import { type FileInput, insertRequest } from './insert-request.ts';
import { OPEN_STATUSES } from './states.ts';
import type { RequestRow } from './view.ts';

export type { FileInput } from './insert-request.ts';

/** The refusal of a second request of a type while one is being handled. */
export const alreadyOpen = (type: PrivacyRequestType, id: string): DomainError =>
  new DomainError('CONFLICT', `You already have an open ${type.replace('_', ' ')} request (${id}); it is being handled.`, {
    requestId: id,
  });

/** The customer's open request of this type, if any. */
export async function openRequestOf(ctx: Ctx, accountId: string, type: PrivacyRequestType): Promise<RequestRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(privacyRequests)
    .where(
      and(eq(privacyRequests.accountId, accountId), eq(privacyRequests.type, type), inArray(privacyRequests.status, [...OPEN_STATUSES])),
    )
    .limit(1);
  return row;
}

/**
 * File a request signed in: the signed-in credential is the identity check, so it is open at once and
 * due 30 days after it was received (GDPR Art. 12(3)). One per type at a time (409 otherwise; the
 * partial unique index settles a race). Audited in the same transaction.
 */
export async function fileRequest(ctx: Ctx, input: FileInput): Promise<RequestRow> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const existing = await openRequestOf(txCtx, input.accountId, input.type);
    if (existing) throw alreadyOpen(input.type, existing.id);
    const now = ctx.clock.now();
    const row = await insertRequest(tx, now, input, { status: 'open', verifiedAt: now });
    if (!row) {
      const raced = await openRequestOf(txCtx, input.accountId, input.type);
      throw alreadyOpen(input.type, raced?.id ?? 'filed a moment ago');
    }
    await auditRequest(txCtx, 'filed', row, { via: 'signed_in' });
    return row;
  });
}
