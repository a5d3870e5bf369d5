import { and, asc, isNotNull, isNull } from 'drizzle-orm';
import { accounts } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import type { ErasureDeps } from './deps.ts';
import { eraseAccount } from './erase-account.ts';

const BATCH = 50;

/**
 * The erasure job: every deleted account whose erasure has not completed (rows that had to wait —
 * an order being bought, an upstream cancellation not yet acknowledged) is erased again, each on its
 * own, so one that fails (logged) holds back none of the others. From ERASURE_FORCE_DAYS on, nothing
 * waits any more: every erasure completes within ERASURE_DAYS. The least recently attempted come first
 * (each attempt that leaves the erasure waiting touches `updated_at`), so erasures that keep waiting —
 * on a provider, on Stripe — never hold back the ones behind them, however many there are.
 */
export async function completeErasures(
  ctx: Ctx,
  deps: ErasureDeps,
  options: { signal?: AbortSignal; batch?: number } = {},
): Promise<{ completed: number; waiting: number; failed: number }> {
  const counts = { completed: 0, waiting: 0, failed: 0 };
  const pending = await ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(isNotNull(accounts.deletedAt), isNull(accounts.erasureCompletedAt)))
    .orderBy(asc(accounts.updatedAt), asc(accounts.deletedAt))
    .limit(options.batch ?? BATCH);
  for (const { id } of pending) {
    if (options.signal?.aborted) break;
    try {
      const outcome = await eraseAccount({ ...ctx, actor: 'system' }, deps, id, { reason: 'completing the erasure' });
      if (outcome.completedAt) counts.completed++;
      else counts.waiting++;
    } catch (error) {
      counts.failed++;
      ctx.log.error({ accountId: id, err: error }, 'could not complete an erasure: it is left for the next run');
    }
  }
  return counts;
}
