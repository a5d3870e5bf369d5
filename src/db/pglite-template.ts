import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/package-root.ts';
import { packageFile } from '../lib/packages.ts';
import { migrationsDigest } from './migration-files.ts';

/**
 * The embedded database as initdb makes it with this build's migrations applied, made once when
 * otpbox is built (`npm install` runs the build through `prepare`), so a first start copies ~40 MB of
 * files instead of running initdb in a worker thread and then every migration: seconds of CPU, and a
 * second PGlite in memory (ADR 21). A template made by another PGlite, or with other migrations, is not
 * used; the first start then runs initdb and the migrations itself, as before.
 */
export interface TemplateManifest {
  /** The PGlite release whose initdb made the files: another release may not read them. */
  pglite: string;
  /** The migrations applied to it (migrationsDigest): a build with other migrations must not use it. */
  migrations: string;
}

export const TEMPLATE_MANIFEST = 'manifest.json';
export const TEMPLATE_DATA = 'pgdata';

/** `<package root>/dist/pglite-template`, whether this runs from the sources or from the build. */
export function defaultTemplateDir(): string {
  return path.join(PACKAGE_ROOT, 'dist', 'pglite-template');
}

export function installedPgliteVersion(): string {
  const entry = packageFile('@electric-sql/pglite');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The manifest a template must have to be used: the installed PGlite's. */
export function currentManifest(): TemplateManifest {
  return { pglite: installedPgliteVersion(), migrations: migrationsDigest() };
}

/** Why the template in `dir` cannot make a fresh database for this install, or null when it can. */
export function templateMismatch(dir: string, current: TemplateManifest = currentManifest()): string | null {
  let manifest: TemplateManifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, TEMPLATE_MANIFEST), 'utf8')) as TemplateManifest;
  } catch {
    return `no database template in ${dir} (npm run build makes one)`;
  }
  if (!existsSync(path.join(dir, TEMPLATE_DATA, 'PG_VERSION'))) return `the database template in ${dir} is incomplete`;
  if (manifest.pglite !== current.pglite)
    return `the database template was made by PGlite ${manifest.pglite}, this is ${current.pglite} (npm run build makes a new one)`;
  if (manifest.migrations !== current.migrations)
    return 'the database template holds other migrations than this build (npm run build makes a new one)';
  return null;
}

/**
 * Copy the template's database files into `target` (which must not exist yet), checking `deadline`
 * (a `performance.now()` value) between files so a timeout can stop it.
 */
export async function copyPgliteTemplate(dir: string, target: string, deadline: number): Promise<void> {
  await copyTree(path.join(dir, TEMPLATE_DATA), target, deadline);
}

/** Files copied at once: the copy waits on the disk, not the CPU. */
const PARALLEL_COPIES = 16;

async function copyTree(from: string, to: string, deadline: number): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  const entries = await readdir(from, { withFileTypes: true });
  for (const entry of entries.filter((e) => e.isDirectory()))
    await copyTree(path.join(from, entry.name), path.join(to, entry.name), deadline);
  const files = entries.filter((e) => e.isFile());
  for (let i = 0; i < files.length; i += PARALLEL_COPIES) {
    if (performance.now() > deadline) throw new TemplateCopyTimeout();
    await Promise.all(files.slice(i, i + PARALLEL_COPIES).map((file) => copyFile(path.join(from, file.name), path.join(to, file.name))));
  }
}

export class TemplateCopyTimeout extends Error {
  override name = 'TemplateCopyTimeout';
}
