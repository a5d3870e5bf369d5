import { and, desc, eq, isNull, ne, type SQL } from 'drizzle-orm';
import { accounts, devices, type Role, type SessionKind, sessions } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { openFor, readAccountKey } from '../keyring/index.ts';
import { announceAuthChange } from './auth-changes.ts';
import { cleanUserAgent, ipPrefix } from './network.ts';
import { type Principal, STAFF_ROLES } from './principal.ts';
import type { SessionView } from './schemas.ts';
import { hashToken, newToken } from './tokens.ts';

/**
 * Sessions (ASVS V7). Browser sessions: a cookie, idle timeout SESSION_IDLE_MINUTES (30) and absolute
 * lifetime SESSION_MAX_HOURS (12). Device sessions (the mobile app's bearer token): no idle timeout,
 * absolute lifetime DEVICE_SESSION_DAYS (180); the app signs in again with its device id and secret at any
 * time, which ends the device's earlier session.
 * Staff browser sessions (support, admin) are shorter: STAFF_SESSION_IDLE_MINUTES (15) and
 * STAFF_SESSION_MAX_HOURS (8), and act as staff only when their second factor completed them (ADR 31).
 * Activity is written at most once a minute, so a busy client does not write on every request.
 */
export const TOUCH_INTERVAL_MS = 60_000;

export function sessionLimits(ctx: Ctx, kind: SessionKind, role: Role = 'customer'): { idleMs: number | undefined; maxMs: number } {
  if (kind === 'device') return { idleMs: undefined, maxMs: ctx.config.deviceSessionMs };
  return STAFF_ROLES.includes(role)
    ? { idleMs: ctx.config.staffSessionIdleMs, maxMs: ctx.config.staffSessionMaxMs }
    : { idleMs: ctx.config.sessionIdleMs, maxMs: ctx.config.sessionMaxMs };
}

export async function createSession(
  ctx: Ctx,
  input: { accountId: string; kind: SessionKind; deviceId?: string; role?: Role; secondFactorAt?: Date },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const now = ctx.clock.now();
  const { token, hash } = newToken(input.kind === 'browser' ? 'session' : 'device');
  const id = newId('ses', now.getTime());
  const expiresAt = new Date(now.getTime() + sessionLimits(ctx, input.kind, input.role).maxMs);
  await ctx.db.insert(sessions).values({
    id,
    accountId: input.accountId,
    kind: input.kind,
    tokenHash: hash,
    deviceId: input.deviceId ?? null,
    createdAt: now,
    lastUsedAt: now,
    expiresAt,
    userAgent: cleanUserAgent(ctx.meta?.userAgent),
    ipPrefix: ipPrefix(ctx.meta?.ip),
    secondFactorAt: input.secondFactorAt ?? null,
  });
  return { id, token, expiresAt };
}

/** The principal behind a session token, or undefined when it is unknown, revoked, idle or expired. */
export async function authenticateSession(ctx: Ctx, token: string, kind: SessionKind): Promise<Principal | undefined> {
  const [row] = await ctx.db
    .select({ session: sessions, account: accounts })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), eq(sessions.kind, kind), isNull(sessions.revokedAt)))
    .limit(1);
  if (!row) return undefined;
  const now = ctx.clock.now();
  const { idleMs } = sessionLimits(ctx, kind, row.account.role);
  if (row.session.expiresAt <= now) return undefined;
  if (idleMs !== undefined && row.session.lastUsedAt.getTime() + idleMs <= now.getTime()) return undefined;
  let lastUsed = row.session.lastUsedAt;
  if (now.getTime() - lastUsed.getTime() >= TOUCH_INTERVAL_MS) {
    await ctx.db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, row.session.id));
    lastUsed = now;
  }
  const idleEnd = idleMs === undefined ? Number.POSITIVE_INFINITY : lastUsed.getTime() + idleMs;
  return {
    // Re-checked here by then: at its end, and when its use is due to be recorded again (idle timeout).
    validUntil: new Date(Math.min(row.session.expiresAt.getTime(), idleEnd, lastUsed.getTime() + TOUCH_INTERVAL_MS)),
    accountId: row.account.id,
    role: row.account.role,
    status: row.account.status,
    processingRestricted: row.account.processingRestrictedAt !== null,
    kind: row.account.kind,
    email: await openFor(ctx, row.account.id, 'accounts.email', row.account.id, row.account.email),
    via: kind === 'browser' ? 'session' : 'device',
    sessionId: row.session.id,
    secondFactor: row.session.secondFactorAt !== null,
  };
}

/** End the live sessions of an account that `which` selects; announce it when any ended. Returns how many. */
async function revokeWhere(ctx: Ctx, accountId: string, which: SQL | undefined, reason: string): Promise<number> {
  const revoked = await ctx.db
    .update(sessions)
    .set({ revokedAt: ctx.clock.now(), revokedReason: reason })
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt), which))
    .returning({ id: sessions.id });
  if (revoked.length > 0) await announceAuthChange(ctx.db, accountId);
  return revoked.length;
}

export async function revokeSession(ctx: Ctx, accountId: string, sessionId: string, reason: string): Promise<void> {
  if ((await revokeWhere(ctx, accountId, eq(sessions.id, sessionId), reason)) === 0) {
    throw new DomainError('NOT_FOUND', 'No such active session.');
  }
}

/** End every session of an account (password reset, suspension), or every one but `except`. */
export async function revokeAllSessions(ctx: Ctx, accountId: string, reason: string, except?: string): Promise<number> {
  return revokeWhere(ctx, accountId, except ? ne(sessions.id, except) : undefined, reason);
}

/** End every live session of one device (a new sign-in of the device replaces them: one live token per device). */
export async function revokeDeviceSessions(ctx: Ctx, accountId: string, deviceId: string, reason: string): Promise<number> {
  return revokeWhere(ctx, accountId, eq(sessions.deviceId, deviceId), reason);
}

/** The account's live sessions, newest first. */
export async function listSessions(ctx: Ctx, accountId: string, currentSessionId: string | undefined): Promise<SessionView[]> {
  const now = ctx.clock.now();
  const rows = await ctx.db
    .select({ session: sessions, device: devices, role: accounts.role })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .leftJoin(devices, eq(devices.id, sessions.deviceId))
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt)))
    .orderBy(desc(sessions.lastUsedAt));
  const key = rows.some(({ device }) => device !== null) ? await readAccountKey(ctx, accountId) : undefined;
  return rows
    .filter(({ session, role }) => {
      const { idleMs } = sessionLimits(ctx, session.kind, role);
      return session.expiresAt > now && (idleMs === undefined || session.lastUsedAt.getTime() + idleMs > now.getTime());
    })
    .map(({ session, device }) => ({
      id: session.id,
      kind: session.kind,
      current: session.id === currentSessionId,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      expiresAt: session.expiresAt,
      userAgent: session.userAgent,
      ipPrefix: session.ipPrefix,
      // Sealed under the account's key (ADR 28).
      device:
        device && key
          ? {
              platform: key.open('devices.platform', device.id, device.platform),
              osVersion: key.open('devices.os_version', device.id, device.osVersion),
              model: key.open('devices.model', device.id, device.model),
              appVersion: key.open('devices.app_version', device.id, device.appVersion),
            }
          : null,
    }));
}
