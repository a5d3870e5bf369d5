import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { accounts } from '../../db/schema/index.ts';
import { DomainError, isDomainError } from '../../lib/errors.ts';
import { type Role, recordSecurityEvent, revokeAllSessions, setRole, suspendAccount, unsuspendAccount } from '../accounts/index.ts';
import type { Ctx } from '../context.ts';
import { deductCredits, grantCredits, liftRestriction, restrictWallet } from '../ledger/index.ts';
import { grantedInADay, supportGrantLimits } from './grant-limit.ts';
import { keepAnEnrolledAdmin } from './staff-accounts.ts';
import { type StaffActor, staffAction } from './staff-action.ts';

/** Who acts, on which account, why, and in which request: every console action carries these. */
export interface ActionContext {
  staff: StaffActor;
  accountId: string;
  reason: string;
  requestId?: string;
}

/** Staff never act on their own account this way (no self-lockout, no self-promotion, no self-grant). */
function notSelf(action: ActionContext): void {
  if (action.staff.accountId === action.accountId) throw new DomainError('CONFLICT', 'Staff cannot act on their own account this way.');
}

/**
 * The account acted on exists, and the actor may act on it: support staff act on customers only, so
 * they cannot suspend, restrict, sign out or fund an admin or each other (only an admin acts on staff
 * accounts). `live`: it must not be erased either (ADR 27: nothing about a deleted account changes).
 */
async function withinReach(ctx: Ctx, action: ActionContext, live: boolean): Promise<void> {
  const [target] = await ctx.db
    .select({ role: accounts.role, status: accounts.status })
    .from(accounts)
    .where(eq(accounts.id, action.accountId))
    .limit(1);
  if (!target || (live && target.status === 'deleted')) throw new DomainError('NOT_FOUND', 'No such account.');
  if (target.role !== 'customer' && action.staff.role !== 'admin')
    throw new DomainError('FORBIDDEN', 'Only an admin can act on a staff account.');
}

/** A grant or a deduction: how much, and the `Idempotency-Key` its form sent (a retry of it moves nothing again). */
export interface CreditsAction extends ActionContext {
  amount: number;
  idempotencyKey?: string;
}

/** What a grant or a deduction answers; `replayed`: the key's first request made it, this one moved nothing. */
export interface CreditsMoved {
  transferId: string;
  amount: number;
  replayed: boolean;
}

/**
 * The ledger's key for a console grant or deduction: per staff member and account, from the form's
 * `Idempotency-Key` when it sent one (a double click, a retried request: one transfer), else new every
 * time. Another staff member's key is never theirs to replay: their grant is their own, audited as such.
 */
const creditsKey = (kind: 'grant' | 'deduct', action: CreditsAction) =>
  action.idempotencyKey
    ? `${kind}:console:${action.staff.accountId}:${action.accountId}:${action.idempotencyKey}`
    : `${kind}:console:${randomUUID()}`;

/** The ledger's refusal of a key used for another amount, in the words of the key the client sent (not the ledger's). */
async function keyedMove<T>(kind: 'grant' | 'deduction', move: () => Promise<T>): Promise<T> {
  try {
    return await move();
  } catch (error) {
    if (isDomainError(error) && error.code === 'IDEMPOTENCY_KEY_REUSED')
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        `This Idempotency-Key was already used for a ${kind} of another amount. Use a new key for a new ${kind}.`,
      );
    throw error;
  }
}

/**
 * Grant credits. Support staff up to the limits an admin set (`supportGrantLimits`: per grant, per 24 hours); admins without
 * one. Audited with the reason, and shown to the customer; a retry under the same key is answered
 * with the first grant and recorded once.
 */
export async function grantCreditsAsStaff(ctx: Ctx, action: CreditsAction): Promise<CreditsMoved> {
  notSelf(action);
  await withinReach(ctx, action, true);
  const limits = action.staff.role === 'admin' ? undefined : await supportGrantLimits(ctx);
  if (limits && action.amount > limits.credits)
    throw new DomainError('FORBIDDEN', `Support staff may grant at most ${limits.credits} credits at a time; ask an admin for more.`, {
      limit: limits.credits,
    });
  return staffAction(
    ctx,
    { ...action, action: 'console.credits_grant', shownAs: 'action.credits_granted', details: { amount: action.amount } },
    async (txCtx) => {
      const granted = limits ? await grantedInADay(txCtx, action.staff.accountId, ctx.clock.now()) : 0;
      const { transfer, replayed } = await keyedMove('grant', () =>
        grantCredits(txCtx, {
          accountId: action.accountId,
          amount: action.amount,
          reason: `Credits from the operator: ${action.reason}`,
          idempotencyKey: creditsKey('grant', action),
          metadata: { source: 'console', staff: action.staff.accountId },
          auditedByCaller: true,
        }),
      );
      // Checked once a retry is told apart from a new grant (a retry answers the first grant); refused, it rolls back.
      if (limits && !replayed && granted + action.amount > limits.perDay)
        throw new DomainError(
          'FORBIDDEN',
          `Support staff may grant at most ${limits.perDay} credits in 24 hours; you granted ${granted}. Ask an admin for more.`,
          { limit: limits.perDay, granted },
        );
      return { transferId: transfer.id, amount: action.amount, replayed };
    },
    (result) => ({ transferId: result.transferId }),
    (result) => !result.replayed,
  );
}

