import { and, eq, ne } from 'drizzle-orm';
import { accounts, type Role, staffEnrolments, staffFactors, staffRecoveryCodes } from '../../db/schema/index.ts';
import { sqlState, transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { announceAuthChange } from './auth-changes.ts';
import { byEmail, emailColumns, normaliseEmail, withOpenedEmail } from './email.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { recordSecurityEvent } from './security-events.ts';
import { revokeAllSessions } from './sessions.ts';

export async function findAccountByEmail(ctx: Ctx, rawEmail: string) {
  const email = normaliseEmail(rawEmail);
  const account = await withOpenedEmail(ctx, (await ctx.db.select().from(accounts).where(byEmail(ctx, email)).limit(1))[0]);
  if (!account) throw new DomainError('NOT_FOUND', `No account has the e-mail address ${email}.`);
  return account;
}

/**
 * Create a staff account (verified e-mail, the given role). Staff give no consumer consents.
 * `password` is the member's own choice, checked and hashed here; `passwordHash` is one the caller
 * hashed already (a random password no one sees, `createStaffAsAdmin`), so that a caller inside a
 * transaction does not hash (argon2id, tens of ms) while it holds the transaction open.
 */
export async function createStaffAccount(
  ctx: Ctx,
  input: {
    email: string;
    role: Exclude<Role, 'customer'>;
    /** The password is someone else's choice (an admin's): its owner sets their own at enrolment. */
    passwordChangeRequired?: boolean;
  } & ({ password: string } | { passwordHash: string }),
): Promise<{ accountId: string }> {
  const email = normaliseEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
    throw new DomainError('VALIDATION_FAILED', `${email} is not an e-mail address.`);
  let passwordHash: string;
  if ('password' in input) {
    const problem = passwordProblem(input.password, email);
    if (problem) throw new DomainError('WEAK_PASSWORD', problem);
    passwordHash = await hashPassword(input.password);
  } else {
    passwordHash = input.passwordHash;
  }
  try {
    return await transaction(ctx.db, async (tx) => {
      const now = ctx.clock.now();
      const accountId = newId('acc', now.getTime());
      await tx.insert(accounts).values({
        id: accountId,
        kind: 'email',
        ...(await emailColumns(withDb(ctx, tx), accountId, email)),
        emailVerifiedAt: now,
        passwordHash,
        passwordChangeRequired: input.passwordChangeRequired ?? false,
        role: input.role,
        createdAt: now,
        updatedAt: now,
      });
      await recordSecurityEvent(withDb(ctx, tx), {
        type: 'role_changed',
        accountId,
        details: { from: null, to: input.role, created: true },
      });
      return { accountId };
    });
  } catch (error) {
    if (sqlState(error) === '23505') {
      throw new DomainError(
        'CONFLICT',
        `${email} already has an account; give it a role with \`otpbox admin role --email ${email} --role ${input.role}\`.`,
      );
    }
    throw error;
  }
}

export async function setRole(ctx: Ctx, accountId: string, role: Role): Promise<{ from: Role; to: Role }> {
  return transaction(ctx.db, async (tx) => {
    const account = (await tx.select().from(accounts).where(eq(accounts.id, accountId)).limit(1))[0];
    // A deleted account is gone (ADR 27): nothing about it changes any more.
    if (!account || account.status === 'deleted') throw new DomainError('NOT_FOUND', 'No such account.');
    if (role !== 'customer' && account.kind !== 'email')
      throw new DomainError('CONFLICT', 'Staff accounts need an e-mail address and a password.');
    if (account.role === role) return { from: role, to: role };
    await tx.update(accounts).set({ role, updatedAt: ctx.clock.now() }).where(eq(accounts.id, accountId));
    // Back to a customer, the staff second factor goes: promoted again, the account enrols anew (ADR 31).
    if (role === 'customer') {
      await tx.delete(staffFactors).where(eq(staffFactors.accountId, accountId));
      await tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.accountId, accountId));
      await tx.delete(staffEnrolments).where(eq(staffEnrolments.accountId, accountId));
    }
    // A changed role must not ride on sessions opened under the old one.
    await revokeAllSessions(withDb(ctx, tx), accountId, 'role changed');
    await recordSecurityEvent(withDb(ctx, tx), { type: 'role_changed', accountId, details: { from: account.role, to: role } });
    await announceAuthChange(tx, accountId);
    return { from: account.role, to: role };
  });
}

/** Suspend an account: every session ends and every request is refused until it is unsuspended. */
export async function suspendAccount(ctx: Ctx, accountId: string, reason: string): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const [account] = await tx.select({ status: accounts.status }).from(accounts).where(eq(accounts.id, accountId)).for('update');
    if (!account || account.status === 'deleted') throw new DomainError('NOT_FOUND', 'No such account.');
    // A suspension stands as decided, with its reason: suspending again would rewrite it (support over an admin's, say).
    if (account.status === 'suspended') throw new DomainError('CONFLICT', 'This account is already suspended.');
    await tx
      .update(accounts)
      .set({ status: 'suspended', suspendedReason: reason, updatedAt: ctx.clock.now() })
      .where(eq(accounts.id, accountId));
    await revokeAllSessions(txCtx, accountId, 'account suspended');
    await recordSecurityEvent(txCtx, { type: 'account_suspended', accountId, details: { reason } });
    await announceAuthChange(tx, accountId);
  });
}

export async function unsuspendAccount(ctx: Ctx, accountId: string): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    const updated = await tx
      .update(accounts)
      .set({ status: 'active', suspendedReason: null, updatedAt: ctx.clock.now() })
      .where(and(eq(accounts.id, accountId), ne(accounts.status, 'deleted')))
      .returning({ id: accounts.id });
    if (updated.length === 0) throw new DomainError('NOT_FOUND', 'No such account.');
    await recordSecurityEvent(withDb(ctx, tx), { type: 'account_unsuspended', accountId });
    await announceAuthChange(tx, accountId);
  });
}
