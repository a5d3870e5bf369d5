import { webhookDeliveries } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { TEST_EVENT_TYPE } from './event-types.ts';
import { ownEndpoint } from './view.ts';

/** Queue a `webhook.test` event for one endpoint, to check a receiver and its signature verification. */
export async function sendTestEvent(ctx: Ctx, accountId: string, id: string): Promise<{ messageId: string }> {
  return transaction(ctx.db, async (tx) => {
    const endpoint = await ownEndpoint(tx, accountId, id, true);
    if (endpoint.status !== 'enabled') throw new DomainError('CONFLICT', 'This endpoint is disabled; enable it first.');
    const now = ctx.clock.now();
    const messageId = newId('msg', now.getTime());
    await tx.insert(webhookDeliveries).values({
      endpointId: id,
      messageId,
      eventId: null,
      type: TEST_EVENT_TYPE,
      payload: {
        type: TEST_EVENT_TYPE,
        timestamp: now.toISOString(),
        data: { endpointId: id, message: 'A test event from otpbox: your endpoint receives and verifies webhooks.' },
      },
      status: 'pending',
      nextAttemptAt: now,
      createdAt: now,
    });
    return { messageId };
  });
}
