import { sql } from 'drizzle-orm';
import { CATALOG_CHANNEL } from '../../db/channels.ts';
import type { Executor } from '../../db/client.ts';

/**
 * Announced (NOTIFY, inside the transaction that made the change) when providers, their offers or the
 * catalog rules change, so that every instance reloads its in-memory catalog. The payload says what.
 */
export type CatalogChange = 'providers' | 'offers' | 'rules';

export async function announceCatalogChange(db: Executor, what: CatalogChange): Promise<void> {
  await db.execute(sql`select pg_notify(${CATALOG_CHANNEL}, ${what})`);
}
