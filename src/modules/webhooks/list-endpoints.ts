import { asc, eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import type { EndpointView } from './schemas.ts';
import { ownEndpoint, toEndpointView } from './view.ts';

/** The account's endpoints (at most 10), oldest first, with their status and why one was disabled. */
export async function listWebhookEndpoints(ctx: Ctx, accountId: string): Promise<EndpointView[]> {
  const rows = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.accountId, accountId))
    .orderBy(asc(webhookEndpoints.id));
  return rows.map(toEndpointView);
}

export async function getWebhookEndpoint(ctx: Ctx, accountId: string, id: string): Promise<EndpointView> {
  return toEndpointView(await ownEndpoint(ctx.db, accountId, id));
}
