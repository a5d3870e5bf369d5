import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { queryRows } from '../../db/client.ts';
import type { LimitHits } from '../port.ts';
import { postgresLimitStore } from '../postgres-store.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

const MINUTE = 60_000;
const at = Date.parse('2026-06-01T12:00:00.000Z');
const row = (key: string, hits: number, limiter = 'api-account', start = at): LimitHits => ({
  limiter,
  key,
  window: start / MINUTE,
  hits,
  endsAt: start + MINUTE,
});

describe('the PostgreSQL limit store', () => {
  it('adds every row of a flush in one statement and answers each total in the order asked', async () => {
    const store = postgresLimitStore(database.db);
    expect(await store.add([row('k1', 3), row('k2', 1)], at)).toEqual([3, 1]);
    // A second instance's flush: its rows in another order, one new.
    expect(await store.add([row('k3', 2), row('k2', 4), row('k1', 1)], at)).toEqual([2, 5, 4]);
    // The same key under another limiter, or in another window, is another count.
    expect(await store.add([row('k1', 1, 'public-ip'), row('k1', 1, 'api-account', at + MINUTE)], at)).toEqual([1, 1]);
  });

  it('sweeps the windows that ended, and only those', async () => {
    const store = postgresLimitStore(database.db);
    await store.add([row('old', 1, 'api-key', at - 10 * MINUTE), row('now', 1, 'api-key')], at);
    expect(await store.sweep(at)).toBeGreaterThanOrEqual(1);
    const left = await queryRows<{ key: string }>(database.db, sql`select key from rate_limit_counters where limiter = 'api-key'`);
    expect(left.map((r) => r.key)).toEqual(['now']);
  });

  it.runIf(onPostgres())('keeps its counts in an UNLOGGED table (disposable: no WAL per flush)', async () => {
    const [table] = await queryRows<{ relpersistence: string }>(
      database.db,
      sql`select relpersistence from pg_class where relname = 'rate_limit_counters'`,
    );
    expect(table?.relpersistence).toBe('u');
  });
});
