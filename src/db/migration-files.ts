import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Beside this code: src/db/migrations in the sources, dist/migrations beside the bundle (the build copies them). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export function migrationJournal(folder: string = MIGRATIONS_FOLDER): Journal {
  return JSON.parse(readFileSync(`${folder}/meta/_journal.json`, 'utf8')) as Journal;
}

/**
 * One digest of every migration this build knows, in order (tag and SQL): a database made with other
 * migrations, or with these edited since, has another (the database template's manifest, ADR 21).
 */
export function migrationsDigest(folder: string = MIGRATIONS_FOLDER): string {
  const hash = createHash('sha256');
  for (const entry of migrationJournal(folder).entries) {
    hash.update(`${entry.tag}\n${entry.when}\n`);
    hash.update(readFileSync(`${folder}/${entry.tag}.sql`));
  }
  return hash.digest('hex');
}
