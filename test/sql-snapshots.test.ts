import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSnapshot, SNAPSHOT_DIR, SNAPSHOTS } from '../scripts/sql-snapshots.ts';

describe('SQL snapshots (src/db/queries)', () => {
  for (const [file, snapshot] of Object.entries(SNAPSHOTS)) {
    it(`${file} holds the statements as the code builds them`, () => {
      let committed = '';
      try {
        committed = readFileSync(`${SNAPSHOT_DIR}${file}`, 'utf8');
      } catch {
        // Missing: reported as stale below.
      }
      expect(committed, `src/db/queries/${file} is stale: run \`npm run sql:snapshots\` and commit the result`).toBe(
        renderSnapshot(snapshot),
      );
    });
  }
});
