import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import { activations } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { UpstreamStatus } from '../../provider-clients/port.ts';
import { serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { releaseHold } from '../ledger/index.ts';
import type { ActivationDeps } from './deps.ts';
import { providerCall, recordProviderCalls } from './provider-calls.ts';
import { receiveSms } from './receive-sms.ts';
import { isOpenWithNumber, OPEN_WITH_NUMBER } from './states.ts';
import { recordTransition } from './transition.ts';
import { maskPhone, openPhone } from './view.ts';

const BATCH = 100;
/** Parallel calls per run: enough for hundreds of open orders, few enough to be polite to a provider. */
const CONCURRENCY = 8;
/** A claimed order is not claimed again by another run (or instance) for this long. */
const LEASE_MS = 30_000;

/** The first poll, this long after the number was bought. */
export const FIRST_POLL_MS = 2_000;

/**
 * Back-off while nothing changes: 2 s, then ×1.25 per quiet poll, up to 10 s (30 s for a provider
 * that pushes SMS to us: polling is only the safety net then). An SMS or a request for another one
 * starts again from 2 s.
 */
export function pollDelayMs(quietPolls: number, pushes: boolean): number {
  return Math.min(Math.round(FIRST_POLL_MS * 1.25 ** quietPolls), pushes ? 30_000 : 10_000);
}

/**
 * Ask providers about open orders whose poll is due: new SMS are recorded (the same path as a pushed
 * one: dedupe, capture, event), an activation the provider ended is ended here too (credits back when
 * no code came), and the next poll is scheduled with back-off. Claimed with SKIP LOCKED and a lease,
 * so several instances share the work without asking twice.
 */
export async function pollUpstream(
  ctx: Ctx,
  deps: ActivationDeps,
  now: Date,
  options: { pushes?: (provider: string) => boolean } = {},
): Promise<{ polled: number; sms: number; ended: number; failed: number }> {
  const counts = { polled: 0, sms: 0, ended: 0, failed: 0 };
  const claimed = await transaction(ctx.db, async (tx) => {
    const due = await tx
      .select({
        id: activations.id,
        provider: activations.provider,
        upstreamId: activations.upstreamId,
        pollAttempts: activations.pollAttempts,
      })
      .from(activations)
      .where(and(isNotNull(activations.nextPollAt), lte(activations.nextPollAt, now), inArray(activations.status, [...OPEN_WITH_NUMBER])))
      .orderBy(asc(activations.nextPollAt))
      .limit(BATCH)
      .for('update', { skipLocked: true });
    if (due.length > 0)
      await tx
        .update(activations)
        .set({ nextPollAt: new Date(now.getTime() + LEASE_MS) })
        .where(
          inArray(
            activations.id,
            due.map((row) => row.id),
          ),
        );
    return due;
  });

  let next = 0;
  const worker = async () => {
    for (;;) {
      const row = claimed[next++];
      if (!row) return;
      const provider = deps.catalog.provider(row.provider);
      if (!provider || !row.upstreamId) {
        // Its provider is gone from this instance's view: nothing to ask; the expiry sweep ends it.
        await ctx.db.update(activations).set({ nextPollAt: null }).where(eq(activations.id, row.id));
        continue;
      }
      counts.polled++;
      const started = performance.now();
      const status = await provider.checkStatus(row.upstreamId);
      const call = providerCall(
        row.provider,
        'status',
        started,
        performance.now(),
        status,
        (value) => `${value.state}, ${value.sms.length} SMS`,
      );
      let quiet = row.pollAttempts + 1;
      let ended = false;
      if (status.ok) {
        for (const sms of status.value.sms) {
          if (!sms.text && !sms.code) continue;
          const { outcome } = await receiveSms(ctx, deps, {
            target: { provider: row.provider, upstreamId: row.upstreamId },
            text: sms.text,
            providerCode: sms.code,
            receivedAt: sms.receivedAt ?? undefined,
            source: 'provider_poll',
          });
          if (outcome === 'charged' || outcome === 'recorded') {
            counts.sms++;
            quiet = 0;
          }
        }
        ended = await endIfUpstreamEnded(ctx, deps, row.id, status.value, now);
        if (ended) counts.ended++;
      } else {
        counts.failed++;
        ctx.log.warn({ activationId: row.id, provider: row.provider, failure: status.failure.kind }, 'could not poll the provider');
      }
      // A poll is logged when its answer changed something (a new message, the order ended) or it failed;
      // an unchanged answer is not (most polls are: the log would grow with every order's waiting time).
      if (!status.ok || quiet === 0 || ended) await recordProviderCalls(ctx.db, row.id, [call], ctx.clock.now());
      if (!ended) {
        const delay = pollDelayMs(quiet, options.pushes?.(row.provider) ?? false);
        await ctx.db
          .update(activations)
          .set({ nextPollAt: new Date(ctx.clock.now().getTime() + delay), pollAttempts: quiet })
          .where(and(eq(activations.id, row.id), inArray(activations.status, [...OPEN_WITH_NUMBER])));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, claimed.length) }, worker));
  return counts;
}

/**
 * The provider closed the activation on its side (its own timeout, the operator cancelled it in the
 * provider's dashboard, the number was banned): a waiting order cannot get a code any more, so it ends
 * now and the credits come back; a received one is complete. Returns whether the order ended.
 */
async function endIfUpstreamEnded(ctx: Ctx, deps: ActivationDeps, id: string, status: UpstreamStatus, now: Date): Promise<boolean> {
  if (status.state === 'waiting' || status.state === 'received') return false;
  const ended = await transaction(ctx.db, async (tx) => {
    const [row] = await tx.select().from(activations).where(eq(activations.id, id)).for('update');
    if (!row || !isOpenWithNumber(row.status)) return false;
    const at = ctx.clock.now();
    if (row.status === 'received') {
      await recordTransition(tx, at, row, {
        type: 'completed',
        to: 'completed',
        set: { endedAt: at, nextPollAt: null },
        actor: 'provider',
        details: { upstream: status.state },
      });
      return true;
    }
    const service = serviceByCode(row.service)?.name ?? row.service;
    await releaseHold(
      { ...ctx, db: tx },
      {
        holdId: row.holdId as string,
        idempotencyKey: `${row.id}:release`,
        reason: `${service} number ${maskPhone(await openPhone({ ...ctx, db: tx }, row))}, ended by the provider without a code: credits returned`,
      },
    );
    await recordTransition(tx, at, row, {
      type: 'ended_by_provider',
      to: status.state === 'expired' ? 'expired' : 'cancelled',
      set: { endedAt: at, nextPollAt: null, failureReason: `upstream_${status.state}` },
      actor: 'provider',
      details: { upstream: status.state },
      balanceChanged: true,
    });
    return true;
  });
  if (ended) deps.ephemeral.orderEnded(id, now.getTime());
  return ended;
}

/** Poll again soon (a request for another SMS was just sent). */
export const pollSoon = (now: Date) => ({ nextPollAt: new Date(now.getTime() + FIRST_POLL_MS), pollAttempts: 0 });
