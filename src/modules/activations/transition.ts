import type { Executor } from '../../db/client.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { type AccountEventType, CURRENT_BALANCE, type EventToEmit, emitAccountEvents } from '../events/index.ts';
import { type captureHold, resolvedHold, resolveValues } from '../ledger/index.ts';
import { announceOrderChange } from './changes.ts';
import type { ProviderCall } from './provider-calls.ts';
import { type ActivationStatus, allows, type OrderEventType } from './states.ts';
import {
  type ConditionalChange,
  captureAndUpdateActivationRow,
  lockActivationRow,
  updateActivationRow,
  updateActivationRowAndEmit,
} from './store.ts';
import type { ActivationRow } from './view.ts';

/** Lock an order for a transition; another account's order is NOT_FOUND (never forbidden). */
export async function lockActivation(db: Executor, id: string, accountId?: string): Promise<ActivationRow> {
  const row = await lockActivationRow(db, id);
  if (!row || (accountId !== undefined && row.accountId !== accountId) || row.status === 'requesting') {
    throw new DomainError('NOT_FOUND', 'No such activation.');
  }
  return row;
}

export interface Transition {
  /** The event, as the audit trail names it: with `to`, it must be a move of the table in states.ts. */
  type: Exclude<OrderEventType, 'created'>;
  /** Absent: the status stays (an in-place event of the table). */
  to?: ActivationStatus;
  set?: Partial<ActivationRow>;
  actor: string;
  details?: Record<string, unknown>;
  balanceChanged?: boolean;
  /** More events of this change, emitted after the order's and the balance's in the same statement. */
  alsoEmit?: { type: AccountEventType; payload: Record<string, unknown> }[];
  /** Calls to the provider this change records (the provider-call log, ADR 36): conditional transitions only. */
  providerCalls?: ProviderCall[];
}

/**
 * Record a transition of a locked order in the caller's transaction: the new state, the audit row,
 * and the events the customer's live stream and webhooks receive (delivered at commit).
 */
export async function recordTransition(db: Executor, now: Date, row: ActivationRow, change: Transition): Promise<ActivationRow> {
  const { next, event, set, events } = plan(now, row, change);
  // The changed columns and the audit event, in one statement; the account events in another.
  await updateActivationRow(db, row.id, set, event, now);
  announceOrderChange(row.id);
  await emitAccountEvents(db, row.accountId, events, now);
  return next;
}

/**
 * The same for an order that need not be locked, only if it is still in the status `row` shows
 * (another process may have moved it since `row` was read), in one statement of its own (no
 * transaction needed): undefined when it was not, and then nothing is written.
 */
export async function recordTransitionIfUnchanged(
  db: Executor,
  now: Date,
  row: ActivationRow,
  change: Transition,
): Promise<ActivationRow | undefined> {
  const { next, conditional } = planConditional(now, row, change);
  return settled(row, next, await updateActivationRowAndEmit(db, conditional, change.providerCalls ?? []));
}

/**
 * A conditional transition (as `recordTransitionIfUnchanged`) that spends the order's hold: the
 * capture and the transition with its events in one statement, in the caller's transaction (which a
 * refused capture rolls back: `resolvedHold` throws why). Undefined when the order had left `row`'s
 * status (the capture then stands only if the caller commits).
 */
export async function captureAndRecordTransition(
  ctx: Ctx,
  now: Date,
  row: ActivationRow,
  capture: CaptureInput,
  change: Transition,
): Promise<ActivationRow | undefined> {
  const { next, conditional } = planConditional(now, row, change);
  const { written, resolution } = await captureAndUpdateActivationRow(ctx.db, conditional, resolveValues(ctx, capture, 'capture', now));
  await resolvedHold(ctx, capture, 'capture', resolution);
  return settled(row, next, written);
}

/** A transition planned as a change that happens only if the order is still in `row`'s status. */
function planConditional(now: Date, row: ActivationRow, change: Transition): { next: ActivationRow; conditional: ConditionalChange } {
  const { next, event, set, events } = plan(now, row, change);
  return { next, conditional: { id: row.id, set, event, now, onlyFrom: row.status, emit: { accountId: row.accountId, events } } };
}

/** The order after a conditional change: announced when it was written, undefined when not. */
function settled(row: ActivationRow, next: ActivationRow, written: boolean): ActivationRow | undefined {
  if (!written) return undefined;
  announceOrderChange(row.id);
  return next;
}

/** The capture of an order's hold: what `captureHold` takes. */
export type CaptureInput = Parameters<typeof captureHold>[1];

/**
 * What a transition writes: the next row, the changed columns, its audit event, the account events.
 * A move the state table does not allow is refused before anything is written.
 */
function plan(now: Date, row: ActivationRow, change: Transition) {
  const to = change.to ?? row.status;
  if (!allows(row.status, to, change.type)) {
    throw new DomainError('CONFLICT', `An order cannot go from ${row.status} to ${to} by ${change.type}.`, {
      from: row.status,
      to,
      event: change.type,
    });
  }
  const next: ActivationRow = { ...row, ...(change.set ?? {}), status: to, updatedAt: now };
  const event = { type: change.type, fromStatus: row.status, toStatus: next.status, actor: change.actor, details: change.details ?? null };
  const set = change.to || change.set ? { ...(change.set ?? {}), status: next.status, updatedAt: now } : {};
  const events: EventToEmit[] = [];
  if (next.status !== 'requesting') {
    events.push({ type: 'activation.updated', payload: { activationId: row.id, status: next.status, change: change.type } });
  }
  if (change.balanceChanged) events.push({ type: 'balance.updated', payload: CURRENT_BALANCE });
  events.push(...(change.alsoEmit ?? []));
  return { next, event, set, events };
}
