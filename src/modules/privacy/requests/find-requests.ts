import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import type { Executor } from '../../../db/client.ts';
import { accounts, privacyRequests } from '../../../db/schema/index.ts';
import { DomainError } from '../../../lib/errors.ts';
import { OPEN_STATUSES } from './states.ts';
import type { RequestRow } from './view.ts';

/** A customer's requests, newest first (ids sort by filing time), one more than `limit` (see http/paging.ts). */
export async function listOwnRequests(db: Executor, input: { accountId: string; cursor?: string; limit: number }): Promise<RequestRow[]> {
  const mine = eq(privacyRequests.accountId, input.accountId);
  return db
    .select()
    .from(privacyRequests)
    .where(input.cursor ? and(mine, lt(privacyRequests.id, input.cursor)) : mine)
    .orderBy(desc(privacyRequests.id))
    .limit(input.limit + 1);
}

/** One of the customer's own requests; another account's is not found (never forbidden: no existence leak). */
export async function getOwnRequest(db: Executor, accountId: string, id: string): Promise<RequestRow> {
  const [row] = await db
    .select()
    .from(privacyRequests)
    .where(and(eq(privacyRequests.id, id), eq(privacyRequests.accountId, accountId)));
  if (!row) throw new DomainError('NOT_FOUND', 'No such privacy request.');
  return row;
}

/** The most the staff queue shows at once: far beyond what one operator's service receives in 30 days. */
export const QUEUE_LIMIT = 1000;

/** The staff queue: requests waiting on staff, the one due first at the top, with the account's restriction. */
export async function listRequestQueue(
  db: Executor,
  options: { customersOnly?: boolean } = {},
): Promise<{ row: RequestRow; processingRestricted: boolean }[]> {
  const rows = await db
    .select({ row: privacyRequests, restrictedAt: accounts.processingRestrictedAt })
    .from(privacyRequests)
    .innerJoin(accounts, eq(accounts.id, privacyRequests.accountId))
    .where(and(inArray(privacyRequests.status, [...OPEN_STATUSES]), options.customersOnly ? eq(accounts.role, 'customer') : undefined))
    .orderBy(asc(privacyRequests.dueAt), asc(privacyRequests.id))
    .limit(QUEUE_LIMIT);
  return rows.map(({ row, restrictedAt }) => ({ row, processingRestricted: restrictedAt !== null }));
}
