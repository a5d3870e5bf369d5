import { and, eq } from 'drizzle-orm';
import { accounts, apiKeys, sessions } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import type { Principal } from './principal.ts';
import { sessionLimits } from './sessions.ts';

export interface Standing {
  /** The credential still grants access: not revoked, not expired or idle, its account not suspended. */
  valid: boolean;
  /** When it ends by itself unless used meanwhile (a session's expiry or idle timeout); undefined: never. */
  endsAt?: Date;
}

/**
 * Whether the credential behind a principal still grants access, read from the database without
 * touching it (a long-lived connection such as an event stream must not keep a session alive).
 */
export async function credentialStanding(ctx: Ctx, principal: Principal): Promise<Standing> {
  const now = ctx.clock.now();
  if (principal.via === 'api_key') {
    if (!principal.apiKeyId) return { valid: false };
    const [row] = await ctx.db
      .select({ revokedAt: apiKeys.revokedAt, status: accounts.status })
      .from(apiKeys)
      .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
      .where(and(eq(apiKeys.id, principal.apiKeyId), eq(apiKeys.accountId, principal.accountId)));
    return { valid: row !== undefined && row.revokedAt === null && row.status === 'active' };
  }
  if (!principal.sessionId) return { valid: false };
  const [row] = await ctx.db
    .select({ session: sessions, status: accounts.status })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(and(eq(sessions.id, principal.sessionId), eq(sessions.accountId, principal.accountId)));
  if (!row || row.session.revokedAt !== null || row.status !== 'active') return { valid: false };
  const { idleMs } = sessionLimits(ctx, row.session.kind);
  const endsAt = Math.min(
    row.session.expiresAt.getTime(),
    idleMs === undefined ? Number.POSITIVE_INFINITY : row.session.lastUsedAt.getTime() + idleMs,
  );
  return { valid: endsAt > now.getTime(), endsAt: new Date(endsAt) };
}
