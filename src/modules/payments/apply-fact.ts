import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { accounts } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { CURRENT_BALANCE, type EventToEmit, emitAccountEvents } from '../events/index.ts';
import { chargeBack, creditPurchase } from '../ledger/index.ts';
import { reconcileRestriction } from './restriction.ts';
import { allows, creditsTakenBack, type PaymentFact, type PaymentFacts, statusOf, withFact } from './states.ts';
import { lockPaymentRow, recordFact } from './store.ts';
import { factsOf, type PaymentWithPackage, toPaymentView } from './view.ts';

/** What the processor names besides the fact: learnt references, and where the fact came from (for the audit row). */
export interface FactOptions {
  /** The processor's id of the money movement (a PaymentIntent): refunds and disputes name it. */
  processorPaymentRef?: string;
  /** The subscription the payment belongs to. */
  subscriptionId?: string;
  /** Where the fact came from: `stripe evt_…`, `cli`, … */
  source?: string;
  /** Why, in the words of whoever decided it (an operator's refund). */
  reason?: string;
}

export interface FactOutcome {
  payment: PaymentWithPackage;
  /** False when the fact was known already: nothing was written. */
  changed: boolean;
  /** Credits given (positive) or taken back (negative) by this fact. */
  creditsMoved: number;
}

/** The ledger key of a payment's credit: one per (processor, reference), so no delivery credits twice. */
export const creditKey = (payment: Pick<PaymentWithPackage, 'processor' | 'processorRef' | 'id'>) =>
  `payment:${payment.processor}:${payment.processorRef ?? payment.id}`;

/**
 * Apply one fact to a payment, in one transaction (joining the caller's): the payment's row locked,
 * its facts and status moved on (states.ts), the ledger brought to what the facts say — its credit
 * (`creditPurchase`, keyed by the processor reference) once paid, and what refunds or a lost dispute
 * take back (`chargeBack`: spent credits leave the wallet in debt and restricted) — the account's
 * restriction decided again when a dispute or a debt changed, an audit row, and the customer's
 * `payment.updated` (and `balance.updated`) events. A fact already known changes nothing.
 */
export async function applyFact(ctx: Ctx, paymentId: string, fact: PaymentFact, options: FactOptions = {}): Promise<FactOutcome> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = { ...ctx, db: tx };
    const now = ctx.clock.now();
    const row = await lockPayment(tx, paymentId);
    const before = factsOf(row);
    const after = withFact(before, fact);
    const status = statusOf(after, row.amountMinor);
    if (!allows(row.status, status, fact.kind)) throw new Error(`payment ${row.id}: ${fact.kind} cannot move ${row.status} to ${status}`);
    const refs = {
      processorPaymentRef: row.processorPaymentRef ?? options.processorPaymentRef ?? null,
      subscriptionId: row.subscriptionId ?? options.subscriptionId ?? null,
    };
    const refsChanged = refs.processorPaymentRef !== row.processorPaymentRef || refs.subscriptionId !== row.subscriptionId;
    if (sameFacts(before, after) && !refsChanged) return { payment: row, changed: false, creditsMoved: 0 };

    // An erased account's wallet is closed (its credits were forfeited at erasure): money that still
    // arrives, or a refund of an earlier payment, moves no credits; the operator refunds what came in.
    const erased = await accountErased(tx, row.accountId);
    const moved = erased ? { credits: 0, reversed: row.creditsReversed } : await bringLedgerUpToDate(txCtx, row, before, after);
    if (erased && after.paid && !before.paid) {
      ctx.log.warn(
        { paymentId: row.id, processor: row.processor },
        'a payment was made after its account was erased: nothing was credited; refund it (otpbox payments refund for a card payment)',
      );
    }
    const updated: PaymentWithPackage = {
      ...row,
      ...refs,
      status,
      pendingAt: row.pendingAt ?? (after.pending ? now : null),
      paidAt: row.paidAt ?? (after.paid ? now : null),
      failedAt: row.failedAt ?? (after.failed ? now : null),
      failureReason: row.failureReason ?? (fact.kind === 'failed' ? fact.reason : null),
      refundedMinor: after.refundedMinor,
      refundedAt: after.refundedMinor > before.refundedMinor ? now : row.refundedAt,
      disputeStatus: after.dispute,
      disputedAt: row.disputedAt ?? (after.dispute !== 'none' ? now : null),
      creditsReversed: moved.reversed,
      updatedAt: now,
    };
    await recordFact(tx, updated, {
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'system',
      action: `payment.${fact.kind}`,
      details: {
        paymentId: row.id,
        status,
        creditsMoved: moved.credits,
        ...(erased ? { accountErased: true } : {}),
        ...(options.source ? { source: options.source } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
      },
    });
    if (erased) return { payment: updated, changed: true, creditsMoved: 0 };
    if (before.dispute !== after.dispute || moved.credits !== 0) {
      const disputeOpened = before.dispute !== 'open' && after.dispute === 'open';
      await reconcileRestriction(txCtx, row.accountId, `payment ${row.id}: ${fact.kind}`, { disputeOpened });
    }
    await announcePaymentChange(tx, row, updated, moved.credits, now);
    return { payment: updated, changed: true, creditsMoved: moved.credits };
  });
}

