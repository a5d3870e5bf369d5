import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { api, code, fundedActor } from '../../../test/support/orders.ts';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy.ts';
import { isDatabaseUnavailable, safeErrorMessage } from '../../lib/database-errors.ts';
import { answerDeadlineMs, type Database, openPostgres, queryRows } from '../client.ts';
import { transaction } from '../tx.ts';

// PostgreSQL only (ADR 51): a connection that leaves a statement unanswered past the deadline is closed.
// The relay in front of the server goes silent as a broken network does (no reset, no close); without the
// deadline every statement below waits for ever, and the test runs into its time limit.
const BOUND_MS = 400;
let proxy: TcpProxy;
let database: TestDatabase;
let t: TestApp;

beforeAll(async () => {
  if (!onPostgres()) return;
  const server = new URL(process.env.TEST_DATABASE_URL as string);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
  database = await createTestDatabase({ statementTimeoutMs: BOUND_MS, connectVia: (url) => proxy.via(url) });
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' }, database });
});
afterAll(async () => {
  proxy?.restore();
  await t?.close();
  await database?.destroy();
  await proxy?.close();
});

/** A query on a connection of its own, straight to the server (not through the relay). */
async function direct<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A pool of one connection, through the relay, with the bound; what it logs goes to `lines`. */
async function poolOfOne(lines: Record<string, unknown>[] = []): Promise<Database> {
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return openPostgres({ url: proxy.via(database.url as string), poolMax: 1, timeoutMs: 10_000, statementTimeoutMs: BOUND_MS, log });
}

/**
 * The deadline resets a connection through node-postgres's `client.connection.stream`, which is not
 * public API: this pins the version it was read from. On an upgrade, re-read pg's lib/client.js and
 * lib/connection.js (the stream, and what an 'error' or 'close' on it does to the queries in flight),
 * run this file on PostgreSQL, then move the pin.
 */
const PINNED_PG = '8.23.1';

describe('node-postgres internals the deadline uses (pinned)', () => {
  it(`runs on pg ${PINNED_PG}, whose internals it was written against`, () => {
    const installed = JSON.parse(readFileSync(new URL('../../../node_modules/pg/package.json', import.meta.url), 'utf8'));
    expect(installed.version).toBe(PINNED_PG);
  });

  it.runIf(onPostgres())("finds a pooled connection's socket where it resets it", async () => {
    if (database.raw.engine !== 'postgres') throw new Error('PostgreSQL only');
    const client = await database.raw.pool.connect();
    try {
      expect((client as unknown as { connection: { stream: unknown } }).connection.stream).toBeInstanceOf(Socket);
    } finally {
      client.release();
    }
  });
});

describe.runIf(onPostgres())('the bounds of the pool’s sessions (PostgreSQL)', () => {
  it('are set by a statement, not sent as start-up parameters, which PgBouncer refuses', async () => {
    const one = await poolOfOne();
    try {
      const [bounds] = await queryRows(
        one.db,
        sql`select current_setting('statement_timeout') as statement, current_setting('idle_in_transaction_session_timeout') as idle`,
      );
      expect(bounds).toEqual({ statement: `${BOUND_MS}ms`, idle: `${BOUND_MS}ms` });
      // What PgBouncer accepts in a start-up message without `ignore_startup_parameters` (its
      // documentation: client_encoding, datestyle, timezone, standard_conforming_strings, and
      // application_name), besides the user and the database.
      const accepted = ['user', 'database', 'application_name', 'client_encoding', 'datestyle', 'timezone', 'standard_conforming_strings'];
      expect(proxy.startups.length).toBeGreaterThan(0);
      for (const startup of proxy.startups) expect(Object.keys(startup).filter((name) => !accepted.includes(name))).toEqual([]);
    } finally {
      await one.close();
    }
  });
});

