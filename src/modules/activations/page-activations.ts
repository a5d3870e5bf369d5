import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { activations } from '../../db/schema/index.ts';
import type { ActivationRow } from './view.ts';

export interface ActivationPageQuery {
  accountId: string;
  /** How many orders to skip, in the chosen order. */
  offset: number;
  limit: number;
  newestFirst: boolean;
}

/**
 * One page of the account's orders by position, and how many there are in all: the paging of APIs
 * that count (`offset` + `limit` + a total, as 5sim's order history does). Our own API pages by
 * cursor (list-activations.ts), which stays exact while orders are added; this one may shift by the
 * orders placed between two pages, as the protocols that ask for it do. Orders still being bought
 * are left out, as everywhere.
 */
export async function pageActivations(db: Executor, query: ActivationPageQuery): Promise<{ rows: ActivationRow[]; total: number }> {
  const { accountId, offset, limit, newestFirst } = query;
  const where = and(eq(activations.accountId, accountId), sql`${activations.status} <> 'requesting'`);
  const rows = await db
    .select()
    .from(activations)
    .where(where)
    .orderBy(newestFirst ? desc(activations.id) : asc(activations.id))
    .limit(limit)
    .offset(offset);
  const counted = await db.select({ total: count() }).from(activations).where(where);
  return { rows, total: Number(counted[0]?.total ?? 0) };
}
