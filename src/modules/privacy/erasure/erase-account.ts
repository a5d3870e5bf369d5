import { eq } from 'drizzle-orm';
import { accounts, auditLog } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { newId } from '../../../lib/ids.ts';
import { type Ctx, withDb } from '../../context.ts';
import { forfeitBalance, voidDemoCredits } from '../../ledger/index.ts';
import type { ErasureDeps } from './deps.ts';
import { type DataErasure, eraseOwnedData } from './erase-data.ts';
import { markAccountDeleted } from './mark-deleted.ts';

/** The erasure is complete within this many days of the deletion (the published promise, P12). */
export const ERASURE_DAYS = 30;
/** From this many days on, the erasure job no longer waits for held rows (ADR 27). */
export const ERASURE_FORCE_DAYS = 28;
const DAY_MS = 86_400_000;

export const FORFEIT_REASON = 'Remaining credits forfeited on account erasure';
export const DEMO_FORFEIT_REASON = 'Demo credits forfeited on account erasure';

export interface ErasureOutcome {
  accountId: string;
  /** What the account is called from now on: `deleted:<random>`, linking to nobody. */
  pseudonym: string;
  deletedAt: Date;
  /** The erasure had completed before this call: nothing was done again. */
  alreadyComplete: boolean;
  access: { sessions: number; apiKeys: number };
  orders: { cancelled: number; completed: number; inFlight: number };
  /** Card payments ended at the processor; `waiting`: not yet (the erasure job asks again). */
  payments: { checkoutPagesExpired: number; subscriptionsCancelled: number; waiting: number };
  forfeited: { credits: number; demoCredits: number };
  webhooks: { endpoints: number; deliveries: number };
  data: DataErasure;
  /** When nothing personal was left; null while held rows wait (the erasure job finishes them). */
  completedAt: Date | null;
  /** The latest the erasure completes: ERASURE_DAYS after the deletion. */
  completesBy: Date;
}

/**
 * Erase an account (P12, ADR 27), in these steps, each a transaction of its own (or several, one per
 * order), each safe to run again — the erasure job runs the same verb until it completes:
 *  1. the account is marked deleted (`deleted:<random>`) and every session, device token and API key
 *     ends, with the audit row;
 *  2. open orders end at once: cancelled upstream (queued and retried) and their holds released; open
 *     card payment pages expire and card subscriptions are cancelled at the processor;
 *  3. the credits left (and demo credits) are forfeited by ledger transfers that say so, with the audit row;
 *  4. webhook endpoints are disabled and pending deliveries dropped;
 *  5. the personal data is erased by walking the data map (erase-data.ts); rows that must wait (an
 *     order still being bought, an upstream cancellation not yet acknowledged) are erased by the job,
 *     and `erasure_completed_at` records when nothing was left — and no card payment was left to end.
 * `ctx.actor` is who asked: `customer` (themselves), a staff id, or `cli`.
 */
export async function eraseAccount(ctx: Ctx, deps: ErasureDeps, accountId: string, input: { reason: string }): Promise<ErasureOutcome> {
  const actor = ctx.actor ?? 'customer';
  const actx: Ctx = { ...ctx, actor };

  // 1. Deleted, and every way in ends.
  const marked = await markAccountDeleted(actx, deps.endAccess, accountId, input.reason);
  const deletedAt = marked.account.deletedAt as Date;
  const outcome: ErasureOutcome = {
    accountId,
    pseudonym: marked.account.pseudonym as string,
    deletedAt,
    alreadyComplete: marked.complete,
    access: marked.access,
    orders: { cancelled: 0, completed: 0, inFlight: 0 },
    payments: { checkoutPagesExpired: 0, subscriptionsCancelled: 0, waiting: 0 },
    forfeited: { credits: 0, demoCredits: 0 },
    webhooks: { endpoints: 0, deliveries: 0 },
    data: { deleted: {}, emptied: {}, held: {} },
    completedAt: marked.account.erasureCompletedAt,
    completesBy: new Date(deletedAt.getTime() + ERASURE_DAYS * DAY_MS),
  };
  if (marked.complete) return outcome;

  // 2. Open orders end (each in its own transaction, with its release and its upstream cancellation).
  outcome.orders = await deps.endOpenOrders(actx, accountId);
  // … and so do active rentals (their periods settled, their numbers cooling).
  await deps.endRentals(actx, accountId);
  // … and card payments: no page takes a payment, no subscription renews, once nobody can get the credits.
  outcome.payments = await deps.endPayments(actx, accountId);

  // 3. What is left in the wallets is forfeited, with the audit row.
  outcome.forfeited = await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(actx, tx);
    const credits = await forfeitBalance(txCtx, {
      accountId,
      idempotencyKey: `erasure-forfeit:${newId('txn', ctx.clock.now().getTime())}`,
      reason: FORFEIT_REASON,
    });
    const demo = await voidDemoCredits(txCtx, accountId, DEMO_FORFEIT_REASON);
    const forfeited = { credits: credits?.transfer.amount ?? 0, demoCredits: demo?.transfer.amount ?? 0 };
    if (credits || demo) await audit(txCtx, 'credits.forfeit', accountId, { reason: FORFEIT_REASON, ...forfeited });
    return forfeited;
  });

  // 4. Webhooks stop.
  outcome.webhooks = await deps.stopWebhooks(actx, accountId);

  // 5. The personal data goes, walked from the data map.
  const erased = await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(actx, tx);
    const now = ctx.clock.now();
    const force = now.getTime() - deletedAt.getTime() >= ERASURE_FORCE_DAYS * DAY_MS;
    const data = await eraseOwnedData(tx, accountId, { force });
    const paymentsWaiting = force ? 0 : outcome.payments.waiting;
    const complete = Object.keys(data.held).length === 0 && paymentsWaiting === 0;
    // Waiting or not, the attempt is the account's latest change: the job takes the least recently tried first.
    await tx
      .update(accounts)
      .set(complete ? { erasureCompletedAt: now, updatedAt: now } : { updatedAt: now })
      .where(eq(accounts.id, accountId));
    await audit(txCtx, complete ? 'account.erasure_completed' : 'account.erasure_partial', accountId, {
      deleted: data.deleted,
      emptied: data.emptied,
      held: data.held,
      ...(paymentsWaiting ? { paymentsWaiting } : {}),
      ...(force ? { forced: true } : {}),
    });
    return { data, completedAt: complete ? now : null };
  });
  outcome.data = erased.data;
  outcome.completedAt = erased.completedAt;
  return outcome;
}

async function audit(ctx: Ctx, action: string, accountId: string, details: Record<string, unknown>): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.insert(auditLog).values({
    id: newId('aud', now.getTime()),
    actor: ctx.actor ?? 'customer',
    action,
    accountId,
    details,
    occurredAt: now,
  });
}
