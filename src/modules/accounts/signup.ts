import { accounts, authTokens } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { sealFor } from '../keyring/index.ts';
import { enqueueEmail, existingAccountMessage, verifyEmailMessage } from '../mail/index.ts';
import type { Policy } from '../privacy/index.ts';
import { requireKindOffered } from './account-kinds.ts';
import { recordConsents, requireConsent } from './consents.ts';
import { byEmail, emailColumns, normaliseEmail } from './email.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { recordSecurityEvent } from './security-events.ts';
import { createSession } from './sessions.ts';
import { ownerRecentlyTold, SIGNUP_TAKEN_THROTTLE, signupNetworkKey } from './signup-throttle.ts';
import { blockedUntil, recordWindowedFailure, type ThrottleKey } from './throttle.ts';
import { newToken } from './tokens.ts';
import { issueTrustedDevice } from './trusted-device.ts';

export const EMAIL_TOKEN_TTL_MS = 30 * 60_000;

export interface SignedIn {
  accountId: string;
  session: { id: string; token: string; expiresAt: Date };
  trustedDevice: string;
}

/**
 * Create an e-mail account and sign it in. The password is hashed before we look at the address, so a
 * taken address costs the same time; its owner gets an e-mail (at most one a day), and the caller a
 * refusal worded so that it does not say the address is registered — which its status still tells:
 * those refusals are counted per network and run out (signup-throttle.ts, ADR 17).
 */
export async function signup(
  ctx: Ctx,
  policy: Policy,
  input: { email: string; password: string; ageConfirmed: boolean; policyVersion: string },
): Promise<SignedIn> {
  requireKindOffered(ctx, 'email');
  const networkKey = await requireTakenAnswersLeft(ctx);
  requireConsent(policy, input);
  const email = normaliseEmail(input.email);
  const problem = passwordProblem(input.password, email);
  if (problem) throw new DomainError('WEAK_PASSWORD', problem);
  const passwordHash = await hashPassword(input.password);

  const outcome = await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const now = ctx.clock.now();
    const accountId = newId('acc', now.getTime());
    // Looked up by the address's keyed hash (the address itself is sealed, ADR 28).
    const existing = (await tx.select({ id: accounts.id }).from(accounts).where(byEmail(ctx, email)).limit(1))[0];
    if (existing) return { taken: true as const, withinAllowance: await answerTakenAddress(txCtx, existing.id, email, networkKey) };
    const inserted = await tx
      .insert(accounts)
      .values({
        id: accountId,
        kind: 'email',
        ...(await emailColumns(txCtx, accountId, email)),
        passwordHash,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: accounts.emailHash })
      .returning({ id: accounts.id });
    // Taken by a sign-up that committed in between: nothing of this one (its key included) is kept.
    if (inserted.length === 0) throw emailUnavailable();
    await recordConsents(txCtx, accountId, policy);
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
    const session = await createSession(txCtx, { accountId, kind: 'browser' });
    await recordSecurityEvent(txCtx, { type: 'signup', accountId });
    return { taken: false as const, accountId, session };
  });
  if (outcome.taken) return refuseTaken(ctx, outcome.withinAllowance);
  return { accountId: outcome.accountId, session: outcome.session, trustedDevice: issueTrustedDevice(ctx, outcome.accountId) };
}

/**
 * Whether this network may still be told that an address is taken (sign-up, or a device account adding
 * an address: either answer says it): its network key, or 429 once its answers for the day ran out.
 */
export async function requireTakenAnswersLeft(ctx: Ctx): Promise<ThrottleKey | undefined> {
  const networkKey = signupNetworkKey(ctx);
  const blocked = await blockedUntil(ctx, [networkKey]);
  if (blocked) {
    throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many sign-up attempts from your network. Try again later, or sign in.', {
      retryAfterSeconds: Math.ceil((blocked.getTime() - ctx.clock.now().getTime()) / 1000),
    });
  }
  return networkKey;
}

/**
 * Someone asked for an address that has an account: its owner hears of it (at most once a day) and
 * sees it among their security events, and the asking network's answers are counted (ADR 17). In the
 * caller's transaction, which must commit (the refusal is thrown after it).
 */
export async function answerTakenAddress(ctx: Ctx, ownerId: string, email: string, networkKey: ThrottleKey | undefined): Promise<boolean> {
  const told = await ownerRecentlyTold(ctx, ownerId);
  await recordSecurityEvent(ctx, { type: 'signup_with_existing_email', accountId: ownerId });
  if (!told) await enqueueEmail(ctx, existingAccountMessage(ctx.config, email, ownerId));
  if (!networkKey) return true;
  // Counted atomically (the row is locked to the commit): of answers sent at once, only the day's allowance say "taken".
  return (await recordWindowedFailure(ctx, networkKey, SIGNUP_TAKEN_THROTTLE)) <= SIGNUP_TAKEN_THROTTLE.maxFailures;
}

/** After the transaction that counted it: an answer past the network's allowance is 429, as the next request's would be. */
export async function refuseTaken(ctx: Ctx, withinAllowance: boolean): Promise<never> {
  if (!withinAllowance) await requireTakenAnswersLeft(ctx);
  throw emailUnavailable();
}

export const emailUnavailable = () =>
  new DomainError(
    'EMAIL_UNAVAILABLE',
    'This e-mail address cannot be used for a new account. If it is yours, sign in or reset your password; we have sent it instructions.',
  );
