import { and, eq, inArray } from 'drizzle-orm';
import { activations } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { releaseHold } from '../ledger/index.ts';
import { queueProviderTask } from './actions.ts';
import type { ActivationDeps } from './deps.ts';
import { OPEN_STATUSES } from './states.ts';
import { recordTransition } from './transition.ts';
import { maskPhone, openPhone } from './view.ts';

/** The masked number when it can still be opened, else nothing ("Telegram number, cancelled …"). */
const erasedPhone = (phone: string | null) => (phone ? ` ${maskPhone(phone)}` : '');

/**
 * The account is being erased (privacy's `ErasureDeps.endOpenOrders`): its open orders end now,
 * CANCEL_MIN_S notwithstanding — the customer is leaving, and the provider is told by a task retried
 * until it acknowledges. A waiting order is cancelled and its hold released; a received one is
 * completed (its credits were captured when the code came). Orders still being bought (`requesting`)
 * are left to their purchase and counted: the erasure job ends them once they have a number or fail.
 * Each order in a transaction of its own, locked and checked again under the lock.
 */
export async function endOrdersForErasure(
  ctx: Ctx,
  deps: ActivationDeps,
  accountId: string,
): Promise<{ cancelled: number; completed: number; inFlight: number }> {
  const counts = { cancelled: 0, completed: 0, inFlight: 0 };
  const open = await ctx.db
    .select({ id: activations.id })
    .from(activations)
    .where(and(eq(activations.accountId, accountId), inArray(activations.status, [...OPEN_STATUSES])));
  const actor = ctx.actor ?? 'customer';
  for (const { id } of open) {
    const ending = await transaction(ctx.db, async (tx) => {
      const now = ctx.clock.now();
      const [row] = await tx.select().from(activations).where(eq(activations.id, id)).for('update');
      if (!row) return undefined;
      if (row.status === 'requesting') return 'inFlight' as const;
      if (row.status === 'received') {
        await queueProviderTask(tx, row, 'finish', now);
        await recordTransition(tx, now, row, {
          type: 'finished',
          to: 'completed',
          set: { endedAt: now },
          actor,
          details: { erasure: true },
        });
        return 'completed' as const;
      }
      if (row.status !== 'waiting') return undefined;
      const service = serviceByCode(row.service)?.name ?? row.service;
      await releaseHold(
        { ...ctx, db: tx },
        {
          holdId: row.holdId as string,
          idempotencyKey: `${row.id}:release`,
          // The account's key is shredded by now (the erasure's first step): the number cannot be opened,
          // and its sealed form must never be shown as if it were one.
          reason: `${service} number${erasedPhone(await openPhone({ ...ctx, db: tx }, row))}, cancelled on account erasure: credits returned`,
        },
      );
      await queueProviderTask(tx, row, 'cancel', now);
      await recordTransition(tx, now, row, {
        type: 'cancelled',
        to: 'cancelled',
        set: { endedAt: now },
        actor,
        details: { erasure: true },
        balanceChanged: true,
      });
      return 'cancelled' as const;
    });
    if (ending) counts[ending]++;
    if (ending === 'cancelled' || ending === 'completed') deps.ephemeral.orderEnded(id, ctx.clock.now().getTime());
  }
  return counts;
}
