import { auditLog, type Role } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { recordStaffAccess, type StaffRead } from '../privacy/index.ts';

export interface StaffActor {
  accountId: string;
  role: Role;
}

export interface StaffActionInput {
  staff: StaffActor;
  accountId: string;
  /** The audit log's action (`account.suspend`, `credits.grant`, …). */
  action: string;
  /** The code the customer sees under "Who accessed my data". */
  shownAs: StaffRead;
  /** Why: required of every staff action. */
  reason: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

/** What the audit row adds from the action's result (the transfer a grant made). */
type DetailsOf<T> = (result: T) => Record<string, unknown>;

/**
 * A staff action on an account, in one transaction with its records: what `act` changes, the audit
 * row (who, when, why: audit_log) and the entry the customer sees under "Who accessed my data" (the
 * staff access log, with the reason). The verbs `act` calls join this transaction (db/tx.ts).
 */
export async function staffAction<T>(
  ctx: Ctx,
  input: StaffActionInput,
  act: (ctx: Ctx) => Promise<T>,
  detailsOf?: DetailsOf<T>,
  /** False for a result that is a repeat of an action already recorded (a retried grant): nothing more is written. */
  isNew: (result: T) => boolean = () => true,
): Promise<T> {
  return transaction(ctx.db, async (tx) => {
    const txCtx: Ctx = { ...withDb(ctx, tx), actor: input.staff.accountId };
    const result = await act(txCtx);
    if (!isNew(result)) return result;
    const now = ctx.clock.now();
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: input.staff.accountId,
      action: input.action,
      accountId: input.accountId,
      details: {
        reason: input.reason,
        role: input.staff.role,
        ...(input.details ?? {}),
        ...(detailsOf?.(result) ?? {}),
        ...(input.requestId ? { requestId: input.requestId } : {}),
      },
      occurredAt: now,
    });
    await recordStaffAccess(txCtx, {
      accountId: input.accountId,
      staff: input.staff,
      what: input.shownAs,
      reason: input.reason,
      requestId: input.requestId,
    });
    return result;
  });
}
