import { readFileSync } from 'node:fs';
import { entityKind, is } from 'drizzle-orm';
import { NodePgSession } from 'drizzle-orm/node-postgres';
import { PgliteSession } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { summarizeDatabaseError } from '../../lib/database-errors.ts';
import type { Executor } from '../client.ts';
import { engineOf, rawRows, runStatement, SESSION_KINDS } from '../raw-driver.ts';
import { params, sql, statement } from '../statement.ts';
import { transaction } from '../tx.ts';

/**
 * raw-driver.ts reaches into Drizzle: `executor.session`, the session classes and their `client`.
 * Those are not public API, so this pins the version they were read from: on an upgrade, check that
 * they still exist and mean the same (this file says how), then move the pin.
 */
const PINNED_DRIZZLE = '0.45.4';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

const sessionOf = (executor: Executor) => (executor as unknown as { session: { client: { query: unknown } } }).session;

describe('the raw driver adapter (Drizzle internals, pinned)', () => {
  it(`runs on drizzle-orm ${PINNED_DRIZZLE}, whose internals it was written against`, () => {
    const installed = JSON.parse(readFileSync(new URL('../../../node_modules/drizzle-orm/package.json', import.meta.url), 'utf8'));
    // A new version may move `session` or `client`: re-read drizzle-orm's node-postgres and pglite session.js, then update the pin.
    expect(installed.version).toBe(PINNED_DRIZZLE);
  });

  it("finds Drizzle's session and its driver client on the database and on a transaction", async () => {
    const expected = database.engine === 'postgres' ? NodePgSession : PgliteSession;
    const other = database.engine === 'postgres' ? PgliteSession : NodePgSession;
    expect(is(sessionOf(database.db), expected)).toBe(true);
    expect(is(sessionOf(database.db), other)).toBe(false);
    expect(typeof sessionOf(database.db).client.query).toBe('function');
    await transaction(database.db, async (tx) => {
      expect(is(sessionOf(tx), expected)).toBe(true);
      expect(typeof sessionOf(tx).client.query).toBe('function');
      // The transaction's own connection, not the pool (PostgreSQL) or the database (PGlite).
      expect(sessionOf(tx).client).not.toBe(sessionOf(database.db).client);
    });
  });

  it("knows each engine's session class by the entity kind Drizzle gives it", () => {
    expect(NodePgSession[entityKind]).toBe(SESSION_KINDS.postgres);
    expect(PgliteSession[entityKind]).toBe(SESSION_KINDS.pglite);
  });

  it('tells the engine from the session class, on the database and on a transaction', async () => {
    expect(engineOf(database.db)).toBe(database.engine);
    await transaction(database.db, async (tx) => {
      expect(engineOf(tx)).toBe(database.engine);
    });
    expect(() => engineOf({} as Executor)).toThrow(/neither a node-postgres nor a PGlite/);
  });

  it("runs a statement inside the caller's transaction, which a rollback undoes", async () => {
    const p = params({ key: 'text', now: 'timestamptz' });
    const insert = statement(
      'otpbox_test_raw_insert',
      sql`insert into instance_settings (key, value, updated_at) values (${p.key}, '1'::jsonb, ${p.now}) returning key`,
    );
    await expect(
      transaction(database.db, async (tx) => {
        const rows = await runStatement(tx, insert, { key: 'raw-driver-rollback', now: new Date().toISOString() });
        expect(rows).toEqual([{ key: 'raw-driver-rollback' }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const left = await rawRows(database.db, 'otpbox_test_raw_read', 'select key from instance_settings where key = $1', [
      'raw-driver-rollback',
    ]);
    expect(left).toEqual([]);
  });

  it('prepares a named statement on PostgreSQL, and a failure names it', async () => {
    const p = params({ n: 'int' });
    const probe = statement('otpbox_test_raw_probe', sql`select ${p.n} + 1 as n`);
    await transaction(database.db, async (tx) => {
      expect(await runStatement(tx, probe, { n: 1 })).toEqual([{ n: 2 }]);
      if (database.engine === 'postgres') {
        const prepared = await rawRows(tx, 'otpbox_test_raw_prepared', 'select name from pg_prepared_statements where name = $1', [
          'otpbox_test_raw_probe',
        ]);
        expect(prepared).toEqual([{ name: 'otpbox_test_raw_probe' }]);
      }
    });
    const failure = await runStatement(database.db, probe, { n: 'not a number' }).catch((error: unknown) => error);
    expect(summarizeDatabaseError(failure)).toMatchObject({ statement: 'otpbox_test_raw_probe', code: '22P02' });
  });
});
