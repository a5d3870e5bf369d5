import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { accounts, devices } from '../../db/schema/index.ts';
import { sqlState, transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import type { Policy } from '../privacy/policy.ts';
import { acceptedPolicyVersion, recordConsents, requireConsent } from './consents.ts';
import { recordSecurityEvent } from './security-events.ts';
import { createSession } from './sessions.ts';

export interface DeviceInfo {
  deviceId: string;
  platform: string;
  osVersion: string;
  model: string;
  appVersion: string;
}

/** The device identifier is stored only as HMAC-SHA256 under a key derived from SECRET_KEY (P1). */
export const deviceHash = (ctx: Ctx, deviceId: string): string =>
  createHmac('sha256', ctx.keys.derive('device-id-hmac')).update(deviceId).digest('hex');

/**
 * Create the anonymous account of a device, or sign it in again: the same device id always reaches the
 * same account. Device details are refreshed at every sign-in (P2). Nothing else about the person is asked.
 */
export async function deviceSignIn(
  ctx: Ctx,
  policy: Policy,
  input: DeviceInfo & { ageConfirmed: boolean; policyVersion: string },
): Promise<{ accountId: string; token: string; created: boolean; expiresAt: Date }> {
  requireConsent(policy, input);
  const hash = deviceHash(ctx, input.deviceId);
  for (let attempt = 0; ; attempt++) {
    try {
      return await transaction(ctx.db, async (tx) => {
        const txCtx = withDb(ctx, tx);
        const now = ctx.clock.now();
        const details = { platform: input.platform, osVersion: input.osVersion, model: input.model, appVersion: input.appVersion };
        const [known] = await tx
          .select({ device: devices, account: accounts })
          .from(devices)
          .innerJoin(accounts, eq(accounts.id, devices.accountId))
          .where(eq(devices.deviceHash, hash))
          .limit(1);
        let accountId: string;
        let deviceRowId: string;
        if (known) {
          if (known.account.status === 'suspended')
            throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended. Contact support.');
          accountId = known.account.id;
          deviceRowId = known.device.id;
          await tx
            .update(devices)
            .set({ ...details, lastSeenAt: now })
            .where(eq(devices.id, deviceRowId));
          if ((await acceptedPolicyVersion(txCtx, accountId)) !== policy.version) await recordConsents(txCtx, accountId, policy);
        } else {
          accountId = newId('acc', now.getTime());
          deviceRowId = newId('dev', now.getTime());
          await tx.insert(accounts).values({ id: accountId, kind: 'device', createdAt: now, updatedAt: now });
          await tx.insert(devices).values({ id: deviceRowId, accountId, deviceHash: hash, ...details, createdAt: now, lastSeenAt: now });
          await recordConsents(txCtx, accountId, policy);
        }
        const session = await createSession(txCtx, { accountId, kind: 'device', deviceId: deviceRowId });
        await recordSecurityEvent(txCtx, { type: 'device_signed_in', accountId, details: { created: !known, ...details } });
        return { accountId, token: session.token, created: !known, expiresAt: session.expiresAt };
      });
    } catch (error) {
      // Two first sign-ins of one device at once: the loser of the unique index signs in to the winner's account.
      if (sqlState(error) === '23505' && attempt === 0) continue;
      throw error;
    }
  }
}
