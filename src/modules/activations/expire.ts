import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import { activations } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { releaseHold } from '../ledger/index.ts';
import { queueProviderTask } from './actions.ts';
import type { ActivationDeps } from './deps.ts';
import { recordTransition } from './transition.ts';
import { maskPhone } from './view.ts';

const BATCH = 100;
/** A `requesting` order older than this lost its process between holding and buying. */
export const REQUESTING_TIMEOUT_MS = 2 * 60_000;

/**
 * Ends what is due at `now`: a waiting order past its deadline expires and its credits come back; a
 * received one is completed; an order stuck in `requesting` (its process died mid-purchase) fails and
 * is refunded. Rows are claimed with SKIP LOCKED and each is ended in its own transaction, so several
 * instances share the work and an order is ended exactly once.
 */
export async function expireDue(
  ctx: Ctx,
  deps: ActivationDeps,
  now: Date,
): Promise<{ expired: number; completed: number; failed: number }> {
  const counts = { expired: 0, completed: 0, failed: 0 };
  for (;;) {
    const batch = await transaction(ctx.db, async (tx) => {
      const due = await tx
        .select()
        .from(activations)
        .where(and(inArray(activations.status, ['waiting', 'received', 'requesting']), lte(activations.expiresAt, now)))
        .orderBy(asc(activations.expiresAt))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      const stuck = await tx
        .select()
        .from(activations)
        .where(and(eq(activations.status, 'requesting'), lte(activations.createdAt, new Date(now.getTime() - REQUESTING_TIMEOUT_MS))))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      const rows = [...new Map([...due, ...stuck].map((row) => [row.id, row])).values()];
      for (const row of rows) {
        const service = serviceByCode(row.service)?.name ?? row.service;
        if (row.status === 'received') {
          await queueProviderTask(tx, row, 'finish', now);
          await recordTransition(tx, now, row, { type: 'completed', to: 'completed', set: { endedAt: now }, actor: 'system' });
          counts.completed++;
          continue;
        }
        await releaseHold(
          { ...ctx, db: tx },
          {
            holdId: row.holdId as string,
            idempotencyKey: `${row.id}:release`,
            reason:
              row.status === 'waiting'
                ? `${service} number ${maskPhone(row.phone)}, no code: credits returned`
                : `${service} number: the order could not be completed, credits returned`,
          },
        );
        if (row.status === 'waiting') {
          await queueProviderTask(tx, row, 'cancel', now);
          await recordTransition(tx, now, row, {
            type: 'expired',
            to: 'expired',
            set: { endedAt: now },
            actor: 'system',
            balanceChanged: true,
          });
          counts.expired++;
        } else {
          await recordTransition(tx, now, row, {
            type: 'failed',
            to: 'failed',
            set: { endedAt: now, failureReason: 'interrupted' },
            actor: 'system',
          });
          counts.failed++;
        }
      }
      return rows;
    });
    for (const row of batch) deps.ephemeral.orderEnded(row.id, now.getTime());
    if (batch.length < BATCH) break;
  }
  deps.ephemeral.sweep(now.getTime());
  return counts;
}
