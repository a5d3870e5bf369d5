// `npm run build`, and `prepare` (so `npm install` runs it): everything `npm start` runs.
//  1. compile the server to dist/ (run by bin/otpbox.js, or with `node dist/src/bin.js start`), copy the
//     SQL migrations next to it, and record when the compile began in dist/build-info.json: the
//     launcher runs the sources instead while any file in src/ is newer (ADR 6);
//  2. make the embedded database's template in dist/pglite-template (what initdb makes), which a
//     first start copies instead of running initdb (ADR 21); kept while the same PGlite is installed;
//  3. build the web app into web/dist (served by the server at /).
// `node scripts/build.mjs web` builds the web app only.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
  console.log(`built web/dist in ${seconds(started)}`);
}

/** Compile src/ to dist/src; false when TypeScript is not installed (a production install). */
function buildServer() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    console.warn('typescript is not installed (production install?): dist/ is not built, and `otpbox` runs the sources through tsx.');
    return false;
  }
  const builtAt = Date.now();
  const started = performance.now();
  rmSync(`${root}/dist/src`, { recursive: true, force: true });
  rmSync(`${root}/dist/build-info.json`, { force: true });
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  cpSync(`${root}/src/db/migrations`, `${root}/dist/src/db/migrations`, { recursive: true });
  writeFileSync(`${root}/dist/build-info.json`, `${JSON.stringify({ builtAt })}\n`);
  console.log(`built dist/ in ${seconds(started)} — \`npm start\` runs it (or: node dist/src/bin.js start)`);
  return true;
}

async function buildTemplate(compiled) {
  const started = performance.now();
  const load = async (module) => {
    if (compiled) return import(pathToFileURL(`${root}/dist/src/db/${module}.js`).href);
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(`${root}/src/db/${module}.ts`, import.meta.url);
  };
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
  const compiled = buildServer();
  await buildTemplate(compiled);
}
await buildWeb();
