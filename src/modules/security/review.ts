import { createHash } from 'node:crypto';
import { and, desc, eq, gt, gte, lt, type SQL } from 'drizzle-orm';
import { accounts, auditLog, authThrottles, securityEvents } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { type AuditEntryView, LOCKOUT_KINDS, type LockoutView, type StaffSecurityEventView } from './schemas.ts';

/** At most this many lockouts are listed (the newest blocks first): more means an attack, seen by the count. */
export const MAX_LOCKOUTS = 500;

export async function accountExists(ctx: Ctx, accountId: string): Promise<boolean> {
  const [row] = await ctx.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId)).limit(1);
  return row !== undefined;
}

/**
 * Security events across accounts, newest first, paged by id (ids grow with time): by type, account
 * and period [from, to). Reads `limit + 1` rows so the caller knows whether another page exists.
 */
export async function searchSecurityEvents(
  ctx: Ctx,
  filter: { type?: string; accountId?: string; from?: Date; to?: Date; before?: string; limit: number },
): Promise<StaffSecurityEventView[]> {
  const where: (SQL | undefined)[] = [
    filter.type ? eq(securityEvents.type, filter.type) : undefined,
    filter.accountId ? eq(securityEvents.accountId, filter.accountId) : undefined,
    filter.from ? gte(securityEvents.occurredAt, filter.from) : undefined,
    filter.to ? lt(securityEvents.occurredAt, filter.to) : undefined,
    filter.before ? lt(securityEvents.id, filter.before) : undefined,
  ];
  const rows = await ctx.db
    .select()
    .from(securityEvents)
    .where(and(...where))
    .orderBy(desc(securityEvents.id))
    .limit(filter.limit + 1);
  return rows.map((row) => ({
    id: row.id,
    accountId: row.accountId,
    type: row.type,
    occurredAt: row.occurredAt,
    actor: row.actor,
    ipPrefix: row.ipPrefix,
    userAgent: row.userAgent,
    details: row.details,
  }));
}

const kindOf = (key: string): LockoutView['kind'] => {
  const prefix = key.slice(0, key.indexOf(':'));
  return (LOCKOUT_KINDS as readonly string[]).includes(prefix) ? (prefix as LockoutView['kind']) : 'other';
};

/**
 * What the sign-in throttles (accounts/throttle.ts, auth_throttles) block now. Keys hold keyed hashes
 * of names and addresses, or a trusted browser's cookie nonce: only a short hash of the key leaves
 * here, enough to tell entries apart and follow one over time; the throttle of an account's second
 * factor names the account.
 */
export async function currentLockouts(ctx: Ctx): Promise<LockoutView[]> {
  const rows = await ctx.db
    .select()
    .from(authThrottles)
    .where(gt(authThrottles.blockedUntil, ctx.clock.now()))
    .orderBy(desc(authThrottles.blockedUntil))
    .limit(MAX_LOCKOUTS);
  return rows.map(lockoutView);
}

/** The short reference staff see instead of a throttle's key (which holds keyed hashes of names and addresses). */
export const lockoutRef = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 12);

/** A blocked key as staff see it: its kind, the account where the key names one, a short reference of the key. */
export function lockoutView(row: typeof authThrottles.$inferSelect): LockoutView {
  const kind = kindOf(row.key);
  return {
    kind,
    accountId: kind === 'totp' ? row.key.slice('totp:'.length) : null,
    ref: lockoutRef(row.key),
    failures: row.failures,
    blockedUntil: row.blockedUntil as Date,
    updatedAt: row.updatedAt,
  };
}

/** The staff and operators' audit log, newest first, paged by id: by action, account and actor. Reads `limit + 1` rows. */
export async function searchAuditLog(
  ctx: Ctx,
  filter: { action?: string; accountId?: string; actor?: string; before?: string; limit: number },
): Promise<AuditEntryView[]> {
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(
      and(
        filter.action ? eq(auditLog.action, filter.action) : undefined,
        filter.accountId ? eq(auditLog.accountId, filter.accountId) : undefined,
        filter.actor ? eq(auditLog.actor, filter.actor) : undefined,
        filter.before ? lt(auditLog.id, filter.before) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(filter.limit + 1);
  return rows.map((row) => ({
    id: row.id,
    actor: row.actor,
    action: row.action,
    accountId: row.accountId,
    reason: typeof row.details?.reason === 'string' ? row.details.reason : null,
    details: row.details,
    occurredAt: row.occurredAt,
  }));
}
