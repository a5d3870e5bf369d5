import { accounts } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { type Ctx, withDb } from '../context.ts';
import { byEmail, normaliseEmail } from './email.ts';
import { verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { STAFF_ROLES } from './principal.ts';
import { type SecondFactorPending, startSecondFactor } from './second-factor.ts';
import { recordSecurityEvent } from './security-events.ts';
import { createSession, revokeSession } from './sessions.ts';
import type { SignedIn } from './signup.ts';
import { hasSecondFactor } from './staff-enrolment.ts';
import {
  blockedUntil,
  clearThrottle,
  ipKey,
  nameKey,
  recordConsecutiveFailure,
  recordWindowedFailure,
  type ThrottleKey,
  trustedDeviceKey,
} from './throttle.ts';
import { issueTrustedDevice, trustedDeviceNonce } from './trusted-device.ts';

const INVALID = () => new DomainError('INVALID_CREDENTIALS', 'The e-mail address or the password is wrong.');

/**
 * Sign in with e-mail and password. Unknown addresses and wrong passwords get the same answer in the
 * same time (a dummy hash is checked). Throttled attempts never reach the password check. A new
 * session is created at every sign-in, and the session the browser had before is ended.
 * Staff accounts (ADR 31) get no session for the password alone: an enrolled one gets the pending
 * second-factor state (`secondFactor`), completed by `completeSecondFactor`; one not yet enrolled is
 * refused with TWO_FACTOR_REQUIRED.
 */
export async function login(
  ctx: Ctx,
  input: { email: string; password: string; trustedDeviceCookie?: string; previousSession?: { accountId: string; sessionId: string } },
): Promise<SignedIn | SecondFactorPending> {
  const email = normaliseEmail(input.email);
  const account = (await ctx.db.select().from(accounts).where(byEmail(ctx, email)).limit(1))[0];
  const nonce = account ? trustedDeviceNonce(ctx, input.trustedDeviceCookie, account.id) : undefined;
  const keys: { consecutive: ThrottleKey; ip?: ThrottleKey } = nonce
    ? { consecutive: trustedDeviceKey(nonce) }
    : { consecutive: nameKey(ctx, email), ip: ipKey(ctx) };

  const blocked = await blockedUntil(ctx, [keys.consecutive, keys.ip]);
  if (blocked) {
    if (account) await recordSecurityEvent(ctx, { type: 'login_throttled', accountId: account.id });
    throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many failed sign-in attempts. Wait a moment before trying again.', {
      retryAfterSeconds: Math.ceil((blocked.getTime() - ctx.clock.now().getTime()) / 1000),
    });
  }

  const valid = account?.passwordHash
    ? await verifyPassword(account.passwordHash, input.password)
    : await verifyAgainstDummy(input.password);
  // A deleted account (its e-mail is erased moments later, ADR 27) answers like an unknown address.
  if (!account || !valid || account.status === 'deleted') {
    await transaction(ctx.db, async (tx) => {
      const txCtx = withDb(ctx, tx);
      await recordConsecutiveFailure(txCtx, keys.consecutive);
      if (keys.ip) await recordWindowedFailure(txCtx, keys.ip);
      await recordSecurityEvent(txCtx, {
        type: 'login_failed',
        accountId: account?.id ?? null,
        details: { trustedDevice: Boolean(nonce) },
      });
    });
    throw INVALID();
  }
  if (account.status === 'suspended') throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended. Contact support.');

  if (STAFF_ROLES.includes(account.role)) {
    await transaction(ctx.db, async (tx) => {
      await clearThrottle(withDb(ctx, tx), keys.consecutive);
      await clearThrottle(withDb(ctx, tx), nameKey(ctx, email));
    });
    if (!(await hasSecondFactor(ctx, account.id))) {
      throw new DomainError(
        'TWO_FACTOR_REQUIRED',
        'Staff accounts sign in with a second factor: open the enrolment link from `otpbox admin enrol --email …` first.',
      );
    }
    return { accountId: account.id, secondFactor: await startSecondFactor(ctx, account.id) };
  }

  const session = await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    await clearThrottle(txCtx, keys.consecutive);
    await clearThrottle(txCtx, nameKey(ctx, email));
    if (input.previousSession) {
      await revokeSession(txCtx, input.previousSession.accountId, input.previousSession.sessionId, 'replaced at sign-in').catch(() => {});
    }
    const created = await createSession(txCtx, { accountId: account.id, kind: 'browser' });
    await recordSecurityEvent(txCtx, { type: 'login_succeeded', accountId: account.id, details: { trustedDevice: Boolean(nonce) } });
    return created;
  });
  return { accountId: account.id, session, trustedDevice: issueTrustedDevice(ctx, account.id) };
}

export async function logout(ctx: Ctx, accountId: string, sessionId: string): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    await revokeSession(txCtx, accountId, sessionId, 'signed out');
    await recordSecurityEvent(txCtx, { type: 'logout', accountId });
  });
}
