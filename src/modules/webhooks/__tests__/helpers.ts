import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Actor } from '../../../../test/support/actors.ts';
import { asBearer, ctxOf } from '../../../../test/support/actors.ts';
import type { TestApp } from '../../../../test/support/app.ts';
import { webhookDeliveries, webhookEndpoints } from '../../../db/schema/index.ts';
import { deliverDueWebhooks } from '../deliver.ts';
import type { Receiver } from './receiver.ts';

/** Register `receiver` as an endpoint of `actor` through the API; the receiver learns the secret. */
export async function register(t: TestApp, actor: Actor, receiver: Receiver, body: Record<string, unknown> = {}) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/webhook-endpoints',
    headers: asBearer(actor),
    payload: { url: receiver.url, ...body },
  });
  expect(response.statusCode, response.body).toBe(201);
  const created = response.json() as { id: string; secret: string; status: string };
  receiver.secret = created.secret;
  return created;
}

/**
 * One run of the delivery job at the test clock's time. The test app's `WEBHOOK_TIMEOUT_MS` is roomy,
 * so that a healthy local receiver is never timed out on a loaded machine; a test of timeouts passes a
 * short one here.
 */
export const runDeliveries = (t: TestApp, options: { timeoutMs?: number } = {}) => {
  const ctx = ctxOf(t);
  return deliverDueWebhooks(
    options.timeoutMs === undefined ? ctx : { ...ctx, config: { ...ctx.config, webhookTimeoutMs: options.timeoutMs } },
    t.clock.now(),
  );
};

export const deliveriesOf = (t: TestApp, endpointId: string) =>
  t.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).orderBy(asc(webhookDeliveries.id));

export async function endpointRow(t: TestApp, endpointId: string) {
  const [row] = await t.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
  if (!row) throw new Error(`no endpoint ${endpointId}`);
  return row;
}

export const sendTest = (t: TestApp, actor: Actor, endpointId: string) =>
  t.app.inject({ method: 'POST', url: `/api/v1/webhook-endpoints/${endpointId}/test`, headers: asBearer(actor) });

/**
 * Run the job each time the endpoint's one pending delivery is due, until it is pending no more.
 * Returns the times of the attempts.
 */
export async function runUntilSettled(t: TestApp, endpointId: string, maxRuns = 30): Promise<Date[]> {
  const attempts: Date[] = [];
  for (let run = 0; run < maxRuns; run++) {
    const pending = (await deliveriesOf(t, endpointId)).filter((delivery) => delivery.status === 'pending');
    const [next] = pending;
    if (!next) return attempts;
    if (next.nextAttemptAt > t.clock.now()) t.clock.set(next.nextAttemptAt);
    attempts.push(t.clock.now());
    await runDeliveries(t);
  }
  throw new Error(`still pending after ${maxRuns} runs`);
}
