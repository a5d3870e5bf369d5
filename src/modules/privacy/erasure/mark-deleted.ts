import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { accounts, auditLog } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { DomainError } from '../../../lib/errors.ts';
import { newId } from '../../../lib/ids.ts';
import { type Ctx, withDb } from '../../context.ts';
import { destroyAccountKey } from '../../keyring/index.ts';
import { closeRequestsAtErasure } from '../requests/close-at-erasure.ts';
import type { ErasureDeps } from './deps.ts';

type Account = typeof accounts.$inferSelect;

export interface MarkedDeleted {
  account: Account;
  access: { sessions: number; apiKeys: number };
  /** The erasure had already completed: nothing was done. */
  complete: boolean;
}

/**
 * The first step of an erasure (erase-account.ts), in one transaction (joining the caller's): the
 * account is marked deleted under a pseudonym (`deleted:<random>`), every session, device token and
 * API key ends, and the audit row says who asked and why. From here the erasure job
 * (complete-erasures.ts) finishes the rest within ERASURE_DAYS, so staff completing an `erasure`
 * request need only this. Safe to repeat; staff accounts are refused.
 */
export async function markAccountDeleted(
  ctx: Ctx,
  endAccess: ErasureDeps['endAccess'],
  accountId: string,
  reason: string,
): Promise<MarkedDeleted> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const [account] = await tx.select().from(accounts).where(eq(accounts.id, accountId)).for('update');
    if (!account) throw new DomainError('NOT_FOUND', 'No such account.');
    if (account.role !== 'customer' && account.status !== 'deleted') {
      throw new DomainError('CONFLICT', 'Staff accounts are not deleted this way: an admin first makes the account a customer account.');
    }
    if (account.erasureCompletedAt) return { account, access: { sessions: 0, apiKeys: 0 }, complete: true };
    const now = ctx.clock.now();
    let { deletedAt, pseudonym } = account;
    if (!deletedAt || !pseudonym) {
      deletedAt = now;
      pseudonym = `deleted:${randomBytes(12).toString('base64url')}`;
      await tx.update(accounts).set({ status: 'deleted', deletedAt, pseudonym, updatedAt: now }).where(eq(accounts.id, accountId));
    }
    // Crypto-shredding (ADR 28): with the key gone, every value sealed under it — here and in every
    // backup of the data — can no longer be opened, even in rows the erasure job must wait for.
    await destroyAccountKey(txCtx, accountId);
    const access = await endAccess(txCtx, accountId, 'account deleted');
    // No rights request of the account waits in the staff queue any longer: no one is left to answer.
    await closeRequestsAtErasure(txCtx, accountId);
    if (account.status !== 'deleted') {
      await tx.insert(auditLog).values({
        id: newId('aud', now.getTime()),
        actor: ctx.actor ?? 'customer',
        action: 'account.deleted',
        accountId,
        details: { reason, ...access },
        occurredAt: now,
      });
    }
    return { account: { ...account, deletedAt, pseudonym }, access, complete: false };
  });
}
