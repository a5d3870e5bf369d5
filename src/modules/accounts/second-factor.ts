import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { accounts, staffFactors, staffRecoveryCodes, staffSignInChallenges } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { recordSecurityEvent } from './security-events.ts';
import { createSession, revokeSession } from './sessions.ts';
import type { SignedIn } from './signup.ts';
import { blockedUntil, clearThrottle, ipKey, recordConsecutiveFailure, recordWindowedFailure, type ThrottleKey } from './throttle.ts';
import { hashToken, newToken } from './tokens.ts';
import { openTotpSecret, recoveryCodeHash, totpStep } from './totp.ts';
import { issueTrustedDevice } from './trusted-device.ts';

/** How long a staff member has to type the code once the password was right. */
export const SECOND_FACTOR_TTL_MS = 5 * 60_000;

export interface SecondFactorPending {
  accountId: string;
  secondFactor: { token: string; expiresAt: Date };
}

/** After the right password of an enrolled staff account: the pending state the browser keeps in a cookie. */
export async function startSecondFactor(ctx: Ctx, accountId: string): Promise<SecondFactorPending['secondFactor']> {
  const now = ctx.clock.now();
  const { token, hash } = newToken('secondFactor');
  const expiresAt = new Date(now.getTime() + SECOND_FACTOR_TTL_MS);
  await ctx.db
    .insert(staffSignInChallenges)
    .values({ id: newId('tfa', now.getTime()), accountId, tokenHash: hash, createdAt: now, expiresAt });
  return { token, expiresAt };
}

/** Wrong codes count per account (like wrong passwords per name) and per address: the same throttle, the same lockout. */
const totpKey = (accountId: string) => `totp:${accountId}` as ThrottleKey;

export type SecondFactorProof = { code: string } | { recoveryCode: string };

const WRONG = () => new DomainError('INVALID_CREDENTIALS', 'The code is wrong or was already used.');

/**
 * Complete a staff sign-in with a TOTP code (one step either side of now, never a step used before)
 * or an unused recovery code: a session marked with its second factor, with the staff limits
 * (STAFF_SESSION_IDLE_MINUTES, STAFF_SESSION_MAX_HOURS).
 */
export async function completeSecondFactor(
  ctx: Ctx,
  input: { token: string | undefined; proof: SecondFactorProof; previousSession?: { accountId: string; sessionId: string } },
): Promise<SignedIn> {
  const now = ctx.clock.now();
  const [row] = input.token
    ? await ctx.db
        .select({ challenge: staffSignInChallenges, account: accounts, factor: staffFactors })
        .from(staffSignInChallenges)
        .innerJoin(accounts, eq(accounts.id, staffSignInChallenges.accountId))
        .innerJoin(staffFactors, eq(staffFactors.accountId, staffSignInChallenges.accountId))
        .where(
          and(
            eq(staffSignInChallenges.tokenHash, hashToken(input.token)),
            isNull(staffSignInChallenges.usedAt),
            gt(staffSignInChallenges.expiresAt, now),
          ),
        )
        .limit(1)
    : [];
  if (!row) throw new DomainError('INVALID_TOKEN', 'The sign-in expired (5 minutes) or was already completed: sign in again.');
  const { challenge, account, factor } = row;
  if (account.status === 'suspended') throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended. Contact support.');
  if (account.status === 'deleted') throw WRONG();

  const keys = [totpKey(account.id), ipKey(ctx)];
  const blocked = await blockedUntil(ctx, keys);
  if (blocked) {
    await recordSecurityEvent(ctx, { type: 'two_factor_throttled', accountId: account.id });
    throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many wrong codes. Wait a moment before trying again.', {
      retryAfterSeconds: Math.ceil((blocked.getTime() - now.getTime()) / 1000),
    });
  }

  const failed = async (method: string) => {
    await transaction(ctx.db, async (tx) => {
      const txCtx = withDb(ctx, tx);
      await recordConsecutiveFailure(txCtx, totpKey(account.id));
      const ip = ipKey(ctx);
      if (ip) await recordWindowedFailure(txCtx, ip);
      await recordSecurityEvent(txCtx, { type: 'two_factor_failed', accountId: account.id, details: { method } });
    });
    return WRONG();
  };

  const method = 'code' in input.proof ? 'totp' : 'recovery_code';
  const step =
    'code' in input.proof
      ? totpStep(openTotpSecret(ctx.keys, account.id, factor.totpSecret), input.proof.code.trim(), now, factor.lastTimeStep)
      : undefined;
  if ('code' in input.proof && step === undefined) throw await failed(method);

  const signedIn = await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    if (step !== undefined) {
      // Conditional: of two requests racing with the same code, one moves the step and the other finds nothing.
      const moved = await tx
        .update(staffFactors)
        .set({ lastTimeStep: step })
        .where(and(eq(staffFactors.accountId, account.id), sql`${staffFactors.lastTimeStep} < ${step}`))
        .returning({ id: staffFactors.accountId });
      if (moved.length === 0) return undefined;
    } else if ('recoveryCode' in input.proof) {
      const used = await tx
        .update(staffRecoveryCodes)
        .set({ usedAt: now })
        .where(
          and(
            eq(staffRecoveryCodes.accountId, account.id),
            eq(staffRecoveryCodes.codeHash, recoveryCodeHash(ctx.keys, input.proof.recoveryCode)),
            isNull(staffRecoveryCodes.usedAt),
          ),
        )
        .returning({ id: staffRecoveryCodes.id });
      if (used.length === 0) return undefined;
      const [left] = await tx
        .select({ count: sql<number>`count(*)::int` })
        .from(staffRecoveryCodes)
        .where(and(eq(staffRecoveryCodes.accountId, account.id), isNull(staffRecoveryCodes.usedAt)));
      await recordSecurityEvent(txCtx, { type: 'recovery_code_used', accountId: account.id, details: { left: Number(left?.count ?? 0) } });
    }
    const claimed = await tx
      .update(staffSignInChallenges)
      .set({ usedAt: now })
      .where(and(eq(staffSignInChallenges.id, challenge.id), isNull(staffSignInChallenges.usedAt)))
      .returning({ id: staffSignInChallenges.id });
    if (claimed.length === 0) throw new DomainError('INVALID_TOKEN', 'The sign-in was already completed: sign in again.');
    await clearThrottle(txCtx, totpKey(account.id));
    if (input.previousSession) {
      await revokeSession(txCtx, input.previousSession.accountId, input.previousSession.sessionId, 'replaced at sign-in').catch(() => {});
    }
    const session = await createSession(txCtx, { accountId: account.id, kind: 'browser', role: account.role, secondFactorAt: now });
    await recordSecurityEvent(txCtx, { type: 'login_succeeded', accountId: account.id, details: { secondFactor: method } });
    return session;
  });
  if (!signedIn) throw await failed(method);
  return { accountId: account.id, session: signedIn, trustedDevice: issueTrustedDevice(ctx, account.id) };
}
