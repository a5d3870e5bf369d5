import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPglite, pgliteStartParams, wrapPglite } from './client.ts';
import { migrateDatabase } from './migrate.ts';
import { currentManifest, TEMPLATE_DATA, TEMPLATE_MANIFEST, type TemplateManifest } from './pglite-template.ts';

/** Make the template in `dir` (replacing any): initdb and every migration, then its manifest. */
export async function makePgliteTemplate(dir: string): Promise<TemplateManifest> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const data = path.join(dir, TEMPLATE_DATA);
  const PGlite = await loadPglite();
  const client = new PGlite(data, { startParams: pgliteStartParams(PGlite) });
  const database = await wrapPglite(client);
  try {
    await client.waitReady;
    await migrateDatabase(database);
  } finally {
    await database.close();
  }
  // Only a running Postgres owns it; a copy must not carry it.
  await rm(path.join(data, 'postmaster.pid'), { force: true });
  const manifest = currentManifest();
  await writeFile(path.join(dir, TEMPLATE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
