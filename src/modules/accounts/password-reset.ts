import { eq } from 'drizzle-orm';
import { accounts, authTokens } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { sealFor } from '../keyring/index.ts';
import { enqueueEmail, passwordChangedMessage, resetPasswordMessage } from '../mail/index.ts';
import { disableEndpointsLeftBy } from '../webhooks/index.ts';
import { unlinkDevices } from './device-sign-in.ts';
import { byEmail, normaliseEmail, withOpenedEmail } from './email.ts';
import { consumeToken } from './email-verification.ts';
import { endAllAccess } from './end-access.ts';
import { hashPassword, passwordProblem, verifyAgainstDummy } from './passwords.ts';
import { checkPasswordThrottled } from './reauthenticate.ts';
import { recordSecurityEvent } from './security-events.ts';
import { revokeAllSessions } from './sessions.ts';
import { EMAIL_TOKEN_TTL_MS } from './signup.ts';
import { clearThrottle, nameKey } from './throttle.ts';
import { newToken } from './tokens.ts';

/**
 * Ask for a reset link. The answer is the same whether or not the address has an account (the caller
 * always says "if it exists, we sent a link"); only an existing account gets an e-mail.
 */
export async function requestPasswordReset(ctx: Ctx, rawEmail: string): Promise<void> {
  const email = normaliseEmail(rawEmail);
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const account = (await tx.select({ id: accounts.id }).from(accounts).where(byEmail(ctx, email)).limit(1))[0];
    if (!account) return;
    const now = ctx.clock.now();
    const { token, hash } = newToken('emailToken');
    const tokenId = newId('tok', now.getTime());
    await tx.insert(authTokens).values({
      id: tokenId,
      accountId: account.id,
      purpose: 'reset_password',
      tokenHash: hash,
      email: await sealFor(txCtx, account.id, 'auth_tokens.email', tokenId, email),
      createdAt: now,
      expiresAt: new Date(now.getTime() + EMAIL_TOKEN_TTL_MS),
    });
    await enqueueEmail(txCtx, resetPasswordMessage(ctx.config, email, token, account.id));
    await recordSecurityEvent(txCtx, { type: 'password_reset_requested', accountId: account.id });
  });
}

/** Set a new password from a reset link; ends every session of the account. */
/**
 * A password reset is how an owner takes an account back: every way in that someone else may hold ends
 * with the old password — its browser sessions, the app's device tokens and its API keys (a key minted
 * from a stolen session would otherwise keep spending and reading codes), and its devices' sign-in by id
 * and secret (`unlinkDevices`). Scripts need a new key; the app signs in with the e-mail address.
 */
export async function confirmPasswordReset(
  ctx: Ctx,
  token: string,
  password: string,
): Promise<{ accountId: string; apiKeysRevoked: number; webhookEndpointsDisabled: number }> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const row = await consumeToken(txCtx, token, 'reset_password');
    const account = await withOpenedEmail(txCtx, (await tx.select().from(accounts).where(eq(accounts.id, row.accountId)).limit(1))[0]);
    if (!account?.email || account.email !== row.email)
      throw new DomainError('INVALID_TOKEN', 'This link is no longer valid. Ask for a new one.');
    const problem = passwordProblem(password, account.email);
    if (problem) throw new DomainError('WEAK_PASSWORD', problem);
    const now = ctx.clock.now();
    await tx
      .update(accounts)
      .set({
        passwordHash: await hashPassword(password),
        passwordChangeRequired: false,
        emailVerifiedAt: account.emailVerifiedAt ?? now,
        updatedAt: now,
      })
      .where(eq(accounts.id, account.id));
    // Announced whatever ended: the address may be verified now too (the profile is cached).
    // Devices first: unlinking waits for a sign-in of the device in flight (it holds the device row), whose
    // new session the revocation that follows then sees; a later sign-in finds the device unlinked.
    const devicesUnlinked = await unlinkDevices(txCtx, account.id);
    const ended = await endAllAccess(txCtx, account.id, 'password reset');
    // An endpoint registered from a stolen session or key would keep receiving codes: all stop until the owner looks.
    const webhookEndpointsDisabled = await disableEndpointsLeftBy(
      txCtx,
      account.id,
      'all',
      'the password was reset: check the endpoint, then enable it again',
    );
    await clearThrottle(txCtx, nameKey(ctx, account.email));
    await recordSecurityEvent(txCtx, {
      type: 'password_reset_completed',
      accountId: account.id,
      details: { sessionsEnded: ended.sessions, apiKeysRevoked: ended.apiKeys, devicesUnlinked, webhookEndpointsDisabled },
    });
    await enqueueEmail(txCtx, passwordChangedMessage(ctx.config, account.email, account.id, { apiKeysRevoked: ended.apiKeys }));
    return { accountId: account.id, apiKeysRevoked: ended.apiKeys, webhookEndpointsDisabled };
  });
}

/** Change the password of a signed-in account; every other session ends. */
export async function changePassword(
  ctx: Ctx,
  accountId: string,
  currentSessionId: string | undefined,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const account = await withOpenedEmail(ctx, (await ctx.db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1))[0]);
  if (!account?.passwordHash || !account.email) {
    await verifyAgainstDummy(input.currentPassword);
    throw new DomainError('CONFLICT', 'This account has no password yet; add an e-mail address and password first.');
  }
  // Counted like sign-in: a stolen session (or, before, an API key) gave unlimited guesses here.
  await checkPasswordThrottled(
    ctx,
    { ...account, passwordHash: account.passwordHash },
    input.currentPassword,
    'The current password is wrong.',
  );
  const problem = passwordProblem(input.newPassword, account.email);
  if (problem) throw new DomainError('WEAK_PASSWORD', problem);
  const passwordHash = await hashPassword(input.newPassword);
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    await tx
      .update(accounts)
      .set({ passwordHash, passwordChangeRequired: false, updatedAt: ctx.clock.now() })
      .where(eq(accounts.id, accountId));
    // Devices before sessions (see confirmPasswordReset).
    const devicesUnlinked = await unlinkDevices(txCtx, accountId, currentSessionId);
    const ended = await revokeAllSessions(txCtx, accountId, 'password changed', currentSessionId);
    await recordSecurityEvent(txCtx, { type: 'password_changed', accountId, details: { sessionsEnded: ended, devicesUnlinked } });
    await enqueueEmail(txCtx, passwordChangedMessage(ctx.config, account.email as string, accountId));
  });
}
