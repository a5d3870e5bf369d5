import { and, eq, isNull } from 'drizzle-orm';
import { apiKeys } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { announceAuthChange } from './auth-changes.ts';
import { unlinkDevices } from './device-sign-in.ts';
import { revokeAllSessions } from './sessions.ts';

/**
 * Every way into an account ends: its browser sessions, device tokens and API keys (account erasure,
 * privacy's `ErasureDeps.endAccess`). The change is announced, so cached credentials are forgotten
 * and open event streams close. In the caller's transaction when there is one.
 */
export async function endAllAccess(ctx: Ctx, accountId: string, reason: string): Promise<{ sessions: number; apiKeys: number }> {
  return transaction(ctx.db, async (tx) => {
    const sessions = await revokeAllSessions(withDb(ctx, tx), accountId, reason);
    const keys = await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.clock.now() })
      .where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    // Announced even when nothing was live: a credential cached a moment ago must not outlive the account.
    await announceAuthChange(tx, accountId);
    return { sessions, apiKeys: keys.length };
  });
}

/**
 * "Sign out everywhere else": every session but `currentSessionId` ends, and every other device of an
 * account with an e-mail address stops signing in with its id and secret (`unlinkDevices`).
 */
export async function signOutEverywhereElse(
  ctx: Ctx,
  accountId: string,
  currentSessionId: string | undefined,
): Promise<{ ended: number; devicesUnlinked: number }> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    // Devices first: unlinking waits for a sign-in of the device in flight, whose session the revocation then sees.
    const devicesUnlinked = await unlinkDevices(txCtx, accountId, currentSessionId);
    return { ended: await revokeAllSessions(txCtx, accountId, 'signed out from another session', currentSessionId), devicesUnlinked };
  });
}
