import { eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { Ctx } from '../context.ts';
import { ownEndpoint } from './view.ts';

/** Delete an endpoint with its delivery log; deliveries in flight are not recorded and never retried. */
export async function deleteWebhookEndpoint(ctx: Ctx, accountId: string, id: string): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    await ownEndpoint(tx, accountId, id, true);
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  });
}
