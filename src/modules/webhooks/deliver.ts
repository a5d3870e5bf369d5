import { and, eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { Config } from '../../config.ts';
import { type WebhookPayload, webhookDeliveries } from '../../db/schema/index.ts';
import { safeErrorMessage } from '../../lib/database-errors.ts';
import type { Ctx } from '../context.ts';
import { SMS_TEXT_FIELDS } from '../events/index.ts';
import { type AccountKey, readAccountKey } from '../keyring/index.ts';
import { type Claimed, claimDueDeliveries } from './claim-due.ts';
import { type AttemptResult, recordAttempt } from './record-attempt.ts';
import { RETRY_SCHEDULE_MS } from './retry-schedule.ts';
import { sendWebhook } from './send.ts';
import { decryptSigningSecret } from './signing-secret.ts';

const BATCH = 50;
/** Attempts in flight at once per run. */
const CONCURRENCY = 10;
/** A held delivery (its account's processing is restricted) is looked at again this much later. */
export const HOLD_RECHECK_MS = 60_000;
/** No new batch is claimed after this long; the rest waits for the next run (2 s later). */
const RUN_BUDGET_MS = 30_000;

/** Longer than a batch can take (every attempt timing out), so no claim expires while being sent. */
export const leaseMs = (config: Config) => Math.ceil(BATCH / CONCURRENCY) * config.webhookTimeoutMs + 60_000;

export type DeliveryCounts = {
  delivered: number;
  retrying: number;
  failed: number;
  deferred: number;
  held: number;
  endpointsDisabled: number;
};

/**
 * Sends due webhooks: claims batches (claim-due.ts), signs each attempt when it is sent (Standard
 * Webhooks: `webhook-timestamp` is the attempt's time, `webhook-id` the event's, the same on every
 * retry), POSTs it (send.ts) and records the outcome (record-attempt.ts). A crash between sending and
 * recording sends again after the lease: delivery is at least once, and `webhook-id` lets receivers
 * deduplicate. An endpoint that cannot be reached (timeout, refused connection or address) is not tried
 * again in the same run: its other deliveries wait for the first retry delay, uncounted, so one dead
 * endpoint with a backlog cannot hold every sender for its timeouts.
 */
export async function deliverDueWebhooks(ctx: Ctx, now: Date, options: { signal?: AbortSignal } = {}): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { delivered: 0, retrying: 0, failed: 0, deferred: 0, held: 0, endpointsDisabled: 0 };
  const unreachable = new Set<string>();
  while (!options.signal?.aborted) {
    const claimed = await claimDueDeliveries(ctx.db, now, BATCH, leaseMs(ctx.config));
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, claimed.length) }, async () => {
        for (let item = claimed[next++]; item; item = claimed[next++]) await attempt(ctx, item, counts, unreachable, options.signal);
      }),
    );
    if (claimed.length < BATCH || ctx.clock.now().getTime() - now.getTime() > RUN_BUDGET_MS) break;
  }
  return counts;
}

async function attempt(
  ctx: Ctx,
  { delivery, endpoint, accountSuspended, processingRestricted }: Claimed,
  counts: DeliveryCounts,
  unreachable: Set<string>,
  signal?: AbortSignal,
) {
  const at = ctx.clock.now();
  const stillOurs = and(
    eq(webhookDeliveries.id, delivery.id),
    eq(webhookDeliveries.status, 'pending'),
    eq(webhookDeliveries.attempts, delivery.attempts),
  );
  if (endpoint?.status !== 'enabled' || accountSuspended) {
    // Queued while the endpoint was being disabled (or deleted), or its account is suspended: it is not sent.
    const lastError = accountSuspended ? 'not sent: the account is suspended' : 'not sent: the endpoint was disabled';
    await ctx.db.update(webhookDeliveries).set({ status: 'failed', lastError }).where(stillOurs);
    counts.failed++;
    return;
  }
  if (processingRestricted) {
    // Kept, not processed (Art. 18): held as it is, attempts untouched, sent once the restriction is lifted.
    await ctx.db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: new Date(at.getTime() + HOLD_RECHECK_MS) })
      .where(stillOurs);
    counts.held++;
    return;
  }
  if (unreachable.has(endpoint.id)) {
    await ctx.db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: new Date(at.getTime() + RETRY_SCHEDULE_MS[0]) })
      .where(stillOurs);
    counts.deferred++;
    return;
  }

  // The URL and an SMS text are sealed under the account's key (ADR 28): opened only to send. Once the
  // account is erased (its key destroyed) nothing can be sent.
  const key = await readAccountKey(ctx, endpoint.accountId);
  if (!key) {
    await ctx.db.update(webhookDeliveries).set({ status: 'failed', lastError: 'not sent: the account was erased' }).where(stillOurs);
    counts.failed++;
    return;
  }
  const body = JSON.stringify(openedPayload(key, delivery.payload));
  const url = key.open('webhook_endpoints.url', endpoint.id, endpoint.url);
  const started = performance.now();
  let result: AttemptResult;
  try {
    const secret = decryptSigningSecret(ctx.keys, endpoint.id, endpoint.secretEncrypted);
    const outcome = await sendWebhook(
      url,
      body,
      {
        'webhook-id': delivery.messageId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(delivery.messageId, at, body),
      },
      { timeoutMs: ctx.config.webhookTimeoutMs, allowPrivate: ctx.config.webhookAllowPrivateNetworks, signal },
    );
    const durationMs = Math.round(performance.now() - started);
    // Shutting down: the lease brings the delivery back; the interruption is not the receiver's failure.
    if (outcome.kind === 'failed' && outcome.interrupted) return;
    if (outcome.kind === 'failed') {
      unreachable.add(endpoint.id);
      result = { ok: false, status: null, error: outcome.error, retryAfterMs: null, durationMs };
    } else if (outcome.status >= 200 && outcome.status < 300) {
      result = { ok: true, status: outcome.status, durationMs };
    } else {
      const redirect = outcome.status >= 300 && outcome.status < 400;
      const error = redirect ? `HTTP ${outcome.status}: redirects are not followed; register the final URL` : `HTTP ${outcome.status}`;
      result = { ok: false, status: outcome.status, error, retryAfterMs: outcome.retryAfterMs, durationMs };
    }
  } catch (error) {
    // The signing secret or the signature failed: sendWebhook words its own failures (naming no host).
    const durationMs = Math.round(performance.now() - started);
    result = { ok: false, status: null, error: `not sent: ${safeErrorMessage(error)}`.slice(0, 300), retryAfterMs: null, durationMs };
  }

  const recorded = await recordAttempt(ctx, at, delivery, result);
  if (recorded === 'stale') return;
  if (recorded === 'disabled') counts.endpointsDisabled++;
  counts[recorded === 'disabled' ? 'failed' : recorded]++;
}

/**
 * The body as the receiver gets it: an `sms.received` or `rental.sms` event carries the message's
 * text, which the delivery row holds as `activation_sms` or `rental_sms` stores it — sealed
 * (events/emit.ts copies it).
 */
function openedPayload(key: AccountKey, payload: WebhookPayload): WebhookPayload {
  const { text, smsId } = payload.data;
  const field = Object.hasOwn(SMS_TEXT_FIELDS, payload.type) ? SMS_TEXT_FIELDS[payload.type as keyof typeof SMS_TEXT_FIELDS] : undefined;
  if (!field || typeof text !== 'string' || typeof smsId !== 'string') return payload;
  return { ...payload, data: { ...payload.data, text: key.open(field, smsId, text) } };
}
