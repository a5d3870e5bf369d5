import { rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, getTableColumns, type SQL, type Table } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Logger } from 'pino';
import { makeDataDirPrivate } from '../runtime/private-data-dir.ts';
import { initPglite } from './pglite-init.ts';

/**
 * The database, whichever engine is behind it. Domain code only ever sees this type. Without Drizzle's
 * relational query API: its transaction object would build a query builder per table for every
 * transaction (measurable per order), and the select builder does everything we use it for.
 */
type NoSchema = Record<string, never>;
export type Db = PgDatabase<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>;
export type Tx = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>;
/** Either the database or an open transaction: verbs accept both and join an outer transaction. */
export type Executor = Db | Tx;

export type Engine = 'pglite' | 'postgres';

/** Rows of a raw SQL query, on either engine (both drivers answer `{ rows }`). */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * A row of `table` as a raw statement returns it (database column names, driver values), mapped the
 * way Drizzle maps its own results: property names and values (dates, bigints) from the schema. With a
 * prefix, the columns are read as `<prefix><column name>` (a statement that returns two tables' rows).
 */
export function rowMapper<T extends Table>(table: T, prefix = ''): (row: Record<string, unknown>) => T['$inferSelect'] {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => [key, column, `${prefix}${column.name}`] as const);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column, name] of columns) {
      const value = row[name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return out as T['$inferSelect'];
  };
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface Database {
  readonly engine: Engine;
  readonly db: Db;
  readonly raw: { engine: 'pglite'; client: PGlite } | { engine: 'postgres'; pool: pg.Pool; url: string };
  ping(): Promise<void>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

/** Proof that the caller holds the data folder (see runtime/data-dir-lock.ts). */
export interface DataDirOwnership {
  readonly dataDir: string;
}

export const PGLITE_SUBDIR = 'pglite';

/**
 * How the embedded Postgres runs: PGlite's own parameters plus a smaller page cache. shared_buffers
 * (128 MB by default) lives in PGlite's WebAssembly memory, which never shrinks, and is most of an
 * idle server's memory; 16 MB holds the working set of a single instance, and pages it misses still
 * come from the operating system's file cache. Durability is untouched (ADR 21).
 */
export const PGLITE_SETTINGS: readonly string[] = ['-c', 'shared_buffers=16MB'];

/**
 * The engines' drivers load when a database of their kind opens: a server on PostgreSQL never loads
 * PGlite, one on PGlite never loads `pg` (start-up time and memory, ADR 21).
 */
export async function loadPglite(): Promise<typeof PGlite> {
  // PGlite is Postgres compiled to WebAssembly, its only WebAssembly in this process. V8 compiles it
  // with its baseline compiler (Liftoff) and then again, in background threads, with its optimising
  // one for the functions that get hot. On a small host that second compile costs start-up time (it
  // competes for the cores while the database opens) and ~50 MB that stays resident, for no measured
  // gain: a query's time is spent crossing between JavaScript and WebAssembly, not inside it (ADR 21).
  // The flag is read when a module is compiled, so it must be set before PGlite compiles its module.
  setFlagsFromString('--liftoff-only');
  return (await import('@electric-sql/pglite')).PGlite;
}

/** Options of every file-backed PGlite otpbox opens (the server's, the install template's). */
export function pgliteStartParams(pglite: typeof PGlite): string[] {
  return [...pglite.defaultStartParams, ...PGLITE_SETTINGS];
}

export function pgliteDir(ownership: DataDirOwnership): string {
  return path.join(ownership.dataDir, PGLITE_SUBDIR);
}

/**
 * Open the embedded database persisted in `DATA_DIR/pglite`. The caller must own the folder: PGlite
 * itself lets two processes open one folder at once and corrupt it.
 */
export async function openPglite(options: { ownership: DataDirOwnership; timeoutMs: number; log?: Logger }): Promise<Database> {
  const dir = pgliteDir(options.ownership);
  // A fresh folder's database is created apart, where a timeout can stop it (see pglite-init.ts).
  await initPglite(dir, options);
  // Under our lock, any postmaster.pid is a leftover of a crashed owner. Some PGlite versions wait
  // for it forever; it carries nothing we need, so it goes before the open.
  await rm(path.join(dir, 'postmaster.pid'), { force: true });
  const PGliteClass = await loadPglite();
  const client = new PGliteClass(dir, { startParams: pgliteStartParams(PGliteClass) });
  await withTimeout(
    client.waitReady,
    options.timeoutMs,
    () =>
      new DatabaseOpenError(
        `The embedded database in ${dir} did not open within ${options.timeoutMs} ms. ` +
          'Nothing was changed; check the disk and the folder permissions, or restore a backup of DATA_DIR.',
      ),
  );
  // Postgres rewrites some files at each open with the mode it got from emscripten's umask (0644).
  await makeDataDirPrivate(dir);
  return wrapPglite(client);
}

/** An embedded database in memory: used by tests. */
export async function openMemoryPglite(fromDump?: Blob | File): Promise<Database> {
  const PGliteClass = await loadPglite();
  const client = fromDump ? new PGliteClass({ loadDataDir: fromDump }) : new PGliteClass();
  await client.waitReady;
  return wrapPglite(client);
}

/** The Database of an open PGlite client. */
export async function wrapPglite(client: PGlite): Promise<Database> {
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  const db = drizzlePglite({ client, casing: 'snake_case' }) as unknown as Db;
  let closed = false;
  return {
    engine: 'pglite',
    db,
    raw: { engine: 'pglite', client },
    ping: async () => {
      await client.query('select 1');
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

/**
 * TCP keepalive on every connection to PostgreSQL, probing after 30 s without traffic. An idle
 * connection crossing a NAT or a load balancer is otherwise dropped by it silently after some minutes,
 * and nothing on this side would know: the LISTEN connection (runtime/event-bus.ts) is idle whenever no
 * event happens, and a dead one delivers no event to any stream again. The probes keep such a path
 * open, and tell a dead peer from a quiet one (the kernel then ends the connection, and it is opened
 * again).
 */
const TCP_KEEPALIVE = { keepAlive: true, keepAliveInitialDelayMillis: 30_000 } as const;

/**
 * PostgreSQL's side of TCP_KEEPALIVE (ADR 51): how soon the server gives up on a client that vanished
 * without closing its connection (a host that crashed or lost power, a partition). Its defaults are the
 * kernel's, two hours of silence before the first probe, and until then the session keeps what it holds:
 * the SMPP links' advisory locks (no other instance can bind those links), a LISTEN backend that the
 * notification queue waits for, a slot of `max_connections`. With these, such a session ends within
 * about a minute: probed after 30 s of silence, three probes 10 s apart, or 60 s of data left
 * unacknowledged (keepalive does not probe while data waits). Sent as the first statement of every
 * connection otpbox opens: settable by any user, and ignored on a Unix socket.
 */
const SERVER_KEEPALIVE =
  'set tcp_keepalives_idle = 30; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3; set tcp_user_timeout = 60000';

/**
 * How long a connection of a bounded pool may leave a statement unanswered before it is taken for lost
 * (ADR 51): the server's own bound (`statement_timeout`) plus as much again, at most 2 s more, for its
 * answer to travel. Past it the server did not cut the statement itself, so it is not hearing us: a
 * network that drops packets without a reset, a host that froze.
 */
export function answerDeadlineMs(statementTimeoutMs: number): number {
  return statementTimeoutMs + Math.min(statementTimeoutMs, 2_000);
}

/** Pool connections whose statements may run unbounded for now (liftAnswerDeadline). */
const unbounded = new WeakSet<object>();

/**
 * Lift the answer deadline from one connection lent by the pool, for work that lifts the server's bound
 * too (migrations, db/migrate.ts). For good: release that connection with `release(true)`, so that the
 * pool never lends it again.
 */
export function liftAnswerDeadline(client: pg.PoolClient): void {
  unbounded.add(client);
}

/**
 * End a connection to PostgreSQL that stopped answering, at once: a TCP reset, so that bytes the server
 * has not acknowledged are dropped by our kernel rather than delivered when the network comes back (a
 * TLS connection, which has no reset of its own, is closed). The client then fails what it had in
 * flight and emits `error` and `end`, as for any lost connection. Reaches node-postgres's
 * `client.connection.stream` (pinned by src/db/__tests__/answer-deadline.test.ts, ADR 51).
 */
function resetConnection(client: pg.Client): void {
  const stream = (client as unknown as { connection: { stream: Socket & { encrypted?: boolean } } }).connection.stream;
  // node:tls is not loaded to ask `instanceof TLSSocket`: pg loads it only for TLS connections.
  if (stream.encrypted) stream.destroy();
  else stream.resetAndDestroy();
}

/**
 * node-postgres's client with a deadline on each statement's answer (ADR 51): the pool's (with the
 * statement bound's deadline, answerDeadlineMs), and the connections otpbox opens on their own
 * (ownConnection). PostgreSQL bounds a
 * statement itself (ADR 50), but only while it can hear us: when the network between us drops packets
 * without a reset, or the server's host freezes, the answer never comes, TCP notices only after many
 * minutes, and the request and its connection wait all that time. Past the deadline the connection is
 * reset (a TCP reset, so that the statement's bytes still unacknowledged are dropped rather than
 * delivered later; a TLS connection is closed): the statement, and any queued behind it, fail as the
 * database being unavailable (503), the pool drops the connection instead of lending it again, and
 * PostgreSQL, once it hears of the reset, rolls back what that session had begun. Nothing the session
 * wrote can be committed later by another request on the same connection, which the driver's own
 * `query_timeout` would allow: it fails the caller but lends the connection again.
 *
 * The reset (resetConnection) uses one internal of node-postgres, `client.connection.stream`.
 */
function clientWithAnswerDeadline(Client: typeof pg.Client, deadlineMs: number, log: Logger | undefined): typeof pg.Client {
  type Callback = (error: Error | null, result?: unknown) => void;
  const query = Client.prototype.query as (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) => unknown;
  const lose = (client: pg.Client): void => {
    log?.warn({ deadlineMs }, 'PostgreSQL did not answer a statement within the deadline; resetting its connection');
    resetConnection(client);
  };
  class ClientWithAnswerDeadline extends Client {}
  function boundedQuery(this: pg.Client, config: unknown, values?: unknown, callback?: unknown): unknown {
    // Unbounded: a lifted connection, and a query object of its own (a cursor reads at the caller's pace).
    if (unbounded.has(this) || typeof (config as { submit?: unknown } | null)?.submit === 'function') {
      return query.call(this, config, values, callback);
    }
    let done = false;
    // The check waits for the event loop's next poll: an answer that arrived while the loop was busy
    // elsewhere (a long synchronous task) is read first, and does not count as silence.
    const timer = setTimeout(() => setImmediate(() => done || lose(this)), deadlineMs);
    const answered = () => {
      done = true;
      clearTimeout(timer);
    };
    const withAnswered =
      (callback: Callback): Callback =>
      (error, result) => {
        answered();
        callback(error, result);
      };
    // The answer comes to a callback when one is given (after the values, in their place, or in the
    // query's config, as node-postgres takes them in that order), else to the promise returned.
    if (typeof callback === 'function') return query.call(this, config, values, withAnswered(callback as Callback));
    if (typeof values === 'function') return query.call(this, config, withAnswered(values as Callback));
    const configCallback = (config as { callback?: unknown } | null)?.callback;
    if (typeof configCallback === 'function') {
      return query.call(this, { ...(config as object), callback: withAnswered(configCallback as Callback) }, values);
    }
    const result = query.call(this, config, values) as Promise<unknown>;
    result.then(answered, answered);
    return result;
  }
  ClientWithAnswerDeadline.prototype.query = boundedQuery as typeof Client.prototype.query;
  return ClientWithAnswerDeadline;
}

/** A connection to PostgreSQL outside the pool, not yet open (ownConnection). */
export interface OwnConnection {
  readonly client: pg.Client;
  /** Connect, and send SERVER_KEEPALIVE; attach the client's listeners first. */
  open(): Promise<void>;
}

/**
 * A connection of its own, outside the pool: the LISTEN connection, the SMPP links' locks (ADR 51). Its
 * statements never wait (LISTEN, a try-lock, a probe), so each must be answered within `answerMs`, or
 * the connection is reset; it must open within as long; and both ends probe it when it is idle
 * (TCP_KEEPALIVE here, SERVER_KEEPALIVE on PostgreSQL's side).
 */
export async function ownConnection(options: {
  url: string;
  applicationName: string;
  answerMs: number;
  log: Logger;
}): Promise<OwnConnection> {
  // Loaded here: a server on PGlite never loads the PostgreSQL driver (ADR 21).
  const { default: pg } = await import('pg');
  const Client = clientWithAnswerDeadline(pg.Client, options.answerMs, options.log);
  const client = new Client({
    connectionString: options.url,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.answerMs,
    ...TCP_KEEPALIVE,
  });
  return {
    client,
    open: async () => {
      await client.connect();
      await client.query(SERVER_KEEPALIVE);
    },
  };
}

export interface PostgresOptions {
  url: string;
  poolMax: number;
  /** How long opening a connection may take. */
  timeoutMs: number;
  /**
   * The server's bound on each statement of this pool's sessions, and on a transaction left idle between
   * two statements (ADR 50): a lock that is never granted or a query that never ends cuts the statement
   * (SQLSTATE 57014, answered 503) instead of holding the request and its connection forever. With it,
   * a connection that leaves a statement unanswered past answerDeadlineMs is closed (ADR 51). Without
   * it (the command line's direct mode, tests), statements run as long as they take.
   */
  statementTimeoutMs?: number;
  log?: Logger;
}

/** The statement that gives a pool's session its bounds (ADR 50): a whole number of milliseconds, never input. */
function sessionBounds(statementTimeoutMs: number): string {
  if (!Number.isSafeInteger(statementTimeoutMs) || statementTimeoutMs <= 0) throw new Error(`not a statement bound: ${statementTimeoutMs}`);
  return `set statement_timeout = ${statementTimeoutMs}; set idle_in_transaction_session_timeout = ${statementTimeoutMs}`;
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const [{ default: pg }, { drizzle: drizzlePg }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres')]);
  const first = options.statementTimeoutMs ? `${SERVER_KEEPALIVE}; ${sessionBounds(options.statementTimeoutMs)}` : SERVER_KEEPALIVE;
  const pool = new pg.Pool({
    ...(options.statementTimeoutMs
      ? { Client: clientWithAnswerDeadline(pg.Client, answerDeadlineMs(options.statementTimeoutMs), options.log) }
      : {}),
    connectionString: options.url,
    max: options.poolMax,
    application_name: 'otpbox',
    connectionTimeoutMillis: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    ...TCP_KEEPALIVE,
    // The server's keepalive and the session's bounds (ADR 50), as the first statement of each new
    // connection, before the pool lends it: one round trip per connection, not per request. Not as
    // start-up parameters, which would cost nothing: PgBouncer refuses the connection for them
    // ("unsupported startup parameter"). A connection that cannot take them is closed, not lent.
    onConnect: async (client: pg.ClientBase) => {
      await client.query(first);
    },
  });
  pool.on('connect', (client) => {
    // A client losing its connection must not crash the process. pg-pool listens for that only while a
    // client is idle; one lent out (a transaction between two statements, when PostgreSQL restarts)
    // would emit an 'error' nobody hears, and that ends the process. Every client gets a listener of
    // its own: the statement that next uses it fails (SERVICE_UNAVAILABLE), and the pool drops it on
    // release.
    client.on('error', (error) => options.log?.warn({ err: error }, 'PostgreSQL connection lost'));
  });
  // The same loss of an idle client, as the pool reports it: already logged above; the pool replaces it.
  pool.on('error', () => {});
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseOpenError(`Cannot reach PostgreSQL at ${redactUrl(options.url)}: ${(error as Error).message}`);
  }
  const db = drizzlePg({ client: pool, casing: 'snake_case' }) as unknown as Db;
  let closed = false;
  return {
    engine: 'postgres',
    db,
    raw: { engine: 'postgres', pool, url: options.url },
    ping: async () => {
      await pool.query('select 1');
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolMax }),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** A connection URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
