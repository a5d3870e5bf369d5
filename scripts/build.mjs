// `npm run build`, and `prepare` (so `npm install` runs it): everything `npm start` runs.
//  1. bundle the server into dist/otpbox.mjs (run by bin/otpbox.js, or with `node dist/otpbox.mjs start`),
//     copy the SQL migrations next to it, and record when the build began in dist/build-info.json: the
//     launcher runs the sources instead while any file in src/ is newer (ADR 6);
//  2. make the embedded database's template in dist/pglite-template (what initdb makes), which a
//     first start copies instead of running initdb (ADR 21); kept while the same PGlite is installed;
//  3. build the web app into web/dist (served by the server at /), then the operator console beside it
//     (web/admin.html, served at /admin; a build of its own, ADR 32), and check both initial bundles
//     against their budgets (scripts/bundle-size.mjs): a build over budget fails.
// `node scripts/build.mjs web` builds the web app only.
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const webOnly = process.argv[2] === 'web';
const seconds = (started) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

async function buildWeb() {
  let vite;
  try {
    vite = await import('vite');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    // An install without dev dependencies (npm ci --omit=dev) cannot build; it serves what was built before.
    const state = existsSync(`${root}/web/dist/index.html`) ? 'keeps the web/dist already built' : 'serves a notice at / until it is built';
    console.warn(`vite is not installed (production install?): the web app is not rebuilt, and the server ${state}.`);
    return;
  }
  const started = performance.now();
  await vite.build({ root: `${root}/web`, configFile: `${root}/web/vite.config.ts`, logLevel: 'warn' });
  await vite.build({ root: `${root}/web`, configFile: `${root}/web/vite.config.ts`, logLevel: 'warn', mode: 'console' });
  console.log(`built web/dist in ${seconds(started)}`);
  const { report } = await import('./bundle-size.mjs');
  const { lines, over } = report(`${root}/web/dist`);
  for (const line of lines) console.log(line);
  if (over.length > 0) throw new Error(`the web build is over its budget: ${over.join('; ')} (scripts/bundle-size.mjs)`);
}

/**
 * Bundle the server's own code (src/, tests excluded) into one file, dist/otpbox.mjs, with esbuild;
 * packages stay imports resolved from node_modules at run time. One file instead of some three
 * hundred modules takes a tenth of a second off every start (ADR 6). esbuild only strips the types:
 * `npm run typecheck` checks them. The SQL migrations are copied beside the bundle (db/migrate.ts
 * reads them from the folder beside its code).
 */
async function buildServer() {
  const builtAt = Date.now();
  const started = performance.now();
  const esbuild = await import('esbuild');
  rmSync(`${root}/dist/src`, { recursive: true, force: true }); // the layout of builds before the bundle
  rmSync(`${root}/dist/build-info.json`, { force: true });
  rmSync(`${root}/dist/migrations`, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [`${root}/src/bin.ts`],
    outfile: `${root}/dist/otpbox.mjs`,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  cpSync(`${root}/src/db/migrations`, `${root}/dist/migrations`, { recursive: true });
  writeFileSync(`${root}/dist/build-info.json`, `${JSON.stringify({ builtAt })}\n`);
  console.log(`built dist/otpbox.mjs in ${seconds(started)} — \`npm start\` runs it (or: node dist/otpbox.mjs start)`);
}

/** The database template (ADR 21), made by the sources through tsx: the bundle exports only the command. */
async function buildTemplate() {
  const started = performance.now();
  const { tsImport } = await import('tsx/esm/api');
  const load = (module) => tsImport(`${root}/src/db/${module}.ts`, import.meta.url);
  const { defaultTemplateDir, templateMismatch } = await load('pglite-template');
  const dir = defaultTemplateDir();
  if (templateMismatch(dir) === null) {
    console.log(`the database template in ${dir} is current`);
    return;
  }
  const { makePgliteTemplate } = await load('make-pglite-template');
  await makePgliteTemplate(dir);
  console.log(`made the database template in ${dir} in ${seconds(started)}`);
}

if (!webOnly) {
  await buildServer();
  await buildTemplate();
}
await buildWeb();
