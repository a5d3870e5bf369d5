import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { accounts } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { announceAuthChange } from './auth-changes.ts';

/**
 * Restrict (or stop restricting) the processing of an account's data at the customer's request (GDPR
 * Art. 18; ADR 25): the account and its data stay, the customer still signs in, sees and exports, but
 * no order is placed and no webhook is sent. It rides on the account's standing like a suspension: the
 * principal carries it (credential caches dropped through `announceAuthChange`), the order route
 * refuses with ACCOUNT_RESTRICTED, the webhook sender holds the account's deliveries. Runs in the
 * caller's transaction (the privacy request that decided it audits it); answers whether it changed.
 */
export async function setProcessingRestriction(ctx: Ctx, accountId: string, restricted: boolean, _reason: string): Promise<boolean> {
  const now = ctx.clock.now();
  const changed = await ctx.db
    .update(accounts)
    .set({ processingRestrictedAt: restricted ? now : null, updatedAt: now })
    .where(
      and(eq(accounts.id, accountId), restricted ? isNull(accounts.processingRestrictedAt) : isNotNull(accounts.processingRestrictedAt)),
    )
    .returning({ id: accounts.id });
  if (changed.length === 0) return false;
  await announceAuthChange(ctx.db, accountId);
  return true;
}

/** The refusal of anything that would process a restricted account's data (placing an order). */
export const processingRestricted = (): DomainError =>
  new DomainError(
    'ACCOUNT_RESTRICTED',
    'Processing of this account is restricted at your request: no order can be placed until the restriction is lifted. Contact support to lift it.',
  );
