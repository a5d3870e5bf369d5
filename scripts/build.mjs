// `npm run build`, and `prepare` (so `npm install` runs it): everything `npm start` runs.
//  1. bundle the server into dist/otpbox.mjs and dist/chunks/ (run by bin/otpbox.js, or with `node dist/otpbox.mjs start`),
//     copy the SQL migrations next to it, and record when the build began in dist/build-info.json: the
//     launcher runs the sources instead while any file in src/ is newer (ADR 6);
//  2. make the embedded database's template in dist/pglite-template (what initdb makes), which a
//     first start copies instead of running initdb (ADR 21); kept while the same PGlite is installed;
//  3. build the web app into web/dist (served by the server at /), then the operator console beside it
//     (web/admin.html, served at /admin; a build of its own, ADR 32), and check both initial bundles
//     against their budgets (scripts/bundle-size.mjs): a build over budget fails.
// `node scripts/build.mjs web` builds the web app only.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
 * Bundle the server into dist/otpbox.mjs with esbuild: its own code (src/, tests excluded) and the
 * pure-JavaScript packages every start loads (BUNDLED_PACKAGES, with what they import). Loading one
 * file instead of some three hundred modules, and a few hundred files of packages, takes a good part
 * of a start (ADR 6). Code that only some starts need (the PostgreSQL or the PGlite driver, the SMPP
 * client) is split into dist/chunks/, loaded when it is first imported. esbuild only strips the
 * types: `npm run typecheck` checks them. The SQL migrations are copied beside the bundle
 * (db/migrate.ts reads them from the folder beside its code). Every output file is written in
 * Latin-1 (one-byte-source.mjs): V8 keeps a script with any other character as a two-byte string,
 * twice its size in memory for as long as the process runs.
 */
async function buildServer() {
  const builtAt = Date.now();
  const started = performance.now();
  const esbuild = await import('esbuild');
  rmSync(`${root}/dist/src`, { recursive: true, force: true }); // the layout of builds before the bundle
  rmSync(`${root}/dist/build-info.json`, { force: true });
  rmSync(`${root}/dist/migrations`, { recursive: true, force: true });
  rmSync(`${root}/dist/chunks`, { recursive: true, force: true });
  const { outputFiles } = await esbuild.build({
    // The second entry point makes the bundled packages a chunk of their own (see bundledPackagesOnly).
    entryPoints: [
      { in: `${root}/src/bin.ts`, out: 'otpbox' },
      { in: PACKAGES_ENTRY, out: 'chunks/packages-entry' },
    ],
    outdir: `${root}/dist`,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    plugins: [bundledPackagesOnly()],
    // The bundled packages are CommonJS: their `require` of Node's own modules needs a real `require`.
    banner: {
      js: "import { createRequire as __otpboxCreateRequire } from 'node:module'; const require = __otpboxCreateRequire(import.meta.url);",
    },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  });
  const { toLatin1 } = await import('./one-byte-source.mjs');
  for (const file of outputFiles) {
    // The second entry point only gathers the packages into their chunk: nothing imports the entry itself.
    if (path.basename(file.path).startsWith('packages-entry.')) continue;
    mkdirSync(path.dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.path.endsWith('.mjs') ? toLatin1(file.text, path.relative(root, file.path)) : file.contents);
  }
  cpSync(`${root}/src/db/migrations`, `${root}/dist/migrations`, { recursive: true });
  writeFileSync(`${root}/dist/build-info.json`, `${JSON.stringify({ builtAt })}\n`);
  console.log(`built dist/otpbox.mjs in ${seconds(started)} — \`npm start\` runs it (or: node dist/otpbox.mjs start)`);
}

/**
 * The packages bundled into dist/otpbox.mjs, with everything they import except ALWAYS_EXTERNAL: pure
 * JavaScript that every start loads, reads no file beside its code and does not exist twice (a
 * package bundled here and also imported from node_modules would be two copies, and zod's or
 * drizzle's checks between them fail). Every other package stays an import resolved from
 * node_modules at run time: native code (@node-rs/argon2), WebAssembly (PGlite), what only some
 * starts load (pg, ioredis, stripe, nodemailer, …), and what src/ requires at first use
 * (lib/packages.ts: otplib, libphonenumber-js, the common-password list; smpp with its gateway).
 */
const BUNDLED_PACKAGES = new Set([
  'fastify',
  'fastify-plugin',
  'fastify-type-provider-zod',
  '@fastify/static',
  '@fastify/swagger',
  'zod',
  'drizzle-orm',
  'prom-client',
  'standardwebhooks',
  'lru-cache',
  'cookie',
]);
/** Imported by bundled packages and by src/ alike, and loaded on their own terms: never bundled. */
const ALWAYS_EXTERNAL = new Set(['@electric-sql/pglite', 'pg', 'pino']);

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const PACKAGES_ENTRY = 'bundled-packages';

/**
 * esbuild plugin: which package imports go in the bundle (BUNDLED_PACKAGES) and which stay imports.
 * It also serves PACKAGES_ENTRY, a second entry point that imports every bundled package: what both
 * entry points import, esbuild splits into a shared chunk, so the packages' code (some 3 MB) is one
 * script and the server's own another. V8 parses each script at once, and the memory that took is
 * kept by the process: two scripts of 3 and 1.4 MB leave some 7 MB less resident than one of 4.4
 * (`npm run bench startup`, idle RSS on PostgreSQL). Nothing imports the entry's own file.
 */
function bundledPackagesOnly() {
  return {
    name: 'bundled-packages-only',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${PACKAGES_ENTRY}$`) }, () => ({ path: PACKAGES_ENTRY, namespace: PACKAGES_ENTRY }));
      build.onLoad({ filter: /.*/, namespace: PACKAGES_ENTRY }, () => ({
        contents: [...BUNDLED_PACKAGES].map((name, i) => `export * as p${i} from ${JSON.stringify(name)};`).join('\n'),
        resolveDir: root,
        loader: 'js',
      }));
      build.onResolve({ filter: /^[^./]/ }, ({ path: specifier, importer }) => {
        if (specifier.startsWith('node:')) return { external: true };
        const name = packageName(specifier);
        if (ALWAYS_EXTERNAL.has(name)) return { external: true };
        if (BUNDLED_PACKAGES.has(name)) return undefined;
        // From src/: a package not in the list. From a bundled package: its dependency, bundled with it.
        return importer.includes(`${path.sep}node_modules${path.sep}`) ? undefined : { external: true };
      });
    },
  };
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
