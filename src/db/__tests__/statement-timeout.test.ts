import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { createEmptyPostgresDatabase, createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { api, code, fundedActor } from '../../../test/support/orders.ts';
import { isDatabaseUnavailable } from '../../lib/database-errors.ts';
import { openPostgres } from '../client.ts';
import { MIGRATION_LOCK_KEY, migrateDatabase } from '../migrate.ts';

// PostgreSQL only: the bound is the server's (statement_timeout and idle_in_transaction_session_timeout
// of the pool's sessions, ADR 50); the embedded database has no other session to wait on.
const BOUND_MS = 400;
let t: TestApp;
let database: TestDatabase;

beforeAll(async () => {
  if (!onPostgres()) return;
  database = await createTestDatabase({ statementTimeoutMs: BOUND_MS });
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' }, database });
});
afterAll(async () => {
  await t?.close();
  await database?.destroy();
});

const pool = () => {
  const raw = t.database.raw;
  if (raw.engine !== 'postgres') throw new Error('PostgreSQL only');
  return raw.pool;
};

/** Another session holding the customer's wallet locked (as a stuck transaction would) until `release`. */
async function lockWallet(url: string, accountId: string): Promise<{ release(): Promise<void> }> {
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  await other.query('begin');
  const locked = await other.query('select id from ledger_accounts where owner_account_id = $1 for update', [accountId]);
  expect(locked.rowCount).toBeGreaterThan(0);
  return {
    release: async () => {
      await other.query('rollback');
      await other.end();
    },
  };
}

describe.runIf(onPostgres())('the bound on a statement (DB_STATEMENT_TIMEOUT_MS, PostgreSQL)', () => {
  it("gives the pool's sessions the bound on a statement and on an idle transaction", async () => {
    const { rows } = await pool().query<{ statement: string; idle: string }>(
      'select current_setting($1) as statement, current_setting($2) as idle',
      ['statement_timeout', 'idle_in_transaction_session_timeout'],
    );
    expect(rows[0]).toEqual({ statement: `${BOUND_MS}ms`, idle: `${BOUND_MS}ms` });
  });

  it('cuts an order waiting on a lock that is never granted: 503 with Retry-After, nothing charged, the key free for the retry', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const before = await a.balance();
    const wallet = await lockWallet(t.database.url as string, user.accountId);
    let blocked: Awaited<ReturnType<typeof a.order>>;
    try {
      blocked = await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'stuck-wallet' });
    } finally {
      await wallet.release();
    }
    expect(blocked.statusCode, blocked.body).toBe(503);
    expect(code(blocked)).toBe('SERVICE_UNAVAILABLE');
    expect(blocked.headers['retry-after']).toBe('5');
    expect(blocked.body).not.toMatch(/statement timeout|cancel/i);
    expect(await a.balance()).toEqual(before);
    expect((await a.list()).json().activations).toHaveLength(0);

    // Once the lock is gone, the same request (same key) places the order: the cut left nothing behind.
    const retried = await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'stuck-wallet' });
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect((await a.balance()).held).toBe(retried.json().price);
  });

  it('ends a transaction left idle past the bound, as a fault the pool recovers from', async () => {
    const client = await pool().connect();
    let failure: unknown;
    try {
      await client.query('begin');
      await client.query('select 1');
      await new Promise((resolve) => setTimeout(resolve, BOUND_MS * 3));
      await client.query('select 1');
    } catch (error) {
      failure = error;
    } finally {
      client.release(failure instanceof Error ? failure : undefined);
    }
    expect(failure).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    // The pool gave up that connection: the next statement runs on another.
    expect((await pool().query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('lets migrations wait and run past the bound, and gives the bound back to the connection afterwards', async () => {
    const empty = await createEmptyPostgresDatabase();
    const migrated = await openPostgres({ url: empty.url, poolMax: 1, timeoutMs: 10_000, statementTimeoutMs: BOUND_MS });
    // Another instance starting at the same moment holds the migration lock for longer than the bound.
    const other = new pg.Client({ connectionString: empty.url });
    await other.connect();
    try {
      await other.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
      const migrating = migrateDatabase(migrated);
      await new Promise((resolve) => setTimeout(resolve, BOUND_MS * 3));
      await other.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
      const { applied } = await migrating;
      expect(applied.length).toBeGreaterThan(20);
      if (migrated.raw.engine !== 'postgres') throw new Error('PostgreSQL only');
      const { rows } = await migrated.raw.pool.query<{ statement_timeout: string }>('show statement_timeout');
      expect(rows[0]?.statement_timeout).toBe(`${BOUND_MS}ms`);
    } finally {
      await other.end();
      await migrated.close();
      await empty.drop();
    }
  });
});
