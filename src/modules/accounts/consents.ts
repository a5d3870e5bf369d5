import { and, desc, eq } from 'drizzle-orm';
import { consents } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import type { Policy } from '../privacy/index.ts';
import { announceAuthChange } from './auth-changes.ts';

/** Refuse sign-ups and sign-ins that did not confirm the minimum age or accepted another policy version. */
export function requireConsent(policy: Policy, input: { ageConfirmed: boolean; policyVersion: string }): void {
  if (input.ageConfirmed !== true) {
    throw new DomainError('AGE_CONFIRMATION_REQUIRED', `You must confirm that you are at least ${policy.minimumAge} years old.`, {
      minimumAge: policy.minimumAge,
    });
  }
  if (input.policyVersion !== policy.version) {
    throw new DomainError('POLICY_OUTDATED', 'The privacy policy has changed; read and accept the current version.', {
      currentVersion: policy.version,
      lastUpdated: policy.lastUpdated,
    });
  }
}

/** Record the age confirmation and the policy acceptance (in the caller's transaction). */
export async function recordConsents(ctx: Ctx, accountId: string, policy: Policy): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.insert(consents).values([
    {
      id: newId('cns', now.getTime()),
      accountId,
      kind: 'minimum_age',
      policyVersion: policy.version,
      minimumAge: policy.minimumAge,
      givenAt: now,
    },
    {
      id: newId('cns', now.getTime()),
      accountId,
      kind: 'privacy_policy',
      policyVersion: policy.version,
      minimumAge: policy.minimumAge,
      givenAt: now,
    },
  ]);
  // The profile shows the accepted version (GET /api/v1/me is cached).
  await announceAuthChange(ctx.db, accountId);
}

export async function acceptedPolicyVersion(ctx: Ctx, accountId: string): Promise<string | null> {
  const [row] = await ctx.db
    .select({ version: consents.policyVersion })
    .from(consents)
    .where(and(eq(consents.accountId, accountId), eq(consents.kind, 'privacy_policy')))
    .orderBy(desc(consents.givenAt), desc(consents.id))
    .limit(1);
  return row?.version ?? null;
}
