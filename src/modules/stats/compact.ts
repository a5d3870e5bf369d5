import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { queryRows } from '../../db/client.ts';
import { TTC_COLUMNS } from '../../db/schema/index.ts';

/** Hours younger than this may still be written by transactions in flight: their stripes stay. */
export const COMPACT_AFTER_MS = 2 * 3_600_000;

const ORDER_SUMS = ['completed', 'cancelled', 'expired', 'failed', 'revenue', 'cost_micros', 'released', ...TTC_COLUMNS];

/** `with moved as (delete … returning *) insert … select sums … on conflict add`: one table's stripes folded. */
function fold(table: string, keys: string[], sums: string[]) {
  const list = (columns: string[]) => columns.join(', ');
  const insert = sql.raw(`folded as (
      insert into ${table} as t (${list(keys)}, stripe, ${list(sums)})
      select ${list(keys)}, 0, ${sums.map((c) => `sum(${c})`).join(', ')} from moved group by ${list(keys)}
      on conflict (${list(keys)}, stripe) do update set ${sums.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')}
      returning 1)
    select (select count(*) from moved)::int as moved`);
  return (cut: Date) =>
    sql`with moved as (delete from ${sql.raw(table)} where stripe <> 0 and hour < ${cut.toISOString()}::timestamptz returning *), ${insert}`;
}

const FOLDS = [
  fold('stats_orders', ['dimension', 'hour', 'value', 'currency'], ORDER_SUMS),
  fold('stats_accounts', ['hour', 'kind'], ['created']),
  fold('stats_payments', ['hour', 'method', 'status', 'currency'], ['payments', 'amount_minor', 'credits', 'refunded_minor']),
];

/**
 * The `stats-compaction` job: the stripes of hours older than COMPACT_AFTER_MS folded into stripe 0,
 * each table in one statement (rows moved and added in the same snapshot: every total stays exact at
 * every moment), so an hour ends up as one row per key whatever the number of connections that wrote
 * it, and the overview reads as few rows as the figures need.
 */
export async function compactStats(db: Executor, now: Date): Promise<{ folded: number }> {
  const cut = new Date(now.getTime() - COMPACT_AFTER_MS);
  let folded = 0;
  for (const statement of FOLDS) {
    const [row] = await queryRows<{ moved: number }>(db, statement(cut));
    folded += Number(row?.moved ?? 0);
  }
  return { folded };
}
