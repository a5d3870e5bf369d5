import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build scripts, without types
import { BUDGETS, initialScripts, measure, overBudget } from '../scripts/bundle-size.mjs';
import { ROOT } from './support/spawn.ts';

/**
 * The budgets of the web build (issue 19, ADR 32): the customer app's initial JavaScript ≤ 100 KB
 * gzipped, the console's ≤ 250 KB, and nothing of the console in the customer app's files. The build
 * (scripts/build.mjs, run by `npm ci`/`npm install` and by CI's build step) makes web/dist; without
 * it this test fails rather than skips.
 */
const DIST = path.join(ROOT, 'web', 'dist');

describe('measuring a page', () => {
  it('counts the entry script and every module preload, and nothing else', () => {
    const html = `<script type="module" crossorigin src="/assets/index-a.js"></script>
      <link rel="modulepreload" crossorigin href="/assets/shared-b.js">
      <link rel="stylesheet" href="/assets/index-c.css"><script src="/legacy.js"></script>`;
    expect(initialScripts(html)).toEqual(['assets/index-a.js', 'assets/shared-b.js']);
  });

  it('names each entry over its budget', () => {
    const sizes = { customer: { files: [], gzip: BUDGETS.customer + 1 }, console: { files: [], gzip: BUDGETS.console } };
    expect(overBudget(sizes)).toEqual(['customer: 100.0 KB > 100.0 KB']);
  });
});

describe('the built web app', () => {
  it('exists (npm run build)', () => {
    expect(existsSync(path.join(DIST, 'index.html')) && existsSync(path.join(DIST, 'admin.html')), `${DIST}: run \`npm run build\``).toBe(
      true,
    );
  });

  it.runIf(existsSync(path.join(DIST, 'admin.html')))(
    'keeps both initial bundles within budget, and the console out of the customer app',
    () => {
      const sizes = measure(DIST);
      expect(overBudget(sizes)).toEqual([]);
      // No file is shared: the console is a build of its own.
      expect(sizes.customer.files.filter((file: string) => sizes.console.files.includes(file))).toEqual([]);
      for (const file of sizes.customer.files) expect(readFileSync(path.join(DIST, file), 'utf8')).not.toContain('otpbox console');
      // The service worker precaches nothing of the console, and never serves /admin from a cache.
      const worker = readFileSync(path.join(DIST, 'sw.js'), 'utf8');
      for (const file of sizes.console.files) expect(worker).not.toContain(file);
      expect(worker).toMatch(/NEVER_CACHED = \[[^\]]*'\/admin'/);
    },
  );
});
