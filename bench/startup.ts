import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { chooseEntry } from '../bin/entry.js';
import { freshDatabase } from './ledger.ts';
import { BIN, median, npmStartNodeOptions, printTable, ROOT, type Row, type Started, spawnUntilReady, stop, tempDir } from './lib.ts';

/** `otpbox start` as `npm start` runs it (with the node options of package.json's start script). */
const START = [...npmStartNodeOptions(), BIN, 'start'];
/** How long a started server sits idle before its memory is read: V8 shrinks its heap when idle. */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000);

/**
 * Start-up, crash recovery and idle memory of `otpbox start` as `npm start` runs it (bin/otpbox.js), on
 * the embedded database and on PostgreSQL, against a bare Fastify process started the same way in
 * the same run (the baseline: Node start-up + listen). Times are medians with their spread (min–max);
 * memory is the resident set (VmRSS) after IDLE_MS with nothing to do.
 */
export async function startupBenchmark(runs = Number(process.env.BENCH_STARTUP_RUNS ?? 5)): Promise<Row[]> {
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    const bare = await spawnUntilReady([path.join(ROOT, 'bench/fixtures/bare-fastify.mjs')], {});
    baseline.push(bare.readyMs);
    await stop(bare);
  }
  const base = median(baseline);

  const cold: number[] = [];
  const warm: number[] = [];
  const afterCrash: number[] = [];
  const coldRss: number[] = [];
  const warmRss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await tempDir();
    try {
      const first = await spawnUntilReady(START, { DATA_DIR: dir.path });
      cold.push(first.readyMs);
      coldRss.push(await idleRssMb(first));
      await stop(first);
      const second = await spawnUntilReady(START, { DATA_DIR: dir.path });
      warm.push(second.readyMs);
      warmRss.push(await idleRssMb(second));
      await stop(second, 'SIGKILL');
      const third = await spawnUntilReady(START, { DATA_DIR: dir.path });
      afterCrash.push(third.readyMs);
      await stop(third);
    } finally {
      await dir.remove();
    }
  }
  const entry = chooseEntry(path.dirname(path.dirname(BIN)));
  const ran = entry.kind === 'dist' ? 'the bundle dist/otpbox.mjs' : `the sources through tsx: ${entry.reason ?? 'OTPBOX_SOURCES=1'}`;
  const timing = (name: string, values: number[], goal: string, note = ''): Row => ({
    name,
    value: median(values),
    unit: 'ms',
    ratio: median(values) / base,
    note: `${spread(values, 'ms')}; goal ${goal}${note}`,
  });
  return [
    { name: 'bare Fastify process (baseline)', value: base, unit: 'ms', ratio: 1, note: spread(baseline, 'ms') },
    timing('first start, empty DATA_DIR', cold, '< 2500 ms', `; runs ${ran}`),
    timing('start on an existing DATA_DIR', warm, '< 1000 ms'),
    timing('ready after kill -9', afterCrash, '< 1500 ms'),
    memoryRow('idle RSS after a first start (PGlite)', coldRss, 200),
    memoryRow('idle RSS after a restart (PGlite)', warmRss, 200),
    ...(await postgresRows(runs)),
  ];
}

/** Idle memory on PostgreSQL (BENCH_PG_SERVER, a fresh database), or a row saying why it was not measured. */
async function postgresRows(runs: number): Promise<Row[]> {
  let url: string;
  try {
    url = await freshDatabase('otpbox_bench_startup');
  } catch (error) {
    return [{ name: 'idle RSS on PostgreSQL', value: 0, unit: 'MB', note: `not measured: ${(error as Error).message}` }];
  }
  const ready: number[] = [];
  const rss: number[] = [];
  const dir = await tempDir();
  try {
    for (let i = 0; i < runs; i++) {
      const server = await spawnUntilReady(START, { DATA_DIR: dir.path, DATABASE_URL: url });
      ready.push(server.readyMs);
      rss.push(await idleRssMb(server));
      await stop(server);
    }
  } finally {
    await dir.remove();
    await dropDatabase(url);
  }
  return [
    { name: 'start on PostgreSQL (migrated database)', value: median(ready), unit: 'ms', note: spread(ready, 'ms') },
    memoryRow('idle RSS on PostgreSQL', rss, 120),
  ];
}

async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

async function idleRssMb(server: Started): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

function memoryRow(name: string, values: number[], goalMb: number): Row {
  return { name, value: median(values), unit: 'MB', note: `${spread(values, 'MB')}; goal < ${goalMb} MB` };
}

function spread(values: number[], unit: string): string {
  return `min–max ${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))} ${unit}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(
    `start-up and memory (median of ${process.env.BENCH_STARTUP_RUNS ?? 5}, ${new Date().toISOString()})`,
    await startupBenchmark(),
  );
}
