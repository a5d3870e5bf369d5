import { and, eq, sql } from 'drizzle-orm';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { Ctx } from '../context.ts';
import type { DeliveryRow } from './claim-due.ts';
import { disableEndpoint } from './disable-endpoint.ts';
import { MAX_ATTEMPTS, retryDelayMs } from './retry-schedule.ts';

export type AttemptResult =
  | { ok: true; status: number; durationMs: number }
  | { ok: false; status: number | null; error: string; retryAfterMs: number | null; durationMs: number };

export type Recorded = 'delivered' | 'retrying' | 'failed' | 'disabled' | 'stale';

/**
 * Record an attempt, only if the delivery is still ours (still pending with the attempt count we
 * claimed: otherwise our lease ran out and another run owns it, or the endpoint was disabled), with the
 * endpoint's failure record in the same transaction. 2xx is delivered. A failure is retried on the
 * schedule; after the last attempt the delivery fails, and the endpoint is disabled if nothing reached
 * it during this delivery's whole retry window (about three days) — one event that a working endpoint
 * keeps refusing does not disable it. `410 Gone` disables at once (Standard Webhooks).
 */
export async function recordAttempt(ctx: Ctx, at: Date, delivery: DeliveryRow, result: AttemptResult): Promise<Recorded> {
  const attempts = delivery.attempts + 1;
  const delay = result.ok ? null : retryDelayMs(attempts, result.retryAfterMs);
  const gone = result.status === 410;
  return transaction(ctx.db, async (tx) => {
    // Endpoint first, then deliveries: the lock order of disabling too, so the two never deadlock.
    const [endpoint] = await tx
      .select({ lastSuccessAt: webhookEndpoints.lastSuccessAt })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, delivery.endpointId))
      .for('no key update');
    const recorded = await tx
      .update(webhookDeliveries)
      .set({
        status: result.ok ? 'delivered' : delay === null || gone ? 'failed' : 'pending',
        attempts,
        lastAttemptAt: at,
        lastResponseStatus: result.status,
        lastError: result.ok ? null : result.error,
        lastDurationMs: result.durationMs,
        nextAttemptAt: new Date(at.getTime() + (delay ?? 0)),
        deliveredAt: result.ok ? at : null,
      })
      .where(
        and(
          eq(webhookDeliveries.id, delivery.id),
          eq(webhookDeliveries.status, 'pending'),
          eq(webhookDeliveries.attempts, delivery.attempts),
        ),
      )
      .returning({ id: webhookDeliveries.id });
    if (!endpoint || recorded.length === 0) return 'stale';

    if (result.ok) {
      await tx
        .update(webhookEndpoints)
        .set({
          consecutiveFailures: 0,
          failingSince: null,
          lastSuccessAt: sql`greatest(${webhookEndpoints.lastSuccessAt}, ${at}::timestamptz)`,
        })
        .where(eq(webhookEndpoints.id, delivery.endpointId));
      return 'delivered';
    }
    await tx
      .update(webhookEndpoints)
      .set({
        consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`,
        failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${at}::timestamptz)`,
      })
      .where(eq(webhookEndpoints.id, delivery.endpointId));
    let reason: string | undefined;
    if (gone) reason = 'the endpoint answered 410 Gone';
    else if (delay === null && (endpoint.lastSuccessAt === null || endpoint.lastSuccessAt < delivery.createdAt)) {
      const hours = Math.round((at.getTime() - delivery.createdAt.getTime()) / 3_600_000);
      reason = `no delivery succeeded for ${hours} hours (${MAX_ATTEMPTS} attempts of one event; last error: ${result.error})`;
    }
    if (reason && (await disableEndpoint({ ...ctx, db: tx }, delivery.endpointId, reason))) return 'disabled';
    return delay === null || gone ? 'failed' : 'retrying';
  });
}
