import { and, eq, gt, isNull } from 'drizzle-orm';
import { accounts, auditLog, staffEnrolments, staffFactors, staffRecoveryCodes } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { openFor } from '../keyring/index.ts';
import { announceAuthChange } from './auth-changes.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { STAFF_ROLES } from './principal.ts';
import { recordSecurityEvent } from './security-events.ts';
import { revokeAllSessions } from './sessions.ts';
import { blockedUntil, clearThrottle, ipKey, recordConsecutiveFailure, recordWindowedFailure, type ThrottleKey } from './throttle.ts';
import { hashToken, newToken } from './tokens.ts';
import { newRecoveryCodes, newTotpSecret, openTotpSecret, otpauthUri, recoveryCodeHash, sealTotpSecret, totpStep } from './totp.ts';

/** How long an enrolment link works. */
export const ENROLMENT_TTL_MS = 24 * 3_600_000;

export interface EnrolmentLink {
  url: string;
  expiresAt: Date;
}

/**
 * Issue a one-time enrolment link for a staff account (`otpbox admin create`, `otpbox admin enrol`, the
 * console's Staff page).
 * With `reset`, the account's second factor and recovery codes are removed and its sessions end in
 * the same transaction (a lost phone): until the link is used, the account cannot act as staff.
 * Earlier links still unused stop working. Audited (audit_log + security event).
 */
export async function issueEnrolment(
  ctx: Ctx,
  accountId: string,
  options: { reset: boolean /** Why (the console requires it): kept in the reset's audit row. */; reason?: string; requestId?: string },
): Promise<EnrolmentLink> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const now = ctx.clock.now();
    const account = (await tx.select().from(accounts).where(eq(accounts.id, accountId)).limit(1))[0];
    if (!account || account.status === 'deleted') throw new DomainError('NOT_FOUND', 'No such account.');
    if (!STAFF_ROLES.includes(account.role))
      throw new DomainError('CONFLICT', 'Only staff accounts (support, admin) enrol a second factor.');
    await tx.delete(staffEnrolments).where(and(eq(staffEnrolments.accountId, accountId), isNull(staffEnrolments.usedAt)));
    if (options.reset) {
      const removed = await tx.delete(staffFactors).where(eq(staffFactors.accountId, accountId)).returning({ id: staffFactors.accountId });
      await tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.accountId, accountId));
      await revokeAllSessions(txCtx, accountId, 'two-factor reset');
      await recordSecurityEvent(txCtx, { type: 'two_factor_reset', accountId, details: { hadFactor: removed.length > 0 } });
      await tx.insert(auditLog).values({
        id: newId('aud', now.getTime()),
        actor: ctx.actor ?? 'system',
        action: 'staff.two_factor_reset',
        accountId,
        details: {
          hadFactor: removed.length > 0,
          ...(options.reason ? { reason: options.reason } : {}),
          ...(options.requestId ? { requestId: options.requestId } : {}),
        },
        occurredAt: now,
      });
      await announceAuthChange(tx, accountId);
    }
    const { token, hash } = newToken('enrolment');
    const id = newId('enr', now.getTime());
    const expiresAt = new Date(now.getTime() + ENROLMENT_TTL_MS);
    await tx.insert(staffEnrolments).values({
      id,
      accountId,
      tokenHash: hash,
      totpSecret: sealTotpSecret(ctx.keys, id, newTotpSecret()),
      issuedBy: ctx.actor ?? 'system',
      createdAt: now,
      expiresAt,
    });
    await recordSecurityEvent(txCtx, { type: 'two_factor_enrolment_issued', accountId, details: { reset: options.reset } });
    return { url: `${ctx.config.publicUrl}/admin/enrol#token=${token}`, expiresAt };
  });
}

const INVALID_LINK = () =>
  new DomainError(
    'INVALID_TOKEN',
    'This enrolment link is not valid: it was used, replaced or is older than 24 hours. Ask an admin for a new one.',
  );

async function liveEnrolment(ctx: Ctx, token: string) {
  const [row] = await ctx.db
    .select({ enrolment: staffEnrolments, account: accounts })
    .from(staffEnrolments)
    .innerJoin(accounts, eq(accounts.id, staffEnrolments.accountId))
    .where(
      and(eq(staffEnrolments.tokenHash, hashToken(token)), isNull(staffEnrolments.usedAt), gt(staffEnrolments.expiresAt, ctx.clock.now())),
    )
    .limit(1);
  if (!row) throw INVALID_LINK();
  if (row.account.status !== 'active' || !STAFF_ROLES.includes(row.account.role)) throw INVALID_LINK();
  const email = await openFor(ctx, row.account.id, 'accounts.email', row.account.id, row.account.email);
  return { ...row, email: email ?? row.account.id, secret: openTotpSecret(ctx.keys, row.enrolment.id, row.enrolment.totpSecret) };
}