/**
 * A payment changed in the caller's transaction: its owner's `payment.updated` (when its status or
 * credits moved) and `balance.updated` (when credits moved), as the transaction's last write
 * (events/emit.ts). Every way a payment changes (a fact, a bitcoin callback) announces through here.
 */
export async function announcePaymentChange(
  tx: Tx,
  before: PaymentWithPackage,
  after: PaymentWithPackage,
  creditsMoved: number,
  now: Date,
): Promise<void> {
  const events: EventToEmit[] = [];
  if (after.status !== before.status || creditsMoved !== 0) events.push({ type: 'payment.updated', payload: paymentPayload(after) });
  if (creditsMoved !== 0) events.push({ type: 'balance.updated', payload: CURRENT_BALANCE });
  await emitAccountEvents(tx, before.accountId, events, now);
}

/**
 * Credit the payment when it is first known paid, and take back what the facts now say should be
 * taken back beyond what was (a refund or a lost dispute, seen before or after the payment). Returns
 * the credits moved and the payment's new total taken back.
 */
async function bringLedgerUpToDate(
  ctx: Ctx,
  row: PaymentWithPackage,
  before: PaymentFacts,
  after: PaymentFacts,
): Promise<{ credits: number; reversed: number }> {
  if (!after.paid) return { credits: 0, reversed: row.creditsReversed };
  let credits = 0;
  const key = creditKey(row);
  if (!before.paid) {
    const credit = await creditPurchase(ctx, {
      accountId: row.accountId,
      amount: row.credits,
      idempotencyKey: key,
      reason: `Bought ${row.credits} credits (${row.packageCode}, payment ${row.id})`,
      metadata: { paymentId: row.id },
    });
    if (!credit.replayed) credits += row.credits;
  }
  const target = creditsTakenBack(after, row.credits, row.amountMinor);
  if (target > row.creditsReversed) {
    const amount = target - row.creditsReversed;
    const why = after.dispute === 'lost' ? 'dispute lost' : 'refunded';
    const reversal = await chargeBack(ctx, {
      accountId: row.accountId,
      amount,
      idempotencyKey: `${key}:reversal:${target}`,
      reason: `Payment ${row.id} ${why}: ${amount} credits taken back`,
      metadata: { paymentId: row.id },
      restrict: 'when_in_debt',
    });
    if (!reversal.replayed) credits -= amount;
  }
  return { credits, reversed: Math.max(target, row.creditsReversed) };
}

/** Whether the payment's account was erased (ADR 27): its wallet takes no more credits. */
export async function accountErased(tx: Tx, accountId: string): Promise<boolean> {
  const [account] = await tx.select({ status: accounts.status }).from(accounts).where(eq(accounts.id, accountId));
  return account?.status === 'deleted';
}

const sameFacts = (a: PaymentFacts, b: PaymentFacts) =>
  a.pending === b.pending && a.paid === b.paid && a.failed === b.failed && a.refundedMinor === b.refundedMinor && a.dispute === b.dispute;

/** A payment with its package's code, its row locked until the transaction ends. */
export async function lockPayment(tx: Tx, paymentId: string): Promise<PaymentWithPackage> {
  const row = await lockPaymentRow(tx, paymentId);
  if (!row) throw new DomainError('NOT_FOUND', 'No such payment.');
  return row;
}

/** The `payment.updated` event's payload: the payment as its owner sees it (JSON: dates as ISO 8601). */
export const paymentPayload = (row: PaymentWithPackage): Record<string, unknown> => JSON.parse(JSON.stringify(toPaymentView(row)));

/** The processor says the payment is under way (an asynchronous method: a bank debit, a transfer). */
export const markPaymentPending = (ctx: Ctx, paymentId: string, options?: FactOptions) =>
  applyFact(ctx, paymentId, { kind: 'pending' }, options);

/** The processor says the money arrived: the payment's credits, once. */
export const markPaymentPaid = (ctx: Ctx, paymentId: string, options?: FactOptions) => applyFact(ctx, paymentId, { kind: 'paid' }, options);

/** The processor says the payment will not happen (expired, declined). */
export const markPaymentFailed = (ctx: Ctx, paymentId: string, reason: string, options?: FactOptions) =>
  applyFact(ctx, paymentId, { kind: 'failed', reason }, options);

/** The processor refunded `refundedMinor` in all: credits taken back in proportion, spent or not. */
export const recordPaymentRefund = (ctx: Ctx, paymentId: string, refundedMinor: number, options?: FactOptions) =>
  applyFact(ctx, paymentId, { kind: 'refunded', refundedMinor }, options);

/** The payer disputed the payment: the account is restricted while the dispute is open. */
export const openPaymentDispute = (ctx: Ctx, paymentId: string, options?: FactOptions) =>
  applyFact(ctx, paymentId, { kind: 'dispute_opened' }, options);

/** The dispute ended: won lifts the restriction (if nothing else holds it); lost takes the credits back. */
export const closePaymentDispute = (ctx: Ctx, paymentId: string, outcome: 'won' | 'lost', options?: FactOptions) =>
  applyFact(ctx, paymentId, { kind: 'dispute_closed', outcome }, options);