/**
 * Take credits back (admin only): a grant made in error, a correction agreed with the customer. Never
 * more than the account has available (402 INSUFFICIENT_CREDITS otherwise). Audited with the reason,
 * shown on the customer's statement and under "Who accessed my data".
 */
export async function deductCreditsAsStaff(ctx: Ctx, action: CreditsAction): Promise<CreditsMoved> {
  notSelf(action);
  if (action.staff.role !== 'admin') throw new DomainError('FORBIDDEN', 'Only an admin can take credits back.');
  await withinReach(ctx, action, true);
  return staffAction(
    ctx,
    { ...action, action: 'console.credits_deduct', shownAs: 'action.credits_deducted', details: { amount: action.amount } },
    async (txCtx) => {
      const { transfer, replayed } = await keyedMove('deduction', () =>
        deductCredits(txCtx, {
          accountId: action.accountId,
          amount: action.amount,
          reason: `Credits taken back by the operator: ${action.reason}`,
          idempotencyKey: creditsKey('deduct', action),
          metadata: { source: 'console', staff: action.staff.accountId },
          auditedByCaller: true,
        }),
      );
      return { transferId: transfer.id, amount: action.amount, replayed };
    },
    (result) => ({ transferId: result.transferId }),
    (result) => !result.replayed,
  );
}

/** Suspend an account; never the last admin with a second factor (the console would have no admin left). */
export async function suspendAsStaff(ctx: Ctx, action: ActionContext): Promise<void> {
  notSelf(action);
  await withinReach(ctx, action, false);
  await staffAction(ctx, { ...action, action: 'account.suspend', shownAs: 'action.suspended' }, async (txCtx) => {
    await keepAnEnrolledAdmin(txCtx, action.accountId, 'suspending them');
    await suspendAccount(txCtx, action.accountId, action.reason);
  });
}

export async function unsuspendAsStaff(ctx: Ctx, action: ActionContext): Promise<void> {
  notSelf(action);
  await withinReach(ctx, action, false);
  await staffAction(ctx, { ...action, action: 'account.unsuspend', shownAs: 'action.unsuspended' }, (txCtx) =>
    unsuspendAccount(txCtx, action.accountId),
  );
}

/**
 * Hold the account's wallet (suspected fraud, a dispute): it can no longer spend until an admin lifts the
 * hold. A payment does not lift it, nor a dispute won (ADR 23).
 */
export async function restrictAsStaff(ctx: Ctx, action: ActionContext): Promise<void> {
  notSelf(action);
  await withinReach(ctx, action, true);
  await staffAction(ctx, { ...action, action: 'account.restrict', shownAs: 'action.restricted' }, (txCtx) =>
    restrictWallet(txCtx, action.accountId, action.reason, { byStaff: true }),
  );
}

export async function liftRestrictionAsStaff(ctx: Ctx, action: ActionContext): Promise<void> {
  notSelf(action);
  await withinReach(ctx, action, true);
  await staffAction(ctx, { ...action, action: 'account.lift_restriction', shownAs: 'action.restriction_lifted' }, (txCtx) =>
    liftRestriction(txCtx, action.accountId, action.reason),
  );
}

/** End every session of the account (a stolen device, a shared password). */
export async function endSessionsAsStaff(ctx: Ctx, action: ActionContext): Promise<{ ended: number }> {
  notSelf(action);
  await withinReach(ctx, action, true);
  return staffAction(ctx, { ...action, action: 'account.end_sessions', shownAs: 'action.sessions_ended' }, async (txCtx) => {
    const ended = await revokeAllSessions(txCtx, action.accountId, 'ended by staff');
    await recordSecurityEvent(txCtx, {
      type: 'session_revoked',
      accountId: action.accountId,
      details: { all: true, ended, reason: action.reason },
    });
    return { ended };
  });
}

/**
 * Admins only (the route says so): a role change ends the account's sessions (accounts/staff.ts). The
 * last admin with a second factor is never demoted.
 */
export async function changeRoleAsStaff(ctx: Ctx, action: ActionContext & { role: Role }): Promise<{ from: Role; to: Role }> {
  notSelf(action);
  return staffAction(
    ctx,
    { ...action, action: 'account.role', shownAs: 'action.role_changed', details: { to: action.role } },
    async (txCtx) => {
      if (action.role !== 'admin') await keepAnEnrolledAdmin(txCtx, action.accountId, 'demoting them');
      return setRole(txCtx, action.accountId, action.role);
    },
  );
}
