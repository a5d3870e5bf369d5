import { and, desc, eq, lt } from 'drizzle-orm';
import { securityEvents } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { cleanUserAgent, ipHash, ipPrefix } from './network.ts';
import type { SecurityEventView } from './schemas.ts';

export const SECURITY_EVENT_TYPES = [
  'signup',
  'login_succeeded',
  'login_failed',
  'login_throttled',
  'logout',
  'device_signed_in',
  'device_sign_in_failed',
  'account_upgraded',
  'email_verified',
  'password_changed',
  'password_reset_requested',
  'password_reset_completed',
  'signup_with_existing_email',
  'session_revoked',
  'api_key_created',
  'api_key_revoked',
  'role_changed',
  'account_suspended',
  'account_unsuspended',
  'policy_accepted',
  'data_exported',
  'reauthentication_failed',
  'reauthentication_throttled',
  'two_factor_enrolment_issued',
  'two_factor_enrolled',
  'two_factor_failed',
  'two_factor_throttled',
  'recovery_code_used',
  'two_factor_reset',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** Record a security event in the caller's transaction (so it commits with what it describes). */
export async function recordSecurityEvent(
  ctx: Ctx,
  event: { type: SecurityEventType; accountId: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await ctx.db.insert(securityEvents).values({
    id: newId('sev', ctx.clock.now().getTime()),
    accountId: event.accountId,
    actor: ctx.actor ?? null,
    type: event.type,
    occurredAt: ctx.clock.now(),
    ipPrefix: ipPrefix(ctx.meta?.ip),
    ipHash: ipHash(ctx.keys, ctx.meta?.ip),
    userAgent: cleanUserAgent(ctx.meta?.userAgent),
    details: event.details ?? null,
  });
}

/** A customer's own events, newest first, paginated by id cursor. */
export async function listSecurityEvents(
  ctx: Ctx,
  accountId: string,
  page: { limit: number; before?: string },
): Promise<SecurityEventView[]> {
  const rows = await ctx.db
    .select()
    .from(securityEvents)
    .where(and(eq(securityEvents.accountId, accountId), page.before ? lt(securityEvents.id, page.before) : undefined))
    .orderBy(desc(securityEvents.id))
    .limit(page.limit);
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    occurredAt: row.occurredAt,
    ipPrefix: row.ipPrefix,
    userAgent: row.userAgent,
    byStaff: row.actor !== null,
    details: row.details,
  }));
}
