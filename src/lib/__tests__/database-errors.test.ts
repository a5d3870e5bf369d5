import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { rawRows } from '../../db/raw-driver.ts';
import { accounts } from '../../db/schema/index.ts';
import { isDatabaseUnavailable, safeErrorMessage, statementLabel } from '../database-errors.ts';
import { createLogger } from '../logger.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

/** The error a statement fails with. */
async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('the statement succeeded');
}

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level: 'info', version: 'test', destination: sink }), lines };
}

const account = (id: string, email: string) => ({
  id,
  kind: 'email' as const,
  email,
  // Stands in for the keyed hash: the unique value PostgreSQL quotes when it is taken.
  emailHash: `hash-of-${email}`,
  passwordHash: 'argon2id-hash-marker',
  createdAt: new Date(),
  updatedAt: new Date(),
});

describe('database errors in the logs', () => {
  it('name the statement and its SQLSTATE, never the parameters, however the error is logged', async () => {
    const error = await failure(() => database.db.insert(accounts).values(account('acc_nul', 'nul@example.com\u0000MARKER-NUL')));
    // What Drizzle itself says: the SQL and every parameter.
    expect((error as Error).message).toContain('MARKER-NUL');
    const { log, lines } = capturedLogger();
    log.error({ err: error }, 'unhandled error');
    log.error(error as Error);
    log.error({ err: error });
    log.warn({ job: 'mail', failure: { error } }, 'nested');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toContain('MARKER-NUL');
      expect(line).not.toContain('nul@example.com');
      expect(line).not.toContain('params');
    }
    const [first, bare, fieldOnly] = lines.map((line) => JSON.parse(line));
    expect(first.msg).toBe('unhandled error');
    expect(first.err).toMatchObject({ statement: 'insert into accounts', code: '22021', condition: 'data exception' });
    // The routine is PostgreSQL's own function name (it varies between versions).
    expect(first.err.message).toMatch(/^database statement insert into accounts failed: 22021 \(data exception\), routine \w+$/);
    // The stack keeps its frames (where the statement was run), not the message.
    expect(first.err.stack).toMatch(/^\s+at /);
    // Without a message of its own, the line gets the safe one, not Drizzle's.
    expect(bare.msg).toBe(first.err.message);
    expect(fieldOnly.msg).toBe(first.err.message);
  });

  it("leave out PostgreSQL's own words when they quote a value, and keep the schema objects it names", async () => {
    await database.db.insert(accounts).values(account('acc_one', 'marker-dup@example.com'));
    const duplicate = await failure(() => database.db.insert(accounts).values(account('acc_two', 'marker-dup@example.com')));
    const badNumber = await failure(() => rawRows(database.db, 'otpbox_test_probe', 'select $1::int as n', ['MARKER-INT']));
    const { log, lines } = capturedLogger();
    log.error({ err: duplicate }, 'duplicate');
    log.error({ err: badNumber }, 'bad number');
    expect(lines.join('\n')).not.toMatch(/marker-dup|MARKER-INT/);
    const [dup, bad] = lines.map((line) => JSON.parse(line));
    expect(dup.err).toMatchObject({
      code: '23505',
      constraint: 'accounts_email_hash_key',
      table: 'accounts',
      statement: 'insert into accounts',
    });
    // A prepared statement is named by its name.
    expect(bad.err).toMatchObject({ code: '22P02', statement: 'otpbox_test_probe' });
    expect(safeErrorMessage(badNumber)).toMatch(/^database statement otpbox_test_probe failed: 22P02 \(data exception\), routine \w+$/);
  });

  it('leave other errors as they were', () => {
    expect(safeErrorMessage(new Error('provider answered BAD_KEY'))).toBe('provider answered BAD_KEY');
  });

  it('label a statement by its first keywords and table, never by a literal', () => {
    expect(statementLabel('insert into "api_keys" ("id") values ($1)')).toBe('insert into api_keys');
    expect(statementLabel('update "activations" set "status" = $1 where "id" = $2')).toBe('update activations');
    expect(statementLabel('delete from public.sessions where id = $1')).toBe('delete from sessions');
    expect(statementLabel('select "id", "email" from "accounts" where "email" = $1 limit $2')).toBe('select from accounts');
    expect(statementLabel("select 'secret' as x")).toBe('select');
    expect(statementLabel('with moved as (select 1 from ledger_accounts) select * from moved')).toBe('with from ledger_accounts');
    expect(statementLabel("'secret' is not sql")).toBeUndefined();
  });
});

describe('database unavailable', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: a server that hangs.
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  const closedPort = async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  };

  it('is told by a refused connection and a connection that times out', async () => {
    const refused = new pg.Pool({ connectionString: `postgres://otpbox@127.0.0.1:${await closedPort()}/otpbox` });
    const refusal = await failure(() => refused.query('select 1'));
    await refused.end();
    expect((refusal as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isDatabaseUnavailable(refusal)).toBe(true);

    const port = (silent.address() as { port: number }).port;
    const hanging = new pg.Pool({ connectionString: `postgres://otpbox@127.0.0.1:${port}/otpbox`, connectionTimeoutMillis: 100 });
    const timeout = await failure(() => hanging.query('select 1'));
    await hanging.end();
    expect((timeout as Error).message).toMatch(/timeout/);
    expect(isDatabaseUnavailable(timeout)).toBe(true);
  });

  it('is not told by a statement the database refused', async () => {
    const error = await failure(() => rawRows(database.db, 'otpbox_test_probe', 'select $1::int as n', ['x']));
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
  });

  it.runIf(onPostgres())('is told by a backend terminated under a running statement (PostgreSQL)', async () => {
    const url = database.url ?? '';
    const admin = new pg.Client({ connectionString: url });
    const victim = new pg.Client({ connectionString: url });
    await admin.connect();
    await victim.connect();
    victim.on('error', () => {});
    try {
      const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
      const running = failure(() => victim.query('select pg_sleep(30)'));
      // Wait until the statement runs, then end its backend as an administrator (or a failover) would.
      for (;;) {
        const state = await admin.query('select 1 from pg_stat_activity where pid = $1 and wait_event = $2', [pid, 'PgSleep']);
        if (state.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await admin.query('select pg_terminate_backend($1)', [pid]);
      const error = await running;
      expect((error as { code?: string }).code).toBe('57P01');
      expect(isDatabaseUnavailable(error)).toBe(true);
      const after = await failure(() => victim.query('select 1'));
      expect(isDatabaseUnavailable(after)).toBe(true);
    } finally {
      await admin.end();
      await victim.end().catch(() => {});
    }
  });
});
