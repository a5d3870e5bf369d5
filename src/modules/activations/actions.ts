import type { Executor } from '../../db/client.ts';
import type { ProviderAction } from '../../db/schema/index.ts';
import { providerTasks } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { releaseHold } from '../ledger/index.ts';
import type { ActivationDeps } from './deps.ts';
import { type OpenedOrder, readOpened } from './opened-order.ts';
import { pollSoon } from './poll-upstream.ts';
import { lockActivation, recordTransition } from './transition.ts';
import { type ActivationRow, maskPhone, openPhone } from './view.ts';

/** Queue what the provider must be told; the provider-tasks job delivers it, retrying until acknowledged. */
export async function queueProviderTask(
  db: Executor,
  row: ActivationRow,
  action: ProviderAction,
  now: Date,
  notBefore = now,
): Promise<void> {
  if (!row.upstreamId) return;
  await db.insert(providerTasks).values({
    id: newId('ptk', now.getTime()),
    activationId: row.id,
    provider: row.provider,
    upstreamId: row.upstreamId,
    action,
    status: 'pending',
    nextAttemptAt: notBefore,
    createdAt: now,
  });
}

const ended = () => new DomainError('ACTIVATION_ENDED', 'This order has already ended.');

/** The customer is done with the number: a received order is completed (the provider is told to finish). */
export async function finishActivation(ctx: Ctx, deps: ActivationDeps, accountId: string, id: string): Promise<OpenedOrder> {
  const result = await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const row = await lockActivation(tx, id, accountId);
    if (row.status === 'completed') return row;
    if (row.status === 'waiting')
      throw new DomainError('NO_CODE_YET', 'No code has arrived yet: wait for it, or cancel the order to get your credits back.');
    if (row.status !== 'received') throw ended();
    await queueProviderTask(tx, row, 'finish', now);
    return recordTransition(tx, now, row, { type: 'finished', to: 'completed', set: { endedAt: now }, actor: 'customer' });
  });
  deps.ephemeral.orderEnded(id, ctx.clock.now().getTime());
  return readOpened(ctx, result);
}

/** Why the number of a cancelled order ended this way: `banned`, the customer reported it already used by the service. */
export const NUMBER_BANNED = 'number_banned';

/**
 * Cancel an order that got no code: the credits come back at once. Refused in the first CANCEL_MIN_S
 * seconds (providers refuse cancellation then too) with the seconds left, and after a code arrived.
 * `banned`: the customer says the service refused the number (5sim's `ban`); the order is cancelled
 * the same way, with `number_banned` as its reason (on the row and in the audit trail).
 */
export async function cancelActivation(
  ctx: Ctx,
  deps: ActivationDeps,
  accountId: string,
  id: string,
  options: { banned?: boolean } = {},
): Promise<OpenedOrder> {
  const result = await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const row = await lockActivation(tx, id, accountId);
    if (row.status === 'cancelled') return row;
    if (row.status === 'received' || row.status === 'completed') {
      throw new DomainError('CODE_RECEIVED', 'A code has already arrived for this order, so it cannot be cancelled. Finish it instead.');
    }
    if (row.status !== 'waiting') throw ended();
    const secondsLeft = Math.ceil((row.cancellableAt.getTime() - now.getTime()) / 1000);
    if (secondsLeft > 0) {
      throw new DomainError(
        'EARLY_CANCEL',
        `You can cancel in ${secondsLeft} s: a number must be kept for ${ctx.config.cancelMinS} s before it can be cancelled, because providers refuse earlier cancellations.`,
        { secondsLeft, retryAfterSeconds: secondsLeft, cancellableAt: row.cancellableAt.toISOString() },
      );
    }
    const service = serviceByCode(row.service)?.name ?? row.service;
    await releaseHold(
      { ...ctx, db: tx },
      {
        holdId: row.holdId as string,
        idempotencyKey: `${row.id}:release`,
        reason: `${service} number ${maskPhone(await openPhone({ ...ctx, db: tx }, row))}, cancelled: credits returned`,
      },
    );
    await queueProviderTask(tx, row, 'cancel', now);
    return recordTransition(tx, now, row, {
      type: 'cancelled',
      to: 'cancelled',
      set: options.banned ? { endedAt: now, failureReason: NUMBER_BANNED } : { endedAt: now },
      actor: 'customer',
      ...(options.banned ? { details: { reason: NUMBER_BANNED } } : {}),
      balanceChanged: true,
    });
  });
  deps.ephemeral.orderEnded(id, ctx.clock.now().getTime());
  return readOpened(ctx, result);
}

/** Ask for another SMS on the same number (free): for a second code from the same service. */
export async function retryActivation(ctx: Ctx, accountId: string, id: string): Promise<OpenedOrder> {
  const result = await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const row = await lockActivation(tx, id, accountId);
    if (row.status === 'waiting')
      throw new DomainError('NO_CODE_YET', 'The first code has not arrived yet; another one can be asked for after it.');
    if (row.status !== 'received') throw ended();
    await queueProviderTask(tx, row, 'retry', now);
    return recordTransition(tx, now, row, {
      type: 'retry_requested',
      // The next SMS is polled for from the start of the back-off again.
      set: { retryRequestedAt: now, ...(row.sandbox ? {} : pollSoon(now)) },
      actor: 'customer',
    });
  });
  return readOpened(ctx, result);
}
