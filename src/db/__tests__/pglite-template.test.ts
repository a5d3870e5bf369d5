import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToOthers } from '../../../test/support/file-modes.ts';
import { tempDir } from '../../../test/support/spawn.ts';
import { openPglite, queryRows } from '../client.ts';
import { makePgliteTemplate } from '../make-pglite-template.ts';
import { migrateDatabase, migrationJournal, schemaIsCurrent } from '../migrate.ts';
import { MIGRATIONS_FOLDER, migrationsDigest } from '../migration-files.ts';
import { initPglite, PgliteInitError } from '../pglite-init.ts';
import { currentManifest, installedPgliteVersion, type TemplateManifest, templateMismatch } from '../pglite-template.ts';

let root: Awaited<ReturnType<typeof tempDir>>;
let template: string;
beforeAll(async () => {
  root = await tempDir();
  template = path.join(root.path, 'template');
  await makePgliteTemplate(template);
}, 120_000);
afterAll(() => root?.remove());

/** A copy of the template's manifest, changed by `edit`, in a folder of its own that shares the files. */
async function templateWith(name: string, edit: (manifest: TemplateManifest) => void): Promise<string> {
  const dir = path.join(root.path, name);
  await mkdir(path.join(dir, 'pgdata'), { recursive: true });
  await writeFile(path.join(dir, 'pgdata', 'PG_VERSION'), await readFile(path.join(template, 'pgdata', 'PG_VERSION')));
  const manifest = JSON.parse(await readFile(path.join(template, 'manifest.json'), 'utf8')) as TemplateManifest;
  edit(manifest);
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('the database template made at build time', { timeout: 120_000 }, () => {
  it('makes a fresh folder a migrated database, owner-only, with nothing of the running template kept', async () => {
    expect(templateMismatch(template)).toBeNull();
    expect(existsSync(path.join(template, 'pgdata', 'postmaster.pid'))).toBe(false);

    const dataDir = path.join(root.path, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    expect(await initPglite(path.join(dataDir, 'pglite'), { timeoutMs: 110_000, template })).toBe('created');
    expect(existsSync(path.join(dataDir, 'pglite.initialising'))).toBe(false);
    expect(await openToOthers(path.join(dataDir, 'pglite'))).toEqual([]);

    const database = await openPglite({ ownership: { dataDir }, timeoutMs: 110_000 });
    try {
      // What initdb makes with this build's migrations applied: a first start has none left to apply.
      expect(await schemaIsCurrent(database)).toBe(true);
      expect((await migrateDatabase(database)).applied).toEqual([]);
      const [applied] = await queryRows<{ count: number }>(
        database.db,
        sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
      );
      expect(applied?.count).toBe(migrationJournal().entries.length);
    } finally {
      await database.close();
    }
  });

  it('is used only when the installed PGlite made it', async () => {
    expect(templateMismatch(path.join(root.path, 'none'))).toMatch(/^no database template in .*npm run build makes one/);
    const otherPglite = await templateWith('other-pglite', (m) => {
      m.pglite = '0.0.1';
    });
    expect(templateMismatch(otherPglite)).toBe(
      `the database template was made by PGlite 0.0.1, this is ${installedPgliteVersion()} (npm run build makes a new one)`,
    );
    const otherMigrations = await templateWith('other-migrations', (m) => {
      m.migrations = 'a digest of other migrations';
    });
    expect(templateMismatch(otherMigrations)).toBe(
      'the database template holds other migrations than this build (npm run build makes a new one)',
    );
    const incomplete = path.join(root.path, 'incomplete');
    await mkdir(incomplete);
    await writeFile(path.join(incomplete, 'manifest.json'), JSON.stringify(currentManifest()));
    expect(templateMismatch(incomplete)).toBe(`the database template in ${incomplete} is incomplete`);
  });

  it('knows its migrations by one digest of their names and SQL, which any edit changes', async () => {
    const folder = path.join(root.path, 'migrations');
    await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
    expect(migrationsDigest(folder)).toBe(currentManifest().migrations);
    const last = migrationJournal().entries.at(-1)?.tag;
    await appendFile(path.join(folder, `${last}.sql`), '\n-- an edit\n');
    expect(migrationsDigest(folder)).not.toBe(currentManifest().migrations);
  });

  it('a copy that outlasts its timeout fails like initdb does, keeping nothing', async () => {
    const dataDir = path.join(root.path, 'slow');
    await mkdir(dataDir);
    const dir = path.join(dataDir, 'pglite');
    const failure = await initPglite(dir, { timeoutMs: 0, template }).catch((error) => error);
    expect(failure).toBeInstanceOf(PgliteInitError);
    expect(failure.message).toContain(`Creating the embedded database in ${dir} did not finish within 0 ms (DB_OPEN_TIMEOUT_MS).`);
    expect(await readdir(dataDir)).toEqual([]);
  });
});

describe('the embedded database settings', { timeout: 120_000 }, () => {
  // PGLITE_SETTINGS are appended to PGlite.defaultStartParams, and a template's files are read only by
  // the PGlite release that wrote them: a new release must be checked against both before it lands.
  it('are pinned to PGlite 0.5.16 and give Postgres a 16 MB page cache', async () => {
    expect(installedPgliteVersion()).toBe('0.5.16');
    const dataDir = path.join(root.path, 'settings');
    await mkdir(dataDir, { mode: 0o700 });
    await initPglite(path.join(dataDir, 'pglite'), { timeoutMs: 110_000, template });
    const database = await openPglite({ ownership: { dataDir }, timeoutMs: 110_000 });
    try {
      const [row] = await queryRows<{ shared_buffers: string }>(database.db, sql`show shared_buffers`);
      expect(row?.shared_buffers).toBe('16MB');
      // PGlite's own parameters still apply (one of them, as a witness).
      const [workers] = await queryRows<{ max_worker_processes: string }>(database.db, sql`show max_worker_processes`);
      expect(workers?.max_worker_processes).toBe('0');
    } finally {
      await database.close();
    }
  });
});
