import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { webhookEndpoints } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { AccountKey } from '../keyring/index.ts';
import type { EndpointView } from './schemas.ts';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

/** The endpoint as the API shows it; `key` is its account's, to open the URL (sealed, ADR 28). */
export const toEndpointView = (key: AccountKey | undefined, row: EndpointRow): EndpointView => ({
  id: row.id,
  url: key ? key.open('webhook_endpoints.url', row.id, row.url) : '',
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
