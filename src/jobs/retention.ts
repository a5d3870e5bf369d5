import { sql } from 'drizzle-orm';
import { queryRows } from '../db/client.ts';
import { DATA_MAP, type TableEntry } from '../modules/privacy/index.ts';
import type { JobContext, JobResult } from './scheduler.ts';

/**
 * Deletes rows past the fixed retention the data map declares for their table (ASVS 14.2.7: deleted
 * automatically, on a defined schedule). The map is the single source: change a retention there and
 * this job, the export and the published policy follow. Each run records how many rows it removed per table.
 */
export const RETENTION_BATCH = 5_000;

export function retentionTargets(map: Record<string, TableEntry> = DATA_MAP) {
  return Object.entries(map).flatMap(([table, entry]) =>
    entry.retention.kind === 'fixed' ? [{ table, column: entry.retention.column, days: entry.retention.days }] : [],
  );
}

export async function purgeRetained({ db, now, signal }: JobContext): Promise<JobResult> {
  const purged: Record<string, number> = {};
  for (const { table, column, days } of retentionTargets()) {
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    let total = 0;
    // Batches keep each transaction short on big tables.
    for (;;) {
      if (signal.aborted) return { purged, interrupted: true };
      const rows = await queryRows<{ n: number }>(
        db,
        sql`with doomed as (select ctid from ${sql.identifier(table)} where ${sql.identifier(column)} < ${cutoff} limit ${RETENTION_BATCH})
            delete from ${sql.identifier(table)} where ctid in (select ctid from doomed) returning 1 as n`,
      );
      total += rows.length;
      if (rows.length < RETENTION_BATCH) break;
    }
    if (total > 0) purged[table] = total;
  }
  return { purged };
}
