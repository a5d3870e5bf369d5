import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { activations } from '../../db/schema/index.ts';
import type { ActivationRow } from './view.ts';

export interface ActivationQuery {
  accountId: string;
  /** Only these statuses; by default every order but those still being bought. */
  status?: ActivationRow['status'][];
  /** Orders older than this id (the last one of the previous page). */
  cursor?: string;
  limit: number;
}

/** The account's orders, newest first: up to `limit`, and one more when there is a next page. */
export async function listActivations(db: Executor, query: ActivationQuery): Promise<ActivationRow[]> {
  const { accountId, status, cursor, limit } = query;
  return db
    .select()
    .from(activations)
    .where(
      and(
        eq(activations.accountId, accountId),
        status ? inArray(activations.status, status) : sql`${activations.status} <> 'requesting'`,
        cursor ? lt(activations.id, cursor) : undefined,
      ),
    )
    .orderBy(desc(activations.id))
    .limit(limit + 1);
}
