import { execFileSync } from 'node:child_process';
import pg from 'pg';
import pino from 'pino';
import { testConfig } from '../src/config.ts';
import { type Database, openMemoryPglite, openPostgres } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { accounts } from '../src/db/schema/index.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { secretKeys } from '../src/lib/secrets.ts';
import { captureHold, grantCredits, holdCredits } from '../src/modules/ledger/index.ts';
import type { Row } from './lib.ts';

/**
 * Ledger throughput: hold+capture pairs per second with 8 concurrent clients (each client its own
 * customer, all sharing the order-revenue account like real orders do), against `pgbench -c 8 -j 2
 * -T 10` (TPC-B) on the same PostgreSQL server in the same run. Also on PGlite, for reference.
 */
const SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

export async function pairsPerSecond(database: Database, clients: number, seconds: number): Promise<number> {
  const ctx = {
    db: database.db,
    clock: systemClock,
    config: testConfig(),
    keys: secretKeys('b'.repeat(40)),
    log: pino({ level: 'silent' }),
  };
  const customers: string[] = [];
  for (let i = 0; i < clients; i++) {
    const id = newId('acc');
    await database.db.insert(accounts).values({ id, kind: 'device', createdAt: new Date(), updatedAt: new Date() });
    await grantCredits(ctx, { accountId: id, amount: 1_000_000_000, reason: 'bench', idempotencyKey: `bench:${id}` });
    customers.push(id);
  }
  let pairs = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    customers.map(async (accountId, c) => {
      for (let i = 0; performance.now() < end; i++) {
        const expiresAt = new Date(Date.now() + 1_200_000);
        const { transfer } = await holdCredits(ctx, {
          accountId,
          amount: 10,
          reason: 'bench order',
          idempotencyKey: `b:${accountId}:${c}:${i}:h`,
          expiresAt,
        });
        await captureHold(ctx, { holdId: transfer.id, reason: 'bench code', idempotencyKey: `b:${accountId}:${c}:${i}:c` });
        pairs++;
      }
    }),
  );
  return pairs / seconds;
}

function pgbenchEnv(url: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGDATABASE: new URL(url).pathname.slice(1),
    PGHOST: new URL(url).hostname,
    PGPORT: new URL(url).port || '5432',
    PGUSER: new URL(url).username || 'postgres',
  };
}

/** Create pgbench's tables (scale 1) in the database at `url`. */
export function pgbenchInit(url: string): void {
  execFileSync('pgbench', ['-i', '-q', '-s', '1'], { env: pgbenchEnv(url), stdio: 'ignore' });
}

/** TPC-B transactions per second over `seconds`, 8 clients (connection time excluded by pgbench). */
export function pgbenchRun(url: string, seconds: number): number {
  const output = execFileSync('pgbench', ['-c', '8', '-j', '2', '-T', String(seconds), '-n'], { env: pgbenchEnv(url), encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(output)?.[1];
  if (!tps) throw new Error(`cannot read pgbench output:\n${output}`);
  return Number(tps);
}

export function pgbenchTps(url: string): number {
  pgbenchInit(url);
  return pgbenchRun(url, SECONDS);
}

export async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function ledgerBenchmark(): Promise<Row[]> {
  const rows: Row[] = [];
  const pgbenchUrl = await freshDatabase('otpbox_bench_pgbench');
  const tps = pgbenchTps(pgbenchUrl);
  rows.push({ name: 'pgbench TPC-B, 8 clients (baseline)', value: tps, unit: 'tps', ratio: 1 });

  const ledgerUrl = await freshDatabase('otpbox_bench_ledger');
  const postgres = await openPostgres({ url: ledgerUrl, poolMax: 8, timeoutMs: 10_000 });
  try {
    await migrateDatabase(postgres);
    const pairs = await pairsPerSecond(postgres, 8, SECONDS);
    rows.push({
      name: 'hold+capture pairs, 8 clients (PostgreSQL)',
      value: pairs,
      unit: 'pairs/s',
      ratio: pairs / tps,
      note: 'goal ≥ 0.55×',
    });
  } finally {
    await postgres.close();
  }
  const lite = await openMemoryPglite();
  try {
    await migrateDatabase(lite);
    const pairs = await pairsPerSecond(lite, 8, Math.min(SECONDS, 5));
    rows.push({
      name: 'hold+capture pairs, 8 clients (PGlite)',
      value: pairs,
      unit: 'pairs/s',
      ratio: pairs / tps,
      note: 'one connection',
    });
  } finally {
    await lite.close();
  }
  return rows;
}
