import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The SQL migrations and their journal (apart from migrate.ts, which needs the database client). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export function migrationJournal(): Journal {
  return JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as Journal;
}
