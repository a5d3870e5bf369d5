import { eq } from 'drizzle-orm';
import { auditLog, instanceSettings } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';

/** The instance setting that holds it (instance_settings: shared by every instance on the database). */
export const SUPPORT_GRANT_LIMIT_SETTING = 'console.support_grant_limit';
/** Until an admin sets one, support staff may grant up to this many credits at a time. */
export const DEFAULT_SUPPORT_GRANT_LIMIT = 500;
export const MAX_GRANT = 1_000_000_000;

/** How many credits support staff may grant in one action (admins have no limit). */
export async function supportGrantLimit(ctx: Ctx): Promise<number> {
  const [row] = await ctx.db.select().from(instanceSettings).where(eq(instanceSettings.key, SUPPORT_GRANT_LIMIT_SETTING)).limit(1);
  const value = (row?.value as { credits?: unknown } | undefined)?.credits;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : DEFAULT_SUPPORT_GRANT_LIMIT;
}

/** An admin sets the limit (0: support grants nothing). Audited with who and why. */
export async function setSupportGrantLimit(ctx: Ctx, input: { credits: number; reason: string; adminId: string }): Promise<number> {
  if (!Number.isInteger(input.credits) || input.credits < 0 || input.credits > MAX_GRANT)
    throw new DomainError('VALIDATION_FAILED', `The limit must be a whole number of credits from 0 to ${MAX_GRANT}.`);
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const before = await supportGrantLimit({ ...ctx, db: tx });
    await tx
      .insert(instanceSettings)
      .values({ key: SUPPORT_GRANT_LIMIT_SETTING, value: { credits: input.credits }, updatedAt: now })
      .onConflictDoUpdate({ target: instanceSettings.key, set: { value: { credits: input.credits }, updatedAt: now } });
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: input.adminId,
      action: 'settings.support_grant_limit',
      accountId: null,
      details: { from: before, to: input.credits, reason: input.reason },
      occurredAt: now,
    });
    return input.credits;
  });
}
