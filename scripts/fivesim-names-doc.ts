// `npm run docs:5sim-names`: docs/compat/5sim-names.md from the 5sim name table (the names the
// 5sim-compatible API accepts). src/http/compat/fivesim/__tests__/names-doc.test.ts fails while it is stale.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fivesimNamesMarkdown } from '../src/http/compat/fivesim/names-doc.ts';

export const FIVESIM_NAMES_FILE = fileURLToPath(new URL('../docs/compat/5sim-names.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await mkdir(dirname(FIVESIM_NAMES_FILE), { recursive: true });
  await writeFile(FIVESIM_NAMES_FILE, fivesimNamesMarkdown());
  console.log(`wrote ${FIVESIM_NAMES_FILE}`);
}
