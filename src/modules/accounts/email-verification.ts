import { and, eq, gt, isNull } from 'drizzle-orm';
import { accounts, authTokens } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { openFor, sealFor } from '../keyring/index.ts';
import { enqueueEmail, verifyEmailMessage } from '../mail/index.ts';
import { announceAuthChange } from './auth-changes.ts';
import { byEmail, withOpenedEmail } from './email.ts';
import { recordSecurityEvent } from './security-events.ts';
import { EMAIL_TOKEN_TTL_MS } from './signup.ts';
import { hashToken, newToken } from './tokens.ts';

export const invalidToken = () => new DomainError('INVALID_TOKEN', 'This link is invalid, already used, or expired. Ask for a new one.');

/**
 * Consume a single-use token of a purpose, in the caller's transaction. `email` is the address the
 * link was sent to, opened (null if the account was erased since).
 */
export async function consumeToken(ctx: Ctx, token: string, purpose: 'verify_email' | 'reset_password') {
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .update(authTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(authTokens.tokenHash, hashToken(token)),
        eq(authTokens.purpose, purpose),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, now),
      ),
    )
    .returning();
  if (!row) throw invalidToken();
  return { ...row, email: await openFor(ctx, row.accountId, 'auth_tokens.email', row.id, row.email) };
}

/** Send a (new) verification link to the account's address. */
export async function requestEmailVerification(ctx: Ctx, accountId: string): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const account = await withOpenedEmail(txCtx, (await tx.select().from(accounts).where(eq(accounts.id, accountId)).limit(1))[0]);
    if (!account?.email) throw new DomainError('CONFLICT', 'This account has no e-mail address to verify.');
    if (account.emailVerifiedAt) throw new DomainError('CONFLICT', 'This e-mail address is already verified.');
    const now = ctx.clock.now();
    const { token, hash } = newToken('emailToken');
    const tokenId = newId('tok', now.getTime());
    await tx.insert(authTokens).values({
      id: tokenId,
      accountId,
      purpose: 'verify_email',
      tokenHash: hash,
      email: await sealFor(txCtx, accountId, 'auth_tokens.email', tokenId, account.email),
      createdAt: now,
      expiresAt: new Date(now.getTime() + EMAIL_TOKEN_TTL_MS),
    });
    await enqueueEmail(txCtx, verifyEmailMessage(ctx.config, account.email, token, accountId));
  });
}

export async function confirmEmailVerification(ctx: Ctx, token: string): Promise<{ accountId: string }> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const row = await consumeToken(txCtx, token, 'verify_email');
    // Only the address the link was sent to is verified; a changed address needs its own link. Both
    // are sealed (under different row bindings): compared by the address's keyed hash.
    if (row.email === null) throw invalidToken();
    const verified = await tx
      .update(accounts)
      .set({ emailVerifiedAt: ctx.clock.now(), updatedAt: ctx.clock.now() })
      .where(and(eq(accounts.id, row.accountId), byEmail(ctx, row.email)))
      .returning({ id: accounts.id });
    if (verified.length === 0) throw invalidToken();
    // The profile shows it (GET /api/v1/me is cached).
    await announceAuthChange(tx, row.accountId);
    await recordSecurityEvent(txCtx, { type: 'email_verified', accountId: row.accountId });
    return { accountId: row.accountId };
  });
}
