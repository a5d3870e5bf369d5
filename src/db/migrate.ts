import { sql } from 'drizzle-orm';
import { type Database, type Executor, liftAnswerDeadline, queryRows } from './client.ts';
import { MIGRATIONS_FOLDER, migrationJournal } from './migration-files.ts';

export { MIGRATIONS_FOLDER, migrationJournal } from './migration-files.ts';

/** Any constant works; it only has to be the same for every otpbox instance. */
export const MIGRATION_LOCK_KEY = 7_402_913_551n;

/** The `when` of the newest migration this build knows; readiness requires it to be applied. */
export const LATEST_MIGRATION = (() => {
  const entries = migrationJournal().entries;
  const last = entries[entries.length - 1];
  if (!last) throw new Error('no migrations found');
  return { tag: last.tag, when: last.when, count: entries.length };
})();

/**
 * Apply pending migrations. On PostgreSQL a session-level advisory lock makes concurrent starters
 * queue: the first applies, the others find nothing left to do.
 */
export async function migrateDatabase(database: Database): Promise<{ applied: string[] }> {
  // Each engine's migrator loads with it (see loadPglite in client.ts).
  if (database.raw.engine === 'pglite') {
    const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    const before = await appliedMigrationTimes(database.db);
    await migratePglite(drizzlePglite({ client: database.raw.client }), { migrationsFolder: MIGRATIONS_FOLDER });
    return { applied: newlyApplied(before) };
  }
  const [{ drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  // Everything happens on the one connection that holds the lock (a pool of one must not deadlock).
  const client = await database.raw.pool.connect();
  // A migration (an index built over a large table) and the wait for another starter's may take
  // longer than the pool's bound on a request's statement (ADR 50) and its answer deadline (ADR 51):
  // neither on this connection, which never goes back to the pool (the pool opens another, bounded,
  // in its place). The start-up step itself stays bounded (ADR 16).
  liftAnswerDeadline(client);
  let applied: string[];
  try {
    await client.query('set statement_timeout = 0; set idle_in_transaction_session_timeout = 0');
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      const locked = drizzlePg({ client });
      const before = await appliedMigrationTimes(locked as unknown as Executor);
      await migratePg(locked, { migrationsFolder: MIGRATIONS_FOLDER });
      applied = newlyApplied(before);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    client.release(true);
  }
  return { applied };
}

function newlyApplied(before: Set<number>): string[] {
  return migrationJournal()
    .entries.filter((entry) => !before.has(entry.when))
    .map((entry) => entry.tag);
}

async function appliedMigrationTimes(executor: Executor): Promise<Set<number>> {
  const [exists] = await queryRows<{ present: boolean }>(
    executor,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists?.present) return new Set();
  const rows = await queryRows<{ created_at: string | number }>(executor, sql`select created_at from drizzle.__drizzle_migrations`);
  return new Set(rows.map((row) => Number(row.created_at)));
}

/** True when every migration this build knows has been applied (a newer schema also counts). */
export async function schemaIsCurrent(database: Database): Promise<boolean> {
  const applied = await appliedMigrationTimes(database.db);
  return Math.max(0, ...applied) >= LATEST_MIGRATION.when;
}
