import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FIVESIM_NAMES_FILE } from '../../../../../scripts/fivesim-names-doc.ts';
import { fivesimCountries, fivesimServices } from '../../../../provider-clients/fivesim/names.ts';
import { fivesimNamesMarkdown } from '../names-doc.ts';

describe('docs/compat/5sim-names.md', () => {
  it('is generated from the current name table: run `npm run docs:5sim-names` when this fails', async () => {
    const committed = await readFile(FIVESIM_NAMES_FILE, 'utf8');
    expect(committed === fivesimNamesMarkdown(), 'docs/compat/5sim-names.md is stale: run `npm run docs:5sim-names`').toBe(true);
  });

  it('lists every country and product of the table', () => {
    const markdown = fivesimNamesMarkdown();
    for (const [name, iso] of fivesimCountries) expect(markdown).toContain(`| \`${name}\` | ${iso} |`);
    for (const [product, service] of fivesimServices) expect(markdown).toContain(`| \`${product}\` | \`${service}\` |`);
  });
});
