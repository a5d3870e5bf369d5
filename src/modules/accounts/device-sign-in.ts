import { createHmac } from 'node:crypto';
import { and, eq, isNull, ne } from 'drizzle-orm';
import { accounts, devices, sessions } from '../../db/schema/index.ts';
import { sqlState, transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { accountKeyForSealing } from '../keyring/index.ts';
import type { Policy } from '../privacy/index.ts';
import { requireKindOffered } from './account-kinds.ts';
import { acceptedPolicyVersion, recordConsents, requireConsent } from './consents.ts';
import { deviceSecretHash, deviceSecretMatches } from './device-secret.ts';
import { randomValueProblem } from './random-values.ts';
import { recordSecurityEvent } from './security-events.ts';
import { createSession, revokeDeviceSessions } from './sessions.ts';
import { blockedUntil, clearThrottle, deviceSignInKey, ipKey, recordConsecutiveFailure, recordWindowedFailure } from './throttle.ts';

export interface DeviceInfo {
  deviceId: string;
  platform: string;
  osVersion: string;
  model: string;
  appVersion: string;
}

/** What the id of a new device must be (random-values.ts); ids of devices from before v2 were free-form up to 200 characters. */
export const DEVICE_ID_RULES = { maxLength: 200, uuid: true } as const;

/**
 * What the sign-in's `Authorization: Bearer` header showed: nothing, a credential that is not valid
 * (expired, signed out, unknown), or a live one (a device token has its session). Only a live token
 * of the same device lets a device from before secrets existed register one when its id is weak.
 */
export type PresentedToken = { state: 'none' } | { state: 'invalid' } | { state: 'valid'; sessionId: string | undefined };

/** The device identifier is stored only as HMAC-SHA256 under a key derived from SECRET_KEY (P1). */
export const deviceHash = (ctx: Ctx, deviceId: string): string =>
  createHmac('sha256', ctx.keys.derive('device-id-hmac')).update(deviceId).digest('hex');

type Refusal = 'wrong_secret' | 'legacy_unproven' | 'legacy_token_invalid' | 'unlinked';

const REFUSALS: Record<Refusal, string> = {
  wrong_secret: 'The device id or the device secret is wrong.',
  legacy_unproven:
    'This device signed in before device secrets existed, and its id is not random enough to vouch for it. ' +
    'Sign in once with the device token you hold (Authorization: Bearer otp_dev_…) and your deviceSecret to register the secret.',
  unlinked:
    'This device was signed out of its account when the account was taken back (a password reset or change, or ' +
    '"sign out everywhere else"). Sign in with the account’s e-mail address and password.',
  legacy_token_invalid:
    'The token sent is not a live device token of this device (expired, signed out, or another’s), so it cannot register ' +
    'a secret for this device. If the account has an e-mail address, sign in with it; otherwise contact support.',
};

/**
 * Create the anonymous account of a device, or sign it in again (contract v2, ADR 7). The device proves
 * possession with its secret: the first sign-in sets it, every later one must present the same one.
 * A device from before secrets existed registers one at its next sign-in, when its id is random enough
 * to have been a secret itself or the request carries a live token of that device. Every success ends
 * the device's earlier sessions: one live token per device. Refusals count in the sign-in throttles.
 * Device details are refreshed at every sign-in (P2). Nothing else about the person is asked.
 */
export async function deviceSignIn(
  ctx: Ctx,
  policy: Policy,
  input: DeviceInfo & { deviceSecret: string; ageConfirmed: boolean; policyVersion: string; token?: PresentedToken },
): Promise<{ accountId: string; token: string; created: boolean; expiresAt: Date }> {
  requireConsent(policy, input);
  const hash = deviceHash(ctx, input.deviceId);
  const deviceKey = deviceSignInKey(hash);
  const ip = ipKey(ctx);
  const blocked = await blockedUntil(ctx, [deviceKey, ip]);
  if (blocked) {
    const [known] = await ctx.db.select({ accountId: devices.accountId }).from(devices).where(eq(devices.deviceHash, hash)).limit(1);
    if (known) await recordSecurityEvent(ctx, { type: 'login_throttled', accountId: known.accountId, details: { device: true } });
    throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many failed sign-in attempts. Wait a moment before trying again.', {
      retryAfterSeconds: Math.ceil((blocked.getTime() - ctx.clock.now().getTime()) / 1000),
    });
  }

  for (let attempt = 0; ; attempt++) {
    try {
      const outcome = await signInOnce(ctx, policy, input, hash);
      if ('refused' in outcome) {
        await transaction(ctx.db, async (tx) => {
          const txCtx = withDb(ctx, tx);
          await recordConsecutiveFailure(txCtx, deviceKey);
          if (ip) await recordWindowedFailure(txCtx, ip);
          await recordSecurityEvent(txCtx, {
            type: 'device_sign_in_failed',
            accountId: outcome.accountId,
            details: { reason: outcome.refused },
          });
        });
        throw new DomainError('INVALID_CREDENTIALS', REFUSALS[outcome.refused]);
      }
      return outcome;
    } catch (error) {
      // Two first sign-ins of one device at once: the loser of the unique index signs in to the winner's account.
      if (sqlState(error) === '23505' && attempt === 0) continue;
      throw error;
    }
  }
}

