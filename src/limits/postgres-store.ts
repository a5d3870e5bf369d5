import type { Db } from '../db/client.ts';
import { runStatement } from '../db/raw-driver.ts';
import { params, sql, statement } from '../db/statement.ts';
import type { LimitHits, LimitStore } from './port.ts';

/** Windows swept per statement: a sweep stays a short statement however much is left behind. */
const SWEEP_BATCH = 1000;

const add = params({ limiters: 'text[]', keys: 'text[]', windows: 'bigint[]', hits: 'integer[]', endsAt: 'timestamptz[]' });
/** One flush of every instance's hits: each row adds its hits and reads the total back (migration 0027). */
const ADD_HITS = statement(
  'otpbox_limits_add_v1',
  sql`insert into rate_limit_counters as c (limiter, key, window_id, hits, ends_at)
  select * from unnest(${add.limiters}, ${add.keys}, ${add.windows}, ${add.hits}, ${add.endsAt})
  on conflict (limiter, key, window_id) do update set hits = c.hits + excluded.hits
  returning c.limiter, c.key, c.window_id, c.hits`,
);

const sweep = params({ now: 'timestamptz', batch: 'integer' });
/** Ended windows, a batch at a time (by ctid: no index on `ends_at` for every flush to keep up). */
const SWEEP_ENDED = statement(
  'otpbox_limits_sweep_v1',
  sql`with gone as (
    delete from rate_limit_counters
    where ctid = any(array(select ctid from rate_limit_counters where ends_at <= ${sweep.now} limit ${sweep.batch}))
    returning 1
  )
  select count(*)::int as swept from gone`,
);

export const LIMIT_STATEMENTS = [ADD_HITS, SWEEP_ENDED] as const;

/**
 * The shared counts in the deployment's PostgreSQL (any instance with DATABASE_URL on PostgreSQL and no
 * REDIS_URL): an UNLOGGED table, written with one statement per flush on the service's own pool.
 */
export function postgresLimitStore(db: Db): LimitStore {
  return {
    kind: 'postgres',
    async add(rows: readonly LimitHits[]) {
      const rowsBack = await runStatement(db, ADD_HITS, {
        limiters: rows.map((row) => row.limiter),
        keys: rows.map((row) => row.key),
        windows: rows.map((row) => row.window),
        hits: rows.map((row) => row.hits),
        endsAt: rows.map((row) => new Date(row.endsAt).toISOString()),
      });
      // RETURNING promises no order: match the totals to the rows by their key.
      const totals = new Map<string, number>();
      for (const row of rowsBack) totals.set(`${row.limiter} ${row.key} ${row.window_id}`, Number(row.hits));
      return rows.map((row) => totals.get(`${row.limiter} ${row.key} ${row.window}`) ?? row.hits);
    },
    async sweep(now: number) {
      const [row] = await runStatement(db, SWEEP_ENDED, { now: new Date(now).toISOString(), batch: SWEEP_BATCH });
      return Number(row?.swept ?? 0);
    },
    async close() {},
  };
}
