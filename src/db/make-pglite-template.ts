import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPglite } from './client.ts';
import { MIGRATIONS_FOLDER } from './migration-files.ts';
import { currentManifest, TEMPLATE_DATA, TEMPLATE_MANIFEST, type TemplateManifest } from './pglite-template.ts';

/**
 * Make the template in `dir` (replacing any): what initdb makes, as the first open of a fresh folder
 * runs it (pglite-init.ts), with this build's migrations applied (the migrations' own table records
 * them, so a first start finds nothing left to apply), then its manifest.
 */
export async function makePgliteTemplate(dir: string): Promise<TemplateManifest> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const data = path.join(dir, TEMPLATE_DATA);
  const PGlite = await loadPglite();
  const client = new PGlite(data);
  try {
    await client.waitReady;
    const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator')]);
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.close();
  }
  // Only a running Postgres owns it; a copy must not carry it.
  await rm(path.join(data, 'postmaster.pid'), { force: true });
  const manifest = currentManifest();
  await writeFile(path.join(dir, TEMPLATE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
