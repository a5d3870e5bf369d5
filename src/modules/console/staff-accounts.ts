import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm';
import { accounts, auditLog, securityEvents, staffEnrolments, staffFactors } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { createStaffAccount, type EnrolmentLink, hashPassword, issueEnrolment, STAFF_ROLES } from '../accounts/index.ts';
import { type Ctx, withDb } from '../context.ts';
import { emailLookupHash, openFor } from '../keyring/index.ts';
import type { StaffMemberView } from './schemas.ts';
import type { StaffActor } from './staff-action.ts';

/** The staff accounts (support and admin, erased ones left out), admins first, then by e-mail. */
export async function listStaff(ctx: Ctx): Promise<StaffMemberView[]> {
  const rows = await ctx.db
    .select({ account: accounts, enrolledAt: staffFactors.enrolledAt })
    .from(accounts)
    .leftJoin(staffFactors, eq(staffFactors.accountId, accounts.id))
    .where(and(inArray(accounts.role, [...STAFF_ROLES]), ne(accounts.status, 'deleted')))
    .orderBy(asc(accounts.createdAt))
    .limit(1000);
  const ids = rows.map((row) => row.account.id);
  if (ids.length === 0) return [];
  const now = ctx.clock.now();
  const [signIns, links] = await Promise.all([
    ctx.db
      .select({ accountId: securityEvents.accountId, at: sql<Date>`max(${securityEvents.occurredAt})`.mapWith(securityEvents.occurredAt) })
      .from(securityEvents)
      .where(and(inArray(securityEvents.accountId, ids), eq(securityEvents.type, 'login_succeeded')))
      .groupBy(securityEvents.accountId),
    ctx.db
      .select({ accountId: staffEnrolments.accountId, expiresAt: staffEnrolments.expiresAt })
      .from(staffEnrolments)
      .where(and(inArray(staffEnrolments.accountId, ids), isNull(staffEnrolments.usedAt), gt(staffEnrolments.expiresAt, now))),
  ]);
  const lastSignIn = new Map(signIns.map((row) => [row.accountId, row.at]));
  const pending = new Map(links.map((row) => [row.accountId, row.expiresAt]));
  const members = await Promise.all(
    rows.map(async ({ account, enrolledAt }) => ({
      id: account.id,
      email: await openFor(ctx, account.id, 'accounts.email', account.id, account.email),
      role: account.role as StaffMemberView['role'],
      status: account.status as StaffMemberView['status'],
      twoFactor: enrolledAt !== null,
      enrolledAt,
      enrolmentPendingUntil: pending.get(account.id) ?? null,
      lastSignInAt: lastSignIn.get(account.id) ?? null,
      createdAt: account.createdAt,
    })),
  );
  const rank = (member: StaffMemberView) => (member.role === 'admin' ? 0 : 1);
  return members.sort((a, b) => rank(a) - rank(b) || (a.email ?? '').localeCompare(b.email ?? ''));
}

/**
 * Refuse a change that would leave no active admin with a second factor: nobody could then sign in to
 * the console as admin (only the CLI could undo it). Every admin row is locked first, in id order, so
 * two admins demoting or resetting each other at once are serialised and the second sees the first's
 * change. A target that is not an enrolled, active admin leaves nothing to protect.
 */
export async function keepAnEnrolledAdmin(ctx: Ctx, targetId: string, change: string): Promise<void> {
  const [target] = await ctx.db.select({ role: accounts.role }).from(accounts).where(eq(accounts.id, targetId)).limit(1);
  if (target?.role !== 'admin') return;
  const admins = await ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.role, 'admin'), eq(accounts.status, 'active')))
    .orderBy(asc(accounts.id))
    .for('update');
  const enrolled = await ctx.db
    .select({ id: staffFactors.accountId })
    .from(staffFactors)
    .where(
      inArray(
        staffFactors.accountId,
        admins.map((admin) => admin.id),
      ),
    );
  if (!enrolled.some((row) => row.id === targetId)) return;
  if (enrolled.length <= 1)
    throw new DomainError(
      'CONFLICT',
      `This is the last admin with a second factor: ${change} would lock every admin out of the console. ` +
        'Make another admin and let them enrol first.',
    );
}

export interface NewStaffInput {
  staff: StaffActor;
  email: string;
  role: 'admin' | 'support';
  reason: string;
  requestId?: string;
}

/**
 * An admin creates a staff account from the console (what `otpbox admin create` does): the account,
 * its one-time enrolment link (answered once, never stored in the clear) and one audit row with who,
 * when and why, in one transaction. No one chooses its password here: the member chooses theirs when
 * they enrol (`confirmEnrolment`), and until then the account holds the hash of a random one that is
 * never shown (an e-mail account must have a password, `accounts_email_needs_password`), so it cannot
 * sign in. `otpbox admin create` takes the operator's own.
 */
export async function createStaffAsAdmin(ctx: Ctx, input: NewStaffInput): Promise<{ accountId: string; enrolment: EnrolmentLink }> {
  if (input.staff.role !== 'admin') throw new DomainError('FORBIDDEN', 'Only an admin can create staff accounts.');
  const [taken] = await ctx.db
    .select({ id: accounts.id, status: accounts.status })
    .from(accounts)
    .where(eq(accounts.emailHash, emailLookupHash(ctx.keys, input.email)))
    .limit(1);
  if (taken)
    throw new DomainError(
      'CONFLICT',
      taken.status === 'deleted'
        ? `${input.email.trim().toLowerCase()} belonged to an erased account and cannot be used again.`
        : `${input.email.trim().toLowerCase()} already has an account: find it under Accounts and change its role there.`,
    );
  // Hashed before the transaction opens: on the embedded database its one connection would wait for it.
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
  return transaction(ctx.db, async (tx) => {
    const txCtx: Ctx = { ...withDb(ctx, tx), actor: input.staff.accountId };
    const { accountId } = await createStaffAccount(txCtx, {
      email: input.email,
      passwordHash,
      role: input.role,
      passwordChangeRequired: true,
    });
    const enrolment = await issueEnrolment(txCtx, accountId, { reset: false });
    const now = ctx.clock.now();
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: input.staff.accountId,
      action: 'staff.create',
      accountId,
      details: { role: input.role, reason: input.reason, ...(input.requestId ? { requestId: input.requestId } : {}) },
      occurredAt: now,
    });
    return { accountId, enrolment };
  });
}

/**
 * An admin resets a staff member's second factor (what `otpbox admin enrol` does: a lost phone): the
 * factor and recovery codes go, their sessions end and a new one-time link is answered, with the reason
 * in the reset's audit row. Never one's own (the console would sign its admin out mid-way), never the
 * last enrolled admin's.
 */
export async function resetSecondFactorAsAdmin(
  ctx: Ctx,
  input: { staff: StaffActor; accountId: string; reason: string; requestId?: string },
): Promise<{ enrolment: EnrolmentLink }> {
  if (input.staff.role !== 'admin') throw new DomainError('FORBIDDEN', 'Only an admin can reset a second factor.');
  if (input.staff.accountId === input.accountId)
    throw new DomainError(
      'CONFLICT',
      'You cannot reset your own second factor here: ask another admin, or run `otpbox admin enrol` on the server.',
    );
  return transaction(ctx.db, async (tx) => {
    const txCtx: Ctx = { ...withDb(ctx, tx), actor: input.staff.accountId };
    await keepAnEnrolledAdmin(txCtx, input.accountId, 'resetting their second factor');
    const enrolment = await issueEnrolment(txCtx, input.accountId, { reset: true, reason: input.reason, requestId: input.requestId });
    return { enrolment };
  });
}
