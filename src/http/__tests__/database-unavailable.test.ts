import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { createLogger } from '../../lib/logger.ts';

let t: TestApp;
let user: Actor;
let known: Actor;
const logLines: string[] = [];

// PostgreSQL only: the embedded database is unavailable only once closed at shutdown, and closed under
// a transaction it rejects a promise of its own that nobody can catch. The classification itself is
// tested on both engines (lib/__tests__/database-errors.test.ts).
beforeAll(async () => {
  if (!onPostgres()) return;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  t = await createTestApp({ log: createLogger({ level: 'warn', version: 'test', destination: sink }) });
  user = await createActor(t);
  known = await createActor(t);
  // Its principal is cached now: its next request needs the database in the handler, not before.
  expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: known.bearer } })).statusCode).toBe(200);
  await loseDatabase(t);
});
afterAll(() => t?.close());

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The database goes away under a running app: the pool's new connections go to a closed port, and
 * the connections it holds are terminated by the server (as at a failover or an administrator's restart).
 */
async function loseDatabase(app: TestApp): Promise<void> {
  const raw = app.database.raw;
  if (raw.engine !== 'postgres') throw new Error('PostgreSQL only');
  const pool = raw.pool as pg.Pool & { options: { connectionString?: string } };
  pool.options.connectionString = `postgres://postgres@127.0.0.1:${await closedPort()}/otpbox`;
  const admin = new pg.Client({ connectionString: raw.url });
  await admin.connect();
  try {
    await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'otpbox'",
    );
  } finally {
    await admin.end();
  }
  // The pool drops each terminated connection as it hears of it.
  while (pool.totalCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe.runIf(onPostgres())('while the database is unreachable (PostgreSQL)', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, not 500', async () => {
    // An API key not seen yet: its lookup is the first thing that needs the database.
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: user.bearer } });
    expect(me.statusCode, me.body).toBe(503);
    expect(me.headers['retry-after']).toBe('5');
    expect(me.json().error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', requestId: me.headers['x-request-id'] });
    expect(me.body).not.toMatch(/ECONNREFUSED|closed|terminat/i);

    // A route whose handler reads the database (GET /api/v1/me is answered from memory now: ADR 22).
    const handler = await t.app.inject({ method: 'GET', url: '/api/v1/ledger/statement', headers: { authorization: known.bearer } });
    expect(handler.statusCode, handler.body).toBe(503);
    expect(handler.headers['retry-after']).toBe('5');
    expect(handler.json().error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('answers 503 when a transaction cannot get a connection', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'not the password at all' },
    });
    expect(login.statusCode, login.body).toBe(503);
    expect(login.json().error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('logs each refusal as a warning naming the failure, not as an unhandled error', () => {
    const lines = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } });
    const unavailable = lines.filter((line) => line.msg === 'database unavailable');
    expect(unavailable.length).toBeGreaterThanOrEqual(2);
    for (const line of unavailable) {
      expect(line.level).toBe(40);
      expect(line.err?.message).toMatch(/ECONNREFUSED/);
    }
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });
});
