import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { chooseEntry } from '../bin/entry.js';
import { testConfig } from '../src/config.ts';
import { type Database, openPglite, openPostgres } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { accounts } from '../src/db/schema/index.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { secretKeys } from '../src/lib/secrets.ts';
import { createApiKey } from '../src/modules/accounts/index.ts';
import { grantCredits } from '../src/modules/ledger/index.ts';
import { freshDatabase } from './ledger.ts';
import { BIN, npmStartNodeOptions, ROOT, type Started, spawnUntilReady, stop, tempDir } from './lib.ts';

/**
 * Real `otpbox start` processes for the capacity benchmarks (sse-capacity, soak, scale-out): started
 * as `npm start` starts them, on a fresh PostgreSQL database on BENCH_PG_SERVER's server (the
 * convention of the other benchmarks) or, with BENCH_ENGINE=pglite, on the embedded database in a
 * temporary DATA_DIR. Customers (accounts with an API key and credits) are written straight into the
 * database before the first start: signing up thousands through the API would spend minutes in argon2.
 */
const START = [...npmStartNodeOptions(), BIN, 'start'];
const SECRET_KEY = 'capacity-bench-secret-key-0123456789abcdef';

export interface Customer {
  accountId: string;
  key: string;
}

export interface Site {
  engine: 'postgres' | 'pglite';
  dataDir: string;
  databaseUrl?: string;
  customers: Customer[];
  /**
   * Start one more instance on this site's database (PostgreSQL only for more than one); `openFiles`:
   * the soft limit of open files it needs (see spawnUntilReady).
   */
  start(env?: Record<string, string>, openFiles?: number): Promise<Started>;
  remove(): Promise<void>;
}

/**
 * The settings every capacity run shares, said in the README: the per-account and per-address request
 * limits raised (one load generator speaks for thousands of customers from one address), orders
 * unthrottled, and the sandbox delivering SMS only when asked unless a benchmark says otherwise.
 */
export const BENCH_SERVER_ENV: Record<string, string> = {
  API_RATE_LIMIT: '1000000',
  PUBLIC_RATE_LIMIT: '1000000',
  ORDER_RATE_LIMIT: '0',
  MAX_ACTIVE_ACTIVATIONS: '10000',
  SANDBOX_SMS_DELAY_MS: '600000',
  LOG_LEVEL: 'warn',
};

export async function prepareSite(customerCount: number, name: string): Promise<Site> {
  const engine = process.env.BENCH_ENGINE === 'pglite' ? 'pglite' : 'postgres';
  const dir = await tempDir();
  const databaseUrl = engine === 'postgres' ? await freshDatabase(name) : undefined;
  const database: Database = databaseUrl
    ? await openPostgres({ url: databaseUrl, poolMax: 4, timeoutMs: 30_000 })
    : await openPglite({ ownership: { dataDir: dir.path }, timeoutMs: 60_000 });
  let customers: Customer[];
  try {
    await migrateDatabase(database);
    customers = await seedCustomers(database, customerCount);
  } finally {
    await database.close();
  }
  return {
    engine,
    dataDir: dir.path,
    databaseUrl,
    customers,
    start: (env = {}, openFiles) =>
      spawnUntilReady(
        START,
        {
          ...BENCH_SERVER_ENV,
          DATA_DIR: dir.path,
          SECRET_KEY,
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
          // To look into a server's memory: BENCH_SERVER_NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2, then kill -USR2 it.
          ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
          ...env,
        },
        openFiles,
      ),
    remove: async () => {
      await dir.remove();
      if (databaseUrl) await dropDatabase(databaseUrl);
    },
  };
}

async function seedCustomers(database: Database, count: number): Promise<Customer[]> {
  const ctx = { db: database.db, clock: systemClock, config: testConfig(), keys: secretKeys(SECRET_KEY), log: pino({ level: 'silent' }) };
  const customers: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const accountId = newId('acc');
    const now = new Date();
    await database.db.insert(accounts).values({ id: accountId, kind: 'device', createdAt: now, updatedAt: now });
    const { key } = await createApiKey(ctx, accountId, 'capacity bench');
    // Credits as a paying customer holds them (demo credits are capped and not what production spends).
    await grantCredits(ctx, { accountId, amount: 100_000_000, reason: 'bench', idempotencyKey: `bench:${accountId}` });
    customers.push({ accountId, key });
  }
  return customers;
}

