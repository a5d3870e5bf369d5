import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, onPostgres } from '../../../test/support/database.ts';
import { ROOT } from '../../../test/support/spawn.ts';
import { openMemoryPglite, openPostgres, queryRows } from '../client.ts';
import { LATEST_MIGRATION, MIGRATIONS_FOLDER, migrateDatabase, migrationJournal, schemaIsCurrent } from '../migrate.ts';

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