type Outcome = { accountId: string; token: string; created: boolean; expiresAt: Date } | { refused: Refusal; accountId: string };

async function signInOnce(
  ctx: Ctx,
  policy: Policy,
  input: DeviceInfo & { deviceSecret: string; token?: PresentedToken },
  hash: string,
): Promise<Outcome> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const now = ctx.clock.now();
    // Sealed under the account's key (ADR 28), bound to the device row; never copied in clear elsewhere.
    const sealDetails = async (accountId: string, deviceId: string) => {
      const key = await accountKeyForSealing(txCtx, accountId);
      return {
        platform: key.seal('devices.platform', deviceId, input.platform),
        osVersion: key.seal('devices.os_version', deviceId, input.osVersion),
        model: key.seal('devices.model', deviceId, input.model),
        appVersion: key.seal('devices.app_version', deviceId, input.appVersion),
      };
    };
    // Locked, so sign-ins of one device take turns: each ends the sessions of the one before.
    const [known] = await tx
      .select({ device: devices, account: accounts })
      .from(devices)
      .innerJoin(accounts, eq(accounts.id, devices.accountId))
      .where(eq(devices.deviceHash, hash))
      .limit(1)
      .for('update', { of: devices });
    let accountId: string;
    let deviceRowId: string;
    let secretRegistered = false;
    if (known) {
      accountId = known.account.id;
      deviceRowId = known.device.id;
      const refused = await proofProblem(txCtx, known.device, input);
      if (refused) return { refused, accountId };
      // Only after the proof, as below: a stranger learns nothing about the account.
      if (known.device.unlinkedAt) return { refused: 'unlinked', accountId };
      // Erased a moment ago (ADR 27): never signed in again. Its device row goes with the rest of its
      // data; from then on this device's sign-in creates a new account.
      if (known.account.status === 'deleted') return { refused: 'wrong_secret', accountId };
      // Only after the proof: a stranger learns nothing about the account.
      if (known.account.status === 'suspended') throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended. Contact support.');
      secretRegistered = known.device.secretHash === null;
      await tx
        .update(devices)
        .set({
          ...(await sealDetails(accountId, deviceRowId)),
          ...(secretRegistered ? { secretHash: deviceSecretHash(ctx, input.deviceSecret) } : {}),
          lastSeenAt: now,
        })
        .where(eq(devices.id, deviceRowId));
      if ((await acceptedPolicyVersion(txCtx, accountId)) !== policy.version) await recordConsents(txCtx, accountId, policy);
    } else {
      requireKindOffered(ctx, 'device');
      const weakId = randomValueProblem(input.deviceId, DEVICE_ID_RULES);
      if (weakId) {
        throw new DomainError('VALIDATION_FAILED', `Invalid request — body.deviceId: ${weakId}`, {
          issues: [{ field: 'body.deviceId', message: weakId }],
        });
      }
      accountId = newId('acc', now.getTime());
      deviceRowId = newId('dev', now.getTime());
      await tx.insert(accounts).values({ id: accountId, kind: 'device', createdAt: now, updatedAt: now });
      await tx.insert(devices).values({
        id: deviceRowId,
        accountId,
        deviceHash: hash,
        secretHash: deviceSecretHash(ctx, input.deviceSecret),
        ...(await sealDetails(accountId, deviceRowId)),
        createdAt: now,
        lastSeenAt: now,
      });
      await recordConsents(txCtx, accountId, policy);
    }
    const endedSessions = known ? await revokeDeviceSessions(txCtx, accountId, deviceRowId, 'replaced by a new sign-in of the device') : 0;
    await clearThrottle(txCtx, deviceSignInKey(hash));
    const session = await createSession(txCtx, { accountId, kind: 'device', deviceId: deviceRowId });
    await recordSecurityEvent(txCtx, {
      type: 'device_signed_in',
      accountId,
      // The device's details are not copied here: they are sealed on its row (ADR 28).
      details: { created: !known, secretRegistered, endedSessions },
    });
    return { accountId, token: session.token, created: !known, expiresAt: session.expiresAt };
  });
}