async function dropDatabase(url: string): Promise<void> {
  const server = new URL(url);
  const name = server.pathname.slice(1);
  server.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/** What `otpbox start` ran: the bundle, or the sources through tsx (and why). */
export function entryNote(): string {
  const entry = chooseEntry(path.dirname(path.dirname(BIN)));
  return entry.kind === 'dist' ? 'dist/otpbox.mjs' : `sources through tsx (${entry.reason ?? 'OTPBOX_SOURCES=1'})`;
}

/** The resident set of a process, in MB (VmRSS). */
export function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

export { stop };

/** CPU time a process has used so far (user and system), in ms: /proc/<pid>/stat counts 100 ticks a second. */
export function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** This process's soft limit of open files, which the processes it forks inherit. */
export function openFilesLimit(): number {
  return Number(execFileSync('/bin/sh', ['-c', 'ulimit -Sn'], { encoding: 'utf8' }).trim()) || 1024;
}

/** The machine's load averages, printed beside each measurement (the machine is shared). */
export function loadNote(): string {
  return `load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
}

export interface SseClients {
  child: ChildProcess;
  /** Resolves once every stream has answered 200 (rejects when one fails). */
  opened: Promise<{ opened: number; ms: number }>;
  /** Events the clients have received so far (an `event:` line each), and streams the server ended. */
  events(): Promise<{ events: number; dropped: number }>;
  close(): Promise<void>;
}

/**
 * A load generator in a process of its own (bench/fixtures/sse-clients.mjs): `count` raw-socket
 * streams of GET /api/v1/events, spread round-robin over `keys`, so the server's memory and the
 * measuring process's event loop are not shared with the clients'.
 */
export function openSseClients(url: string, keys: string[], count: number): SseClients {
  const child = fork(path.join(ROOT, 'bench/fixtures/sse-clients.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const waiting = new Map<string, (message: Record<string, unknown>) => void>();
  let failed: ((error: Error) => void) | undefined;
  child.on('message', (message: Record<string, unknown>) => {
    if (message.type === 'failed') failed?.(new Error(String(message.reason)));
    waiting.get(String(message.type))?.(message);
  });
  const reply = (type: string) => new Promise<Record<string, unknown>>((resolve) => waiting.set(type, resolve));
  const opened = new Promise<{ opened: number; ms: number }>((resolve, reject) => {
    failed = reject;
    child.on('exit', (code) => reject(new Error(`the load generator exited (${code}) before its streams were open`)));
    void reply('opened').then((message) => resolve({ opened: Number(message.opened), ms: Number(message.ms) }));
  });
  child.send({ type: 'open', url, keys, count });
  return {
    child,
    opened,
    events: async () => {
      const answer = reply('events');
      child.send({ type: 'events' });
      const { events, dropped } = await answer;
      return { events: Number(events), dropped: Number(dropped) };
    },
    close: async () => {
      if (child.exitCode === null) child.send({ type: 'close' });
      await exited;
    },
  };
}

export interface WatchedStream {
  /** Resolves when an event carrying `"code":"<code>"` has arrived on this stream. */
  waitFor(code: string): Promise<void>;
  close(): void;
}

/** One stream of GET /api/v1/events on a raw socket in this process: the client whose latency is timed. */
export async function watchStream(url: string, key: string): Promise<WatchedStream> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.setNoDelay(true);
  let buffer = '';
  let wanted: { needle: string; resolve: () => void; reject: (error: Error) => void } | undefined;
  let ended: Error | undefined;
  const check = () => {
    if (wanted && buffer.includes(wanted.needle)) {
      const { resolve } = wanted;
      wanted = undefined;
      buffer = '';
      resolve();
    }
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(`GET /api/v1/events HTTP/1.1\r\nhost: ${hostname}:${port}\r\nauthorization: Bearer ${key}\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.startsWith('HTTP/1.1 ')) {
        if (!buffer.startsWith('HTTP/1.1 200')) reject(new Error(`stream refused: ${buffer.split('\r\n')[0]}`));
        buffer = buffer.slice(buffer.indexOf('\r\n\r\n') + 4);
        resolve();
      }
      check();
    });
  });
  socket.on('close', () => {
    ended = new Error('the watched stream ended');
    wanted?.reject(ended);
  });
  return {
    waitFor: (code) => {
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => {
        wanted = { needle: `"code":"${code}"`, resolve, reject };
        check();
      });
    },
    close: () => socket.destroy(),
  };
}

/** An order of `key`'s customer from the sandbox (the order an SMS is then delivered to). */
export async function placeOrder(url: string, key: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/activations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'tg', country: 'ID' }),
  });
  if (response.status !== 201) throw new Error(`order failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}
