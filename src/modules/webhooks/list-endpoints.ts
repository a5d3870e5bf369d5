import { asc, eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { readAccountKey } from '../keyring/index.ts';
import type { EndpointView } from './schemas.ts';
import { ownEndpoint, toEndpointView } from './view.ts';

/** The account's endpoints (at most 10), oldest first, with their status and why one was disabled. */
export async function listWebhookEndpoints(ctx: Ctx, accountId: string): Promise<EndpointView[]> {
  const rows = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.accountId, accountId))
    .orderBy(asc(webhookEndpoints.id));
  const key = rows.length > 0 ? await readAccountKey(ctx, accountId) : undefined;
  return rows.map((row) => toEndpointView(key, row));
}

export async function getWebhookEndpoint(ctx: Ctx, accountId: string, id: string): Promise<EndpointView> {
  const row = await ownEndpoint(ctx.db, accountId, id);
  return toEndpointView(await readAccountKey(ctx, accountId), row);
}
