import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, onPostgres } from '../../../test/support/database.ts';
import { ROOT } from '../../../test/support/spawn.ts';
import { openMemoryPglite, openPostgres, queryRows } from '../client.ts';
import { LATEST_MIGRATION, MIGRATIONS_FOLDER, migrateDatabase, migrationJournal, schemaIsCurrent } from '../migrate.ts';

/**
 * An in-memory database migrated to just before the migration whose tag starts with `prefix` (a copy
 * of the migrations as they stood then), to test what that migration does to existing rows.
 */
async function migratedBefore(prefix: string) {
  const before = mkdtempSync(path.join(os.tmpdir(), 'otpbox-migrations-'));
  const database = await openMemoryPglite();
  try {
    cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
    const journal = migrationJournal();
    const upTo = journal.entries.findIndex((entry) => entry.tag.startsWith(prefix));
    expect(upTo).toBeGreaterThan(0);
    writeFileSync(path.join(before, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
    if (database.raw.engine !== 'pglite') throw new Error('an in-memory PGlite was asked for');
    await migratePglite(drizzlePglite({ client: database.raw.client }), { migrationsFolder: before });
    return { database, journal, upTo };
  } catch (error) {
    await database.close();
    throw error;
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
}

describe('migrations on PGlite', () => {
  it('apply every migration to an empty database once, then nothing', async () => {
    const database = await openMemoryPglite();
    try {
      expect(await schemaIsCurrent(database)).toBe(false);
      const first = await migrateDatabase(database);
      expect(first.applied).toEqual(migrationJournal().entries.map((e) => e.tag));
      expect(await schemaIsCurrent(database)).toBe(true);
      const second = await migrateDatabase(database);
      expect(second.applied).toEqual([]);
      const tables = await queryRows<{ table_name: string }>(
        database.db,
        sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      expect(tables.map((t) => t.table_name)).toContain('job_runs');
    } finally {
      await database.close();
    }
  });

  it('0010 counts the orders already open, and its trigger keeps counting after', async () => {
    const { database, journal, upTo } = await migratedBefore('0010_');
    try {
      const at = '2026-01-01T00:00:00Z';
      await database.db.execute(sql`insert into accounts (id, kind, created_at, updated_at)
        values ('acc_a', 'device', ${at}, ${at}), ('acc_b', 'device', ${at}, ${at}), ('acc_c', 'device', ${at}, ${at})`);
      const statuses: [string, string][] = [
        ['acc_a', 'requesting'],
        ['acc_a', 'waiting'],
        ['acc_a', 'received'],
        ['acc_a', 'completed'],
        ['acc_a', 'cancelled'],
        ['acc_b', 'waiting'],
        ['acc_c', 'expired'],
      ];
      for (const [i, [account, status]] of statuses.entries()) {
        await database.db.execute(sql`insert into activations
          (id, account_id, service, country, provider, price, status, created_at, updated_at, expires_at, cancellable_at)
          values (${`act_${i}`}, ${account}, 'tg', 'ID', 'sandbox', 10, ${status}, ${at}, ${at}, ${at}, ${at})`);
      }

      // 0010, and the migrations after it (0011 changes how the trigger locks, not what it counts).
      expect((await migrateDatabase(database)).applied).toEqual(journal.entries.slice(upTo).map((entry) => entry.tag));
      const counts = async () =>
        Object.fromEntries(
          (await queryRows<{ account_id: string; open: number }>(database.db, sql`select account_id, open from account_order_counts`)).map(
            (row) => [row.account_id, row.open],
          ),
        );
      expect(await counts()).toEqual({ acc_a: 3, acc_b: 1 });

      await database.db.execute(sql`update activations set status = 'completed' where id = 'act_2'`);
      await database.db.execute(sql`update activations set status = 'received' where id = 'act_1'`);
      await database.db.execute(sql`delete from activations where id = 'act_5'`);
      await database.db.execute(sql`insert into activations
        (id, account_id, service, country, provider, price, status, created_at, updated_at, expires_at, cancellable_at)
        values ('act_new', 'acc_c', 'tg', 'ID', 'sandbox', 10, 'requesting', ${at}, ${at}, ${at}, ${at})`);
      expect(await counts()).toEqual({ acc_a: 2, acc_b: 0, acc_c: 1 });
    } finally {
      await database.close();
    }
  });
  it('0011 numbers the events kept so far per account, and makes the existing wallets the credits purse', async () => {
    const { database, journal, upTo } = await migratedBefore('0011_');
    try {
      const at = '2026-01-01T00:00:00Z';
      await database.db.execute(sql`insert into accounts (id, kind, created_at, updated_at)
        values ('acc_a', 'device', ${at}, ${at}), ('acc_b', 'device', ${at}, ${at})`);
      await database.db.execute(
        sql`insert into ledger_accounts (id, kind, owner_account_id, created_at) values ('lac_0a', 'wallet', 'acc_a', ${at})`,
      );
      for (const account of ['acc_a', 'acc_b', 'acc_a', 'acc_a', 'acc_b']) {
        await database.db.execute(sql`insert into account_events (account_id, type, payload, created_at)
          values (${account}, 'balance.updated', '{}'::jsonb, ${at})`);
      }

      expect((await migrateDatabase(database)).applied).toEqual(journal.entries.slice(upTo).map((entry) => entry.tag));
      const events = await queryRows<{ account_id: string; seq: string }>(
        database.db,
        sql`select account_id, seq::text from account_events order by id`,
      );
      expect(events.map((e) => `${e.account_id}:${e.seq}`)).toEqual(['acc_a:1', 'acc_b:1', 'acc_a:2', 'acc_a:3', 'acc_b:2']);
      const heads = await queryRows<{ account_id: string; seq: string }>(
        database.db,
        sql`select account_id, seq::text from account_event_heads order by account_id`,
      );
      expect(heads).toEqual([
        { account_id: 'acc_a', seq: '3' },
        { account_id: 'acc_b', seq: '2' },
      ]);
      const [wallet] = await queryRows<{ purse: string }>(database.db, sql`select purse from ledger_accounts where id = 'lac_0a'`);
      expect(wallet?.purse).toBe('credits');
      const [demo] = await queryRows<{ n: string }>(
        database.db,
        sql`select count(*)::text as n from ledger_accounts where code in ('demo_grants', 'demo_revenue', 'demo_voids')`,
      );
      expect(demo?.n).toBe('96');
    } finally {
      await database.close();
    }
  });
});

describe.skipIf(!onPostgres())('migrations on PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('apply once and are idempotent', async () => {
    const empty = await createEmptyPostgresDatabase();
    cleanups.push(empty.drop);
    const database = await openPostgres({ url: empty.url, poolMax: 1, timeoutMs: 5000 });
    try {
      expect((await migrateDatabase(database)).applied).toHaveLength(LATEST_MIGRATION.count);
      expect((await migrateDatabase(database)).applied).toEqual([]);
      expect(await schemaIsCurrent(database)).toBe(true);
    } finally {
      await database.close();
    }
  });

  it('never race when several instances start together (advisory lock)', async () => {
    const empty = await createEmptyPostgresDatabase();
    cleanups.push(empty.drop);
    const instances = await Promise.all(Array.from({ length: 6 }, () => openPostgres({ url: empty.url, poolMax: 2, timeoutMs: 5000 })));
    try {
      const results = await Promise.all(instances.map((database) => migrateDatabase(database)));
      const appliedCounts = results.map((r) => r.applied.length).sort();
      // Exactly one instance applied the migrations; the others found nothing left to do.
      expect(appliedCounts).toEqual([0, 0, 0, 0, 0, LATEST_MIGRATION.count]);
      const [first] = instances;
      if (!first) throw new Error('no instance');
      const [row] = await queryRows<{ n: string }>(first.db, sql`select count(*)::text as n from drizzle.__drizzle_migrations`);
      expect(Number(row?.n)).toBe(LATEST_MIGRATION.count);
    } finally {
      await Promise.all(instances.map((database) => database.close()));
    }
  });
});

describe('committed migrations', () => {
  it('match the Drizzle schema (drizzle-kit generates nothing new)', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'otpbox-migrations-'));
    try {
      cpSync(MIGRATIONS_FOLDER, out, { recursive: true });
      const before = readdirSync(out).sort();
      const run = spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'node_modules/drizzle-kit/bin.cjs'),
          'generate',
          '--dialect=postgresql',
          '--schema=./src/db/schema/index.ts',
          // drizzle-kit prefixes "./" to --out, so it must be relative; it also exits 0 on errors.
          `--out=${path.relative(ROOT, out)}`,
          '--casing=snake_case',
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status, output).toBe(0);
      expect(readdirSync(out).sort(), output).toEqual(before);
      expect(output).toMatch(/No schema changes/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
