import { and, desc, eq, lt } from 'drizzle-orm';
import { webhookDeliveries } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import type { DeliveryView } from './schemas.ts';
import { ownEndpoint } from './view.ts';

/** A line of the delivery log (the `WebhookDelivery` response), with the cursor that pages past it. */
export interface DeliveryLine extends DeliveryView {
  cursor: string;
}

/** An endpoint's deliveries, newest first (kept RETENTION_LOGS_DAYS, 90 days by default), paginated by an opaque cursor. */
export async function listDeliveries(
  ctx: Ctx,
  accountId: string,
  endpointId: string,
  page: { limit: number; cursor?: string },
): Promise<DeliveryLine[]> {
  await ownEndpoint(ctx.db, accountId, endpointId);
  const before = page.cursor && /^\d{1,18}$/.test(page.cursor) ? Number(page.cursor) : undefined;
  const rows = await ctx.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.endpointId, endpointId), before === undefined ? undefined : lt(webhookDeliveries.id, before)))
    .orderBy(desc(webhookDeliveries.id))
    .limit(page.limit);
  return rows.map((row) => ({
    messageId: row.messageId,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    lastAttemptAt: row.lastAttemptAt,
    lastResponseStatus: row.lastResponseStatus,
    lastError: row.lastError,
    lastDurationMs: row.lastDurationMs,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
    cursor: String(row.id),
  }));
}
