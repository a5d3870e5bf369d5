import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { type WebhookEndpointStatus, webhookEndpoints } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

/** What the API shows of an endpoint: everything but the secret. */
export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  status: WebhookEndpointStatus;
  disabledReason: string | null;
  disabledAt: Date | null;
  consecutiveFailures: number;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const toEndpointView = (row: EndpointRow): EndpointView => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: row.eventTypes,
  status: row.status,
  disabledReason: row.disabledReason,
  disabledAt: row.disabledAt,
  consecutiveFailures: row.consecutiveFailures,
  failingSince: row.failingSince,
  lastSuccessAt: row.lastSuccessAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** One of the account's endpoints, locked when asked; another account's (or none) is NOT_FOUND, never forbidden. */
export async function ownEndpoint(db: Executor, accountId: string, id: string, lock = false): Promise<EndpointRow> {
  const query = db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.accountId, accountId)));
  const [row] = lock ? await query.for('no key update') : await query;
  if (!row) throw new DomainError('NOT_FOUND', 'No such webhook endpoint.');
  return row;
}