describe.runIf(onPostgres())('the answer deadline (PostgreSQL)', () => {
  it('is the statement bound plus as much again, at most 2 s more', () => {
    expect(answerDeadlineMs(400)).toBe(800);
    expect(answerDeadlineMs(30_000)).toBe(32_000);
  });

  it('fails a statement whose answer never comes as the database being unavailable, and serves again on a new connection once the network is back', async () => {
    const lines: Record<string, unknown>[] = [];
    const one = await poolOfOne(lines);
    try {
      const [{ pid: first } = { pid: 0 }] = await backendPid(one);
      proxy.silence('answers');
      const failure = await one.ping().then(
        () => undefined,
        (error: unknown) => error,
      );
      proxy.restore();
      expect(failure).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(failure)).toBe(true);
      expect(safeErrorMessage(failure)).toMatch(/Connection terminated unexpectedly/);
      expect(lines).toContainEqual(
        expect.objectContaining({
          deadlineMs: 800,
          msg: 'PostgreSQL did not answer a statement within the deadline; resetting its connection',
        }),
      );

      const [{ pid: second } = { pid: 0 }] = await backendPid(one);
      expect(second).not.toBe(first);
      // The server hears of the closed connection and ends its session.
      await expect.poll(async () => (await direct('select 1 from pg_stat_activity where pid = $1', [first])).length).toBe(0);
    } finally {
      proxy.restore();
      await one.close();
    }
  });

  it('clears the deadline of a statement answered through a callback, in any of the places node-postgres takes one', async () => {
    const lines: Record<string, unknown>[] = [];
    const one = await poolOfOne(lines);
    try {
      if (one.raw.engine !== 'postgres') throw new Error('PostgreSQL only');
      const client = await one.raw.pool.connect();
      try {
        // One at a time: node-postgres deprecates queuing a query behind another on a client.
        const answers = [
          await new Promise((resolve, reject) =>
            client.query('select 1 as n', [], (error, result) => (error ? reject(error) : resolve(result.rows))),
          ),
          await new Promise((resolve, reject) =>
            client.query('select 2 as n', (error, result) => (error ? reject(error) : resolve(result.rows))),
          ),
          await new Promise((resolve, reject) =>
            client.query({
              text: 'select 3 as n',
              callback: (error: Error | null, result: pg.QueryResult) => (error ? reject(error) : resolve(result.rows)),
            } as unknown as pg.QueryConfig),
          ),
        ];
        expect(answers).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
        // Past the deadline (800 ms), the connection is still the same one, and nothing was reset.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect((await client.query('select 4 as n')).rows).toEqual([{ n: 4 }]);
        expect(lines).toEqual([]);
      } finally {
        client.release();
      }
    } finally {
      await one.close();
    }
  });

  it('rolls back what the silenced transaction had written: the next transaction on the pool cannot commit it', async () => {
    await direct('create table answer_probe (n int not null)');
    const one = await poolOfOne();
    try {
      const failure = await transaction(one.db, async (tx) => {
        await tx.execute(sql`insert into answer_probe values (1)`);
        proxy.silence('answers');
        // PostgreSQL runs it; its answer is held by the relay.
        await tx.execute(sql`insert into answer_probe values (2)`);
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      proxy.restore();
      expect(isDatabaseUnavailable(failure)).toBe(true);

      // With the driver's own query_timeout, the connection would go back to the pool still inside the
      // first transaction, and this commit would commit rows 1 and 2 with row 3.
      await transaction(one.db, async (tx) => {
        await tx.execute(sql`insert into answer_probe values (3)`);
      });
      expect(await direct<{ n: number }>('select n from answer_probe order by n')).toEqual([{ n: 3 }]);
    } finally {
      proxy.restore();
      await one.close();
    }
  });

  it('answers an order sent while the database is silent 503 with Retry-After, writes nothing, and places the same order once it answers', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const before = await a.balance();
    proxy.silence('both');
    let silent: Awaited<ReturnType<typeof a.order>>;
    try {
      silent = await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'silent-network' });
    } finally {
      proxy.restore();
    }
    expect(silent.statusCode, silent.body).toBe(503);
    expect(code(silent)).toBe('SERVICE_UNAVAILABLE');
    expect(silent.headers['retry-after']).toBe('5');
    expect(silent.body).not.toMatch(/PostgreSQL|answer within/);
    expect(await a.balance()).toEqual(before);

    const retried = await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'silent-network' });
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect((await a.balance()).held).toBe(retried.json().price);
  });
});

/** The server process of the pool's (one) connection. */
const backendPid = (database: Database) => queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid`);
