import { and, asc, eq, inArray, lte, notInArray, or, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { activations } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { releaseHold } from '../ledger/index.ts';
import { queueProviderTask } from './actions.ts';
import type { ActivationDeps } from './deps.ts';
import { OPEN_STATUSES } from './states.ts';
import { recordTransition } from './transition.ts';
import { type ActivationRow, maskPhone, openPhone } from './view.ts';

const BATCH = 100;
/** A `requesting` order older than this lost its process between holding and buying. */
export const REQUESTING_TIMEOUT_MS = 2 * 60_000;

type Ending = 'expired' | 'completed' | 'failed';

/**
 * Ends what is due at `now`: a waiting order past its deadline expires and its credits come back; a
 * received one is completed; an order stuck in `requesting` (its process died mid-purchase) fails and
 * is refunded. Each order is ended in a transaction of its own, claimed with SKIP LOCKED and checked
 * again under its lock, so several instances share the work, an order is ended exactly once, and one
 * order that cannot be ended (logged, left for the next run) holds back none of the others.
 */
export async function expireDue(
  ctx: Ctx,
  deps: ActivationDeps,
  now: Date,
): Promise<{ expired: number; completed: number; failed: number; skipped: number }> {
  const counts = { expired: 0, completed: 0, failed: 0, skipped: 0 };
  // Orders this run could not end (locked elsewhere, or failing): not asked for again until the next run.
  const passed: string[] = [];
  for (;;) {
    const { ids, more } = await dueOrders(ctx, now, passed);
    for (const id of ids) {
      try {
        const ending = await endDueOrder(ctx, id, now);
        if (ending) {
          counts[ending]++;
          deps.ephemeral.orderEnded(id, now.getTime());
        } else passed.push(id);
      } catch (error) {
        passed.push(id);
        counts.skipped++;
        ctx.log.error({ activationId: id, err: error }, 'could not end a due order: it is left for the next run');
      }
    }
    if (!more) break;
  }
  deps.ephemeral.sweep(now.getTime());
  return counts;
}

/** Open orders past their deadline (by the partial index of open orders' deadlines). */
const pastDeadline = (now: Date) => and(inArray(activations.status, [...OPEN_STATUSES]), lte(activations.expiresAt, now)) as SQL;
/** Orders whose process died between holding and buying. */
const stuckRequesting = (now: Date) =>
  and(eq(activations.status, 'requesting'), lte(activations.createdAt, new Date(now.getTime() - REQUESTING_TIMEOUT_MS))) as SQL;

/**
 * The next due orders (soonest deadline first, then the stuck ones), leaving out those this run passed
 * over; `more` when a batch was full.
 */
async function dueOrders(ctx: Ctx, now: Date, passed: string[]): Promise<{ ids: string[]; more: boolean }> {
  const notPassed = passed.length > 0 ? notInArray(activations.id, passed) : undefined;
  const late = await ctx.db
    .select({ id: activations.id })
    .from(activations)
    .where(and(pastDeadline(now), notPassed))
    .orderBy(asc(activations.expiresAt))
    .limit(BATCH);
  const stuck = await ctx.db
    .select({ id: activations.id })
    .from(activations)
    .where(and(stuckRequesting(now), notPassed))
    .limit(BATCH);
  const ids = [...new Set([...late, ...stuck].map((row) => row.id))];
  return { ids, more: late.length === BATCH || stuck.length === BATCH };
}

/**
 * One due order ended in its own transaction: locked (skipped if another transaction holds it) and
 * still due, else nothing is done and undefined comes back.
 */
async function endDueOrder(ctx: Ctx, id: string, now: Date): Promise<Ending | undefined> {
  return transaction(ctx.db, async (tx) => {
    const [row] = await tx
      .select()
      .from(activations)
      .where(and(eq(activations.id, id), or(pastDeadline(now), stuckRequesting(now))))
      .for('update', { skipLocked: true });
    return row ? endOrder(ctx, tx, row, now) : undefined;
  });
}

async function endOrder(ctx: Ctx, tx: Tx, row: ActivationRow, now: Date): Promise<Ending> {
  if (row.status === 'received') {
    await queueProviderTask(tx, row, 'finish', now);
    await recordTransition(tx, now, row, { type: 'completed', to: 'completed', set: { endedAt: now }, actor: 'system' });
    return 'completed';
  }
  const service = serviceByCode(row.service)?.name ?? row.service;
  await releaseHold(
    { ...ctx, db: tx },
    {
      holdId: row.holdId as string,
      idempotencyKey: `${row.id}:release`,
      reason:
        row.status === 'waiting'
          ? `${service} number ${maskPhone(await openPhone({ ...ctx, db: tx }, row))}, no code: credits returned`
          : `${service} number: the order could not be completed, credits returned`,
    },
  );
  if (row.status === 'waiting') {
    await queueProviderTask(tx, row, 'cancel', now);
    await recordTransition(tx, now, row, { type: 'expired', to: 'expired', set: { endedAt: now }, actor: 'system', balanceChanged: true });
    return 'expired';
  }
  await recordTransition(tx, now, row, {
    type: 'failed',
    to: 'failed',
    set: { endedAt: now, failureReason: 'interrupted' },
    actor: 'system',
  });
  return 'failed';
}
