// The initial JavaScript of each web entry, gzipped: what a browser downloads before the page can run
// (the entry's <script type="module"> and every <link rel="modulepreload"> of its HTML in web/dist).
// `node scripts/bundle-size.mjs` prints both; `--check` also fails (exit 1) when one is over its budget.
// The build runs the check (scripts/build.mjs), so a bundle over budget never ships; ADR 32.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Budgets in bytes, gzipped (issue 19: the customer app's initial JavaScript ≤ 100 KB, the console's ≤ 250 KB). */
export const BUDGETS = { customer: 100 * 1024, console: 250 * 1024 };
/** Each entry's page in the build. */
export const PAGES = { customer: 'index.html', console: 'admin.html' };

/** The initial JS files a page loads, as paths relative to the build folder. */
export function initialScripts(html) {
  const files = new Set();
  for (const match of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) files.add(match[1]);
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) files.add(match[1]);
  return [...files].map((file) => file.replace(/^\//, ''));
}

/** `{ customer, console }`: each entry's initial JS files and their gzipped total in bytes. */
export function measure(dist) {
  return Object.fromEntries(
    Object.entries(PAGES).map(([entry, page]) => {
      const files = initialScripts(readFileSync(path.join(dist, page), 'utf8'));
      const gzip = files.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length, 0);
      return [entry, { files, gzip }];
    }),
  );
}

/** The entries over budget, with their sizes. */
export function overBudget(sizes, budgets = BUDGETS) {
  return Object.entries(sizes)
    .filter(([entry, { gzip }]) => gzip > budgets[entry])
    .map(([entry, { gzip }]) => `${entry}: ${kb(gzip)} > ${kb(budgets[entry])}`);
}

export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

export function report(dist) {
  const sizes = measure(dist);
  const lines = Object.entries(sizes).map(
    ([entry, { files, gzip }]) => `initial JS of the ${entry} app: ${kb(gzip)} gzipped (budget ${kb(BUDGETS[entry])}; ${files.join(', ')})`,
  );
  return { sizes, lines, over: overBudget(sizes) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = fileURLToPath(new URL('../web/dist', import.meta.url));
  const { lines, over } = report(dist);
  for (const line of lines) console.log(line);
  if (process.argv.includes('--check') && over.length > 0) {
    console.error(`over budget: ${over.join('; ')}`);
    process.exit(1);
  }
}