/** What the enrolment page shows: the secret as a QR code (the otpauth URI) and as text. Can be read again until used. */
export async function readEnrolment(ctx: Ctx, token: string) {
  const { enrolment, account, email, secret } = await liveEnrolment(ctx, token);
  return {
    email,
    secret,
    otpauthUri: otpauthUri(ctx.config.publicUrl, email, secret),
    expiresAt: enrolment.expiresAt,
    newPasswordRequired: account.passwordChangeRequired,
  };
}

/**
 * The password the enrolling staff member chooses, when the account was made on the console (no one
 * has chosen one for it yet; before 2026-12-07 an admin chose a first one): their own, as strong as
 * every password, and not one they were given. Checked before the code, so a refusal here costs no
 * attempt and leaves the link usable.
 */
async function ownPassword(
  account: typeof accounts.$inferSelect,
  email: string,
  newPassword: string | undefined,
): Promise<string | undefined> {
  if (!account.passwordChangeRequired) return undefined;
  if (newPassword === undefined || newPassword === '') {
    const field = 'body.newPassword';
    const message = 'choose your own password: it is the one you sign in with once you have enrolled';
    throw new DomainError('VALIDATION_FAILED', `Invalid request — ${field}: ${message}`, { issues: [{ field, message }] });
  }
  const problem = passwordProblem(newPassword, email);
  if (problem) throw new DomainError('WEAK_PASSWORD', problem);
  if (account.passwordHash && (await verifyPassword(account.passwordHash, newPassword)))
    throw new DomainError('WEAK_PASSWORD', 'Choose a password of your own, not the one you were given.');
  return hashPassword(newPassword);
}

const enrolKey = (enrolmentId: string) => `enrol:${enrolmentId}` as ThrottleKey;

/**
 * Confirm an enrolment with a code from the authenticator: the factor is installed, ten recovery codes
 * made (returned once, kept as keyed hashes), the link used up and the account's sessions ended. When
 * the account was made on the console, `newPassword` becomes its password in the same transaction.
 * Wrong codes count in the sign-in throttles (per link and per address).
 */
export async function confirmEnrolment(ctx: Ctx, token: string, code: string, newPassword?: string): Promise<{ recoveryCodes: string[] }> {
  const { enrolment, account, email, secret } = await liveEnrolment(ctx, token);
  const keys = [enrolKey(enrolment.id), ipKey(ctx)];
  if (await blockedUntil(ctx, keys)) throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many wrong codes. Wait a moment before trying again.');
  const passwordHash = await ownPassword(account, email, newPassword);
  const now = ctx.clock.now();
  const step = totpStep(secret, code.trim(), now);
  if (step === undefined) {
    await transaction(ctx.db, async (tx) => {
      const txCtx = withDb(ctx, tx);
      await recordConsecutiveFailure(txCtx, enrolKey(enrolment.id));
      const ip = ipKey(ctx);
      if (ip) await recordWindowedFailure(txCtx, ip);
      await recordSecurityEvent(txCtx, { type: 'two_factor_failed', accountId: account.id, details: { during: 'enrolment' } });
    });
    throw new DomainError('INVALID_CREDENTIALS', 'The code is not right. Check the time on your phone and type the code shown now.');
  }
  const recoveryCodes = newRecoveryCodes();
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const used = await tx
      .update(staffEnrolments)
      .set({ usedAt: now })
      .where(and(eq(staffEnrolments.id, enrolment.id), isNull(staffEnrolments.usedAt)))
      .returning({ id: staffEnrolments.id });
    if (used.length === 0) throw INVALID_LINK();
    const sealed = sealTotpSecret(ctx.keys, account.id, secret);
    await tx
      .insert(staffFactors)
      .values({ accountId: account.id, totpSecret: sealed, lastTimeStep: step, enrolledAt: now })
      .onConflictDoUpdate({ target: staffFactors.accountId, set: { totpSecret: sealed, lastTimeStep: step, enrolledAt: now } });
    await tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.accountId, account.id));
    await tx.insert(staffRecoveryCodes).values(
      recoveryCodes.map((recovery) => ({
        id: newId('rcv', now.getTime()),
        accountId: account.id,
        codeHash: recoveryCodeHash(ctx.keys, recovery),
        createdAt: now,
      })),
    );
    await clearThrottle(txCtx, enrolKey(enrolment.id));
    if (passwordHash) {
      await tx.update(accounts).set({ passwordHash, passwordChangeRequired: false, updatedAt: now }).where(eq(accounts.id, account.id));
      await recordSecurityEvent(txCtx, { type: 'password_changed', accountId: account.id, details: { during: 'enrolment' } });
    }
    await revokeAllSessions(txCtx, account.id, 'second factor enrolled');
    await recordSecurityEvent(txCtx, { type: 'two_factor_enrolled', accountId: account.id });
    await announceAuthChange(tx, account.id);
  });
  return { recoveryCodes };
}

/** Whether the account has a second factor. */
export async function hasSecondFactor(ctx: Ctx, accountId: string): Promise<boolean> {
  const rows = await ctx.db.select({ id: staffFactors.accountId }).from(staffFactors).where(eq(staffFactors.accountId, accountId)).limit(1);
  return rows.length > 0;
}