/**
 * Why this sign-in does not prove possession of a known device, if it does not: a registered secret
 * must match; a device without one (from before secrets existed) may register one when its id is
 * random (then the id was a secret already) or the request carries a live token of this device.
 */
async function proofProblem(
  ctx: Ctx,
  device: { id: string; secretHash: string | null },
  input: { deviceId: string; deviceSecret: string; token?: PresentedToken },
): Promise<Refusal | undefined> {
  if (device.secretHash !== null) return deviceSecretMatches(ctx, device.secretHash, input.deviceSecret) ? undefined : 'wrong_secret';
  if (randomValueProblem(input.deviceId, DEVICE_ID_RULES) === undefined) return undefined;
  const token = input.token ?? { state: 'none' };
  if (token.state === 'none') return 'legacy_unproven';
  if (token.state === 'invalid' || !token.sessionId) return 'legacy_token_invalid';
  const [session] = await ctx.db
    .select({ deviceId: sessions.deviceId })
    .from(sessions)
    .where(and(eq(sessions.id, token.sessionId), isNull(sessions.revokedAt)))
    .limit(1);
  return session?.deviceId === device.id ? undefined : 'legacy_token_invalid';
}

/**
 * The owner takes the account back (a password reset or change, "sign out everywhere else"): every
 * device but the one in use (the device of the session `current`) stops signing in with its id and secret. Ending
 * its sessions is not enough — whoever holds the id and secret would sign straight back in. Only an
 * account with an e-mail address has devices to unlink: it has another way in; an anonymous account's
 * one device is its only way in, and it keeps it. In the caller's transaction.
 */
export async function unlinkDevices(ctx: Ctx, accountId: string, current?: string): Promise<number> {
  const [account] = await ctx.db.select({ email: accounts.email }).from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (!account?.email) return 0;
  const [session] = current
    ? await ctx.db.select({ deviceId: sessions.deviceId }).from(sessions).where(eq(sessions.id, current)).limit(1)
    : [];
  const keep = session?.deviceId;
  const unlinked = await ctx.db
    .update(devices)
    .set({ unlinkedAt: ctx.clock.now() })
    .where(and(eq(devices.accountId, accountId), isNull(devices.unlinkedAt), keep ? ne(devices.id, keep) : undefined))
    .returning({ id: devices.id });
  return unlinked.length;
}
