import { and, eq, gt, sql } from 'drizzle-orm';
import { accounts, auditLog, instanceSettings } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';

/** The instance setting that holds it (instance_settings: shared by every instance on the database). */
export const SUPPORT_GRANT_LIMIT_SETTING = 'console.support_grant_limit';
/** Until an admin sets them, support staff may grant up to this many credits at a time… */
export const DEFAULT_SUPPORT_GRANT_LIMIT = 500;
/** …and this many in all over any 24 hours, each member: a limit per grant alone is no limit at all. */
export const DEFAULT_SUPPORT_GRANT_PER_DAY = 2_000;
export const MAX_GRANT = 1_000_000_000;

/** What support staff may grant: `credits` in one action, `perDay` in all over any 24 hours (admins have no limit). */
export interface SupportGrantLimits {
  credits: number;
  perDay: number;
}

const wholeCredits = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_GRANT ? value : fallback;

export async function supportGrantLimits(ctx: Ctx): Promise<SupportGrantLimits> {
  const [row] = await ctx.db.select().from(instanceSettings).where(eq(instanceSettings.key, SUPPORT_GRANT_LIMIT_SETTING)).limit(1);
  const value = (row?.value ?? {}) as { credits?: unknown; perDay?: unknown };
  return {
    credits: wholeCredits(value.credits, DEFAULT_SUPPORT_GRANT_LIMIT),
    perDay: wholeCredits(value.perDay, DEFAULT_SUPPORT_GRANT_PER_DAY),
  };
}

/** An admin sets the limits (0: support grants nothing); a limit left out stays as it was. Audited with who and why. */
export async function setSupportGrantLimits(
  ctx: Ctx,
  input: { credits: number; perDay?: number; reason: string; adminId: string },
): Promise<SupportGrantLimits> {
  for (const value of [input.credits, input.perDay ?? 0])
    if (!Number.isInteger(value) || value < 0 || value > MAX_GRANT)
      throw new DomainError('VALIDATION_FAILED', `A limit must be a whole number of credits from 0 to ${MAX_GRANT}.`);
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const before = await supportGrantLimits({ ...ctx, db: tx });
    const after: SupportGrantLimits = { credits: input.credits, perDay: input.perDay ?? before.perDay };
    await tx
      .insert(instanceSettings)
      .values({ key: SUPPORT_GRANT_LIMIT_SETTING, value: after, updatedAt: now })
      .onConflictDoUpdate({ target: instanceSettings.key, set: { value: after, updatedAt: now } });
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: input.adminId,
      action: 'settings.support_grant_limit',
      accountId: null,
      details: { from: before.credits, to: after.credits, perDayFrom: before.perDay, perDayTo: after.perDay, reason: input.reason },
      occurredAt: now,
    });
    return after;
  });
}

/**
 * What a support member granted over the 24 hours before `now` (their audited grants), with their
 * account row locked so that two grants of theirs at once take turns. Caller's transaction.
 */
export async function grantedInADay(ctx: Ctx, staffId: string, now: Date): Promise<number> {
  await ctx.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, staffId)).for('update');
  const [row] = await ctx.db
    .select({ total: sql<string | null>`sum((${auditLog.details}->>'amount')::bigint)` })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.actor, staffId),
        eq(auditLog.action, 'console.credits_grant'),
        gt(auditLog.occurredAt, new Date(now.getTime() - 86_400_000)),
      ),
    );
  return Number(row?.total ?? 0);
}
