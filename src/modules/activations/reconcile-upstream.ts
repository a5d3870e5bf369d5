import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import { activations } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { UpstreamActivation } from '../../provider-clients/port.ts';
import type { Ctx } from '../context.ts';
import { queueProviderTask } from './actions.ts';
import type { ActivationDeps } from './deps.ts';
import { REQUESTING_TIMEOUT_MS } from './expire.ts';
import { recordTransition } from './transition.ts';

/** Look for leaked numbers of orders interrupted this recently (a provider activation lives 15–20 minutes). */
export const RECONCILE_WINDOW_MS = 30 * 60_000;
/** An unknown upstream activation must still be unknown this much later: an order being bought right now is recorded within it. */
export const CONFIRM_MS = 30_000;

/**
 * Failed orders that may have bought a number: interrupted by a crash, or failed after a provider
 * timed out or answered something unreadable (it may have sold the number all the same).
 */
const UNSETTLED = ['interrupted', 'provider_unavailable'];

/** Unknown upstream activations seen by earlier runs, `provider:upstreamId` → first seen (ms). */
export type Suspects = Map<string, number>;

/**
 * After a crash between buying a number upstream and recording it, the order is failed and refunded
 * by the expiry sweep (`interrupted`), but the provider still counts the number as ours; the same when
 * a purchase timed out on our side but went through on the provider's. This finds
 * such numbers — open at the provider, unknown here, of the same service and country as an interrupted
 * order, bought in its time window, and still unknown on a second look — ties each to its order and
 * cancels it upstream (through the provider-tasks queue, which retries until the provider agrees).
 * Activations the operator bought by hand on the same account match no interrupted order and are left
 * alone.
 */
export async function reconcileUpstream(
  ctx: Ctx,
  deps: ActivationDeps,
  now: Date,
  suspects: Suspects,
): Promise<{ interrupted: number; unknown: number; cancelled: number }> {
  const interrupted = await ctx.db
    .select({ id: activations.id, service: activations.service, country: activations.country, createdAt: activations.createdAt })
    .from(activations)
    .where(
      and(
        inArray(activations.failureReason, UNSETTLED),
        gt(activations.endedAt, new Date(now.getTime() - RECONCILE_WINDOW_MS)),
        isNull(activations.upstreamId),
      ),
    );
  if (interrupted.length === 0) {
    suspects.clear();
    return { interrupted: 0, unknown: 0, cancelled: 0 };
  }
  let unknownCount = 0;
  let cancelled = 0;
  const matched = new Set<string>();
  for (const provider of deps.catalog.providers) {
    if (provider.kind === 'sandbox' || !provider.listActive) continue;
    const listed = await provider.listActive();
    if (!listed.ok) {
      ctx.log.warn({ provider: provider.name, failure: listed.failure.kind }, 'could not list open activations for reconciliation');
      continue;
    }
    const ids = listed.value.map((a) => a.upstreamId);
    const known = new Set(
      ids.length === 0
        ? []
        : (
            await ctx.db
              .select({ upstreamId: activations.upstreamId })
              .from(activations)
              .where(and(eq(activations.provider, provider.name), inArray(activations.upstreamId, ids)))
          ).map((row) => row.upstreamId),
    );
    for (const upstream of listed.value) {
      if (known.has(upstream.upstreamId)) continue;
      unknownCount++;
      const key = `${provider.name}:${upstream.upstreamId}`;
      const firstSeen = suspects.get(key);
      if (firstSeen === undefined) {
        suspects.set(key, now.getTime());
        continue;
      }
      if (now.getTime() - firstSeen < CONFIRM_MS) continue;
      const order = interrupted.find((candidate) => !matched.has(candidate.id) && fits(upstream, candidate));
      if (!order) continue;
      const tied = await transaction(ctx.db, async (tx) => {
        const [row] = await tx.select().from(activations).where(eq(activations.id, order.id)).for('update');
        if (row?.status !== 'failed' || row.upstreamId) return false;
        const [taken] = await tx
          .select({ id: activations.id })
          .from(activations)
          .where(and(eq(activations.provider, provider.name), eq(activations.upstreamId, upstream.upstreamId)));
        if (taken) return false;
        const at = ctx.clock.now();
        const next = await recordTransition(tx, at, row, {
          type: 'upstream_reconciled',
          set: { provider: provider.name, upstreamId: upstream.upstreamId },
          actor: 'system',
          details: { provider: provider.name, upstreamId: upstream.upstreamId, action: 'cancel' },
        });
        await queueProviderTask(tx, next, 'cancel', at);
        return true;
      });
      matched.add(order.id);
      suspects.delete(key);
      if (tied) {
        cancelled++;
        ctx.log.warn(
          { activationId: order.id, provider: provider.name, upstreamId: upstream.upstreamId },
          'found a number bought for an interrupted order: cancelling it upstream',
        );
      }
    }
  }
  for (const [key, seen] of suspects) if (now.getTime() - seen > RECONCILE_WINDOW_MS) suspects.delete(key);
  return { interrupted: interrupted.length, unknown: unknownCount, cancelled };
}

function fits(upstream: UpstreamActivation, order: { service: string; country: string; createdAt: Date }): boolean {
  if (upstream.service && upstream.service !== order.service) return false;
  if (upstream.country && upstream.country !== order.country) return false;
  if (upstream.createdAt) {
    const t = upstream.createdAt.getTime();
    const start = order.createdAt.getTime() - 60_000;
    if (t < start || t > order.createdAt.getTime() + REQUESTING_TIMEOUT_MS + 60_000) return false;
  }
  return true;
}
