import { eq, sql } from 'drizzle-orm';
import { AUTH_CHANNEL } from '../../db/channels.ts';
import { accountKeys, destroyedAccountKeys } from '../../db/schema/index.ts';
import { afterCommit, transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { forgetAccountKey } from './account-key.ts';

/**
 * Crypto-shredding (ADR 28): delete the account's data key from the keyring, in the caller's
 * transaction (erasure's), so every value sealed under it — in the database and in every backup of
 * the data — can no longer be opened. A tombstone keeps a new key from being made for the account.
 * The key leaves this process's cache at once and after commit, and every other instance's when the
 * NOTIFY on the auth channel arrives. Idempotent: `destroyed` says whether a key was there.
 */
export async function destroyAccountKey(ctx: Ctx, accountId: string): Promise<{ destroyed: boolean }> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const deleted = await tx
      .delete(accountKeys)
      .where(eq(accountKeys.accountId, accountId))
      .returning({ accountId: accountKeys.accountId });
    await tx.insert(destroyedAccountKeys).values({ accountId, destroyedAt: txCtx.clock.now() }).onConflictDoNothing();
    forgetAccountKey(accountId);
    afterCommit(tx, () => forgetAccountKey(accountId));
    await tx.execute(sql`select pg_notify(${AUTH_CHANNEL}, ${accountId})`);
    return { destroyed: deleted.length === 1 };
  });
}
