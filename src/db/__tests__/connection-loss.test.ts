import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { isDatabaseUnavailable } from '../../lib/database-errors.ts';
import { queryRows } from '../client.ts';

/**
 * A pooled connection lost while lent out, between two statements of a transaction (what a restart
 * of PostgreSQL does to every busy instance, issue 21): the process must live on, the transaction fail
 * as "database unavailable" (503 at the HTTP edge), and the pool serve the next statement.
 */
describe.skipIf(!onPostgres())('a connection lost in the middle of a transaction (PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 2 });
  });
  afterAll(() => database?.destroy());

  it('fails the transaction as unavailable, crashes nothing, and the next statement gets a new connection', async () => {
    const failure = await database.db
      .transaction(async (tx) => {
        const [own] = await queryRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
        // From the pool's other connection: this one is cut while no statement of it runs.
        if (database.raw.engine !== 'postgres') throw new Error('PostgreSQL only');
        await database.raw.pool.query('select pg_terminate_backend($1)', [own?.pid]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.execute(sql`select 1`);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeDefined();
    expect(isDatabaseUnavailable(failure)).toBe(true);
    await expect(database.ping()).resolves.toBeUndefined();
  });
});
