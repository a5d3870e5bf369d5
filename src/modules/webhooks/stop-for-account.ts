import { and, eq, inArray } from 'drizzle-orm';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { disableEndpointsLeftBy } from './disable-for-access.ts';

/**
 * The account is being erased (privacy's `ErasureDeps.stopWebhooks`): every endpoint of it is
 * disabled and its pending deliveries are dropped, in one transaction. Nobody is told by e-mail:
 * the account has gone. Safe to repeat.
 */
export async function stopWebhooksOfAccount(ctx: Ctx, accountId: string): Promise<{ endpoints: number; deliveries: number }> {
  return transaction(ctx.db, async (tx) => {
    const disabled = await disableEndpointsLeftBy(withDb(ctx, tx), accountId, 'all', 'the account was deleted');
    const endpoints = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.accountId, accountId));
    const dropped =
      endpoints.length === 0
        ? []
        : await tx
            .update(webhookDeliveries)
            .set({ status: 'failed', lastError: 'not sent: the account was deleted' })
            .where(
              and(
                inArray(
                  webhookDeliveries.endpointId,
                  endpoints.map((endpoint) => endpoint.id),
                ),
                eq(webhookDeliveries.status, 'pending'),
              ),
            )
            .returning({ id: webhookDeliveries.id });
    return { endpoints: disabled, deliveries: dropped.length };
  });
}
