// `npm run build`: compile the server to dist/ (runnable with `node dist/src/bin.js start`), copy the
// SQL migrations next to it, and build the web app into web/dist (served by the server at /).
// `node scripts/build.mjs web` builds the web app only: the `prepare` script, so `npm install` on a
// fresh clone is enough for `npm start` to serve the app.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });
const webOnly = process.argv[2] === 'web';

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
  console.log(`built web/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (!webOnly) {
  const started = performance.now();
  rmSync(`${root}/dist`, { recursive: true, force: true });
  run(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json']);
  cpSync(`${root}/src/db/migrations`, `${root}/dist/src/db/migrations`, { recursive: true });
  console.log(`built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s — run it with: node dist/src/bin.js start`);
}
await buildWeb();
