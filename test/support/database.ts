import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openMemoryPglite, openPostgres } from '../../src/db/client.ts';
import { withDatabase } from './pg-url.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, a new PostgreSQL
 * database (cloned from the migrated template) when TEST_DATABASE_URL is set.
 */
export interface TestDatabase extends Database {
  /** The connection URL on PostgreSQL (for spawned servers), undefined on PGlite. */
  readonly url: string | undefined;
  /** Close and, on PostgreSQL, drop the database. */
  destroy(): Promise<void>;
}

export const onPostgres = (): boolean => Boolean(process.env.TEST_DATABASE_URL);

export async function createTestDatabase(
  options: {
    poolMax?: number;
    statementTimeoutMs?: number;
    /** On PostgreSQL, the URL the pool connects to instead of the database's own (a relay in front of it). */
    connectVia?: (url: string) => string;
  } = {},
): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const template = inject('pgliteTemplate');
    const dump = template ? new Blob([await readFile(template)]) : undefined;
    const database = await openMemoryPglite(dump);
    return { ...database, url: undefined, destroy: () => database.close() };
  }
  const name = `otpbox_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const database = await openPostgres({
    url: options.connectVia ? options.connectVia(url) : url,
    poolMax: options.poolMax ?? 20,
    timeoutMs: 10_000,
    statementTimeoutMs: options.statementTimeoutMs,
  });
  return {
    ...database,
    url,
    destroy: async () => {
      await database.close();
      await dropDatabase(serverUrl, name);
    },
  };
}

/** An empty PostgreSQL database (no migrations) for tests of migrations themselves. */
export async function createEmptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `otpbox_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return { url: withDatabase(serverUrl, name), drop: () => dropDatabase(serverUrl, name) };
}

async function dropDatabase(serverUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}
