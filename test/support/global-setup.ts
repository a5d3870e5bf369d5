import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openMemoryPglite, openPostgres } from '../../src/db/client.ts';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../src/db/migrate.ts';
import { withDatabase } from './pg-url.ts';

/**
 * Runs once per `vitest` run. Migrates a template once, so each test file gets a fresh database
 * cheaply: on PostgreSQL a `CREATE DATABASE … TEMPLATE`, on PGlite a copy of a dumped data folder.
 */
export default async function setup(project: TestProject) {
  const fingerprint = migrationsFingerprint();
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const template = `otpbox_tpl_${fingerprint}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
      if (exists.rowCount === 0) {
        // Built under a temporary name and renamed when complete, so a failed run leaves no half-made template.
        const building = `${template}_${process.pid}`;
        await admin.query(`drop database if exists ${building}`);
        await admin.query(`create database ${building}`);
        const database = await openPostgres({ url: withDatabase(url, building), poolMax: 1, timeoutMs: 10_000 });
        try {
          await migrateDatabase(database);
        } finally {
          await database.close();
        }
        await admin.query(`alter database ${building} rename to ${template}`);
      }
      // Leftovers of interrupted runs; a database still in use (another run) is left alone.
      const stale = await admin.query(`select datname from pg_database where datname like 'otpbox\\_t\\_%'`);
      for (const row of stale.rows) await admin.query(`drop database if exists ${row.datname}`).catch(() => {});
    } finally {
      await admin.end();
    }
    project.provide('pgTemplate', template);
    project.provide('pgliteTemplate', '');
    return;
  }
  const database = await openMemoryPglite();
  await migrateDatabase(database);
  if (database.raw.engine !== 'pglite') throw new Error('unreachable');
  const dump = await database.raw.client.dumpDataDir('none');
  await database.close();
  const file = path.join(os.tmpdir(), `otpbox-pglite-template-${fingerprint}-${process.pid}.tar`);
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgTemplate', '');
  project.provide('pgliteTemplate', file);
  return () => rm(file, { force: true });
}

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (name.endsWith('.sql')) hash.update(name).update(readFileSync(path.join(MIGRATIONS_FOLDER, name)));
  }
  return hash.digest('hex').slice(0, 12);
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
    pgliteTemplate: string;
  }
}
