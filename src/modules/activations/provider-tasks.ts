import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import { providerTasks } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { ProviderFailure } from '../../provider-clients/port.ts';
import type { Ctx } from '../context.ts';
import type { ActivationDeps } from './deps.ts';
import { providerCall, recordProviderCalls } from './provider-calls.ts';

const BATCH = 50;
const LEASE_MS = 60_000;
/** Give up after three days of refusals or silence (a provider that never answers). */
export const TASK_GIVE_UP_MS = 3 * 86_400_000;

/**
 * Tells providers what customers did: finish (setStatus 6), cancel (setStatus 8), another SMS
 * (setStatus 3). Claimed with SKIP LOCKED and a lease; retried with back-off until acknowledged.
 * "Already done" and "unknown activation" count as acknowledged: there is nothing left to tell.
 */
export async function runProviderTasks(
  ctx: Ctx,
  deps: ActivationDeps,
  now: Date,
): Promise<{ done: number; retrying: number; failed: number }> {
  const counts = { done: 0, retrying: 0, failed: 0 };
  const claimed = await transaction(ctx.db, async (tx) => {
    const due = await tx
      .select()
      .from(providerTasks)
      .where(and(eq(providerTasks.status, 'pending'), lte(providerTasks.nextAttemptAt, now)))
      .orderBy(asc(providerTasks.nextAttemptAt))
      .limit(BATCH)
      .for('update', { skipLocked: true });
    if (due.length > 0) {
      await tx
        .update(providerTasks)
        .set({ nextAttemptAt: new Date(now.getTime() + LEASE_MS) })
        .where(
          inArray(
            providerTasks.id,
            due.map((task) => task.id),
          ),
        );
    }
    return due;
  });

  for (const task of claimed) {
    const provider = deps.catalog.provider(task.provider);
    let failure: ProviderFailure | undefined;
    if (!provider) failure = { kind: 'unavailable', message: `provider ${task.provider} is not configured any more` };
    else {
      const started = performance.now();
      const result =
        task.action === 'finish'
          ? await provider.finish(task.upstreamId)
          : task.action === 'cancel'
            ? await provider.cancel(task.upstreamId)
            : await provider.requestAnotherSms(task.upstreamId);
      if (!result.ok) failure = result.failure;
      await recordProviderCalls(
        ctx.db,
        task.activationId,
        [providerCall(task.provider, task.action, started, performance.now(), result, () => 'acknowledged')],
        ctx.clock.now(),
      );
    }
    const acknowledged = !failure || failure.kind === 'already_final' || failure.kind === 'not_found';
    const attempts = task.attempts + 1;
    if (acknowledged) {
      await ctx.db
        .update(providerTasks)
        .set({ status: 'done', attempts, doneAt: now, lastError: failure?.message ?? null })
        .where(eq(providerTasks.id, task.id));
      counts.done++;
      continue;
    }
    const giveUp = now.getTime() - task.createdAt.getTime() >= TASK_GIVE_UP_MS;
    // Early-cancel refusals clear up within minutes; other faults back off exponentially (cap 30 min).
    const delay = failure?.kind === 'early_cancel' ? 30_000 : Math.min(5_000 * 2 ** Math.min(attempts, 10), 30 * 60_000);
    await ctx.db
      .update(providerTasks)
      .set({
        status: giveUp ? 'failed' : 'pending',
        attempts,
        lastError: `${failure?.kind}: ${failure?.message}`.slice(0, 500),
        nextAttemptAt: new Date(now.getTime() + delay),
      })
      .where(eq(providerTasks.id, task.id));
    if (giveUp) {
      ctx.log.error({ taskId: task.id, provider: task.provider, action: task.action, failure }, 'gave up telling the provider');
      counts.failed++;
    } else counts.retrying++;
  }
  return counts;
}
