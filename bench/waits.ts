import pg from 'pg';
import type { Row } from './lib.ts';

/** What a wait event means for our statements (PostgreSQL's wait event names). */
const MEANING: Record<string, string> = {
  CPU: 'running',
  'Lock:object': "NOTIFY's queue lock: one committing transaction that notifies at a time, through its WAL flush",
  'Lock:transactionid': 'a row another transaction holds until it commits',
  'Lock:tuple': 'queued behind a row lock another transaction holds',
  'IO:WALSync': "the commit's WAL flush",
  'LWLock:WALWrite': "another session's WAL write and flush, which this commit needs too",
  'idle in transaction': "waiting for the app's next statement inside a transaction",
};

interface WalTally {
  units: number;
  bytes: number;
  records: number;
  fullPages: number;
}

export interface WaitSampler {
  /**
   * Run `work` and add the WAL the server wrote meanwhile (pg_stat_wal) to `label`'s tally, counted
   * per `units(result)` (orders, SMS, transactions). With `sampleWaits`, one of the app's slices: its
   * sessions' wait events are sampled meanwhile; without, the baseline's (pgbench).
   */
  slice<T>(label: string, work: () => T | Promise<T>, units: (result: T) => number, sampleWaits?: boolean): Promise<T>;
  /** The rows: WAL per unit of each label, then the share of each wait event (at least `minShare`). Ends the sampling (again: harmless). */
  finish(minShare?: number): Promise<Row[]>;
}

/** `work` measured by the sampler when there is one (BENCH_WAITS=1), else just run. */
export async function measured<T>(
  sampler: WaitSampler | undefined,
  label: string,
  work: () => T | Promise<T>,
  units: (result: T) => number,
  sampleWaits = true,
): Promise<T> {
  return sampler ? sampler.slice(label, work, units, sampleWaits) : work();
}

/**
 * What the app's database sessions wait on, and how much WAL each order or SMS writes against a
 * pgbench transaction, while a benchmark's slices run, when BENCH_WAITS=1. Every 10 ms: the wait event
 * of each of the app's sessions running a statement in pg_stat_activity (none: on the CPU), and those
 * waiting inside a transaction for the app's next statement. It tells a throughput limited by the
 * app's CPU from one limited by commits waiting for the disk. The WAL figures are the whole server's
 * (pg_stat_wal), so they hold only while nothing else writes to it. Sampling costs one small query
 * per 10 ms on the app's thread, so it stays off unless asked for.
 */
export async function sampleWaits(databaseUrl: string | undefined): Promise<WaitSampler | undefined> {
  if (process.env.BENCH_WAITS !== '1' || !databaseUrl) return undefined;
  const database = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const counts = new Map<string, number>();
  const wal = new Map<string, WalTally>();
  let samples = 0;
  let running = false;
  let stopped = false;
  let ended: Promise<void> | undefined;
  const loop = (async () => {
    while (!stopped) {
      if (running) {
        const { rows } = await client.query<{ wait: string }>(
          `select case when state = 'active' then coalesce(wait_event_type || ':' || wait_event, 'CPU') else 'idle in transaction' end as wait
           from pg_stat_activity
           where datname = $1 and state in ('active', 'idle in transaction') and backend_type = 'client backend' and pid <> pg_backend_pid()`,
          [database],
        );
        for (const { wait } of rows) counts.set(wait, (counts.get(wait) ?? 0) + 1);
        samples += rows.length;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const walNow = async () => {
    const { rows } = await client.query<{ bytes: string; records: string; fpi: string }>(
      'select wal_bytes::text as bytes, wal_records::text as records, wal_fpi::text as fpi from pg_stat_wal',
    );
    const [row] = rows;
    return { bytes: Number(row?.bytes), records: Number(row?.records), fullPages: Number(row?.fpi) };
  };
  return {
    async slice(label, work, units, sampleWaits = true) {
      const before = await walNow();
      running = sampleWaits;
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work();
      } finally {
        running = false;
      }
      const after = await walNow();
      const tally = wal.get(label) ?? { units: 0, bytes: 0, records: 0, fullPages: 0 };
      tally.units += units(result);
      tally.bytes += after.bytes - before.bytes;
      tally.records += after.records - before.records;
      tally.fullPages += after.fullPages - before.fullPages;
      wal.set(label, tally);
      return result;
    },
    async finish(minShare = 0.02) {
      stopped = true;
      ended ??= loop.then(() => client.end());
      await ended;
      const walRows: Row[] = [...wal.entries()].map(([label, tally]) => ({
        name: `  WAL written per ${label}`,
        value: tally.bytes / tally.units,
        unit: 'bytes',
        note: `${(tally.records / tally.units).toFixed(1)} records, ${(tally.fullPages / tally.units).toFixed(2)} full-page images`,
      }));
      const waitRows: Row[] = [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .filter(([, count]) => count / samples >= minShare)
        .map(([wait, count]) => ({
          name: `  the app's sessions: ${wait}`,
          value: (100 * count) / samples,
          unit: '%',
          note: MEANING[wait] ?? 'see PostgreSQL: wait events',
        }));
      return [...walRows, ...waitRows];
    },
  };
}
