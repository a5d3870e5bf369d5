import { eq } from 'drizzle-orm';
import { accounts } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { type Ctx, withDb } from '../context.ts';
import type { Policy } from '../privacy/index.ts';
import { acceptedPolicyVersion, recordConsents, requireConsent } from './consents.ts';
import { recordSecurityEvent } from './security-events.ts';

export interface Profile {
  id: string;
  email: string | null;
  kind: 'email' | 'device';
  role: 'customer' | 'support' | 'admin';
  emailVerified: boolean;
  createdAt: Date;
  policy: { acceptedVersion: string | null; currentVersion: string; lastUpdated: string; acceptanceRequired: boolean };
}

export async function getProfile(ctx: Ctx, accountId: string, policy: Policy): Promise<Profile> {
  const account = (await ctx.db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1))[0];
  if (!account) throw new DomainError('NOT_FOUND', 'No such account.');
  const accepted = await acceptedPolicyVersion(ctx, accountId);
  return {
    id: account.id,
    email: account.email,
    kind: account.kind,
    role: account.role,
    emailVerified: account.emailVerifiedAt !== null,
    createdAt: account.createdAt,
    policy: {
      acceptedVersion: accepted,
      currentVersion: policy.version,
      lastUpdated: policy.lastUpdated,
      // Staff created from the command line never accepted the consumer policy; they are not asked.
      acceptanceRequired: account.role === 'customer' && accepted !== policy.version,
    },
  };
}

/** Accept the current policy after it changed (P14); the age confirmation is given again with it. */
export async function acceptPolicy(
  ctx: Ctx,
  accountId: string,
  policy: Policy,
  input: { policyVersion: string; ageConfirmed: boolean },
): Promise<void> {
  requireConsent(policy, input);
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    if ((await acceptedPolicyVersion(txCtx, accountId)) === policy.version) return;
    await recordConsents(txCtx, accountId, policy);
    await recordSecurityEvent(txCtx, { type: 'policy_accepted', accountId, details: { version: policy.version } });
  });
}
