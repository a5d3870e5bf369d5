import { eq } from 'drizzle-orm';
import { accounts, authTokens } from '../../db/schema/index.ts';
import { sqlState, transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { sealFor } from '../keyring/index.ts';
import { enqueueEmail, verifyEmailMessage } from '../mail/index.ts';
import { requireKindOffered } from './account-kinds.ts';
import { announceAuthChange } from './auth-changes.ts';
import { byEmail, emailColumns, normaliseEmail } from './email.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { recordSecurityEvent } from './security-events.ts';
import { answerTakenAddress, EMAIL_TOKEN_TTL_MS, emailUnavailable, refuseTaken, requireTakenAnswersLeft } from './signup.ts';
import { newToken } from './tokens.ts';

/**
 * A device account adds an e-mail address and a password, keeping everything it has (balance,
 * orders, devices). It can sign in both ways afterwards.
 */
export async function upgradeDeviceAccount(ctx: Ctx, accountId: string, input: { email: string; password: string }): Promise<void> {
  requireKindOffered(ctx, 'email');
  // "Taken" is told here as at sign-up: counted per network, and the address's owner hears of it.
  const networkKey = await requireTakenAnswersLeft(ctx);
  const email = normaliseEmail(input.email);
  const problem = passwordProblem(input.password, email);
  if (problem) throw new DomainError('WEAK_PASSWORD', problem);
  const passwordHash = await hashPassword(input.password);
  let taken: { withinAllowance: boolean } | undefined;
  try {
    await transaction(ctx.db, async (tx) => {
      const txCtx = withDb(ctx, tx);
      // Locked: two upgrades at once take turns, and the second finds the address set (one address per account).
      const account = (await tx.select().from(accounts).where(eq(accounts.id, accountId)).limit(1).for('update'))[0];
      if (!account || account.email) throw new DomainError('CONFLICT', 'This account already has an e-mail address.');
      const [owner] = await tx.select({ id: accounts.id }).from(accounts).where(byEmail(ctx, email)).limit(1);
      if (owner) {
        taken = { withinAllowance: await answerTakenAddress(txCtx, owner.id, email, networkKey) };
        return;
      }
      const now = ctx.clock.now();
      await tx
        .update(accounts)
        .set({ kind: 'email', ...(await emailColumns(txCtx, accountId, email)), passwordHash, updatedAt: now })
        .where(eq(accounts.id, accountId));
      // A principal and the profile (both cached) show the kind and the address.
      await announceAuthChange(tx, accountId);
      const { token, hash } = newToken('emailToken');
      const tokenId = newId('tok', now.getTime());
      await tx.insert(authTokens).values({
        id: tokenId,
        accountId,
        purpose: 'verify_email',
        tokenHash: hash,
        email: await sealFor(txCtx, accountId, 'auth_tokens.email', tokenId, email),
        createdAt: now,
        expiresAt: new Date(now.getTime() + EMAIL_TOKEN_TTL_MS),
      });
      await enqueueEmail(txCtx, verifyEmailMessage(ctx.config, email, token, accountId));
      await recordSecurityEvent(txCtx, { type: 'account_upgraded', accountId });
    });
  } catch (error) {
    // Taken by a sign-up that committed in between.
    if (sqlState(error) === '23505') throw emailUnavailable();
    throw error;
  }
  if (taken) await refuseTaken(ctx, taken.withinAllowance);
}
