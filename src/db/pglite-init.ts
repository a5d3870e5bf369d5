import { existsSync } from 'node:fs';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { makeDataDirPrivate } from '../runtime/private-data-dir.ts';
import { copyPgliteTemplate, defaultTemplateDir, TemplateCopyTimeout, templateMismatch } from './pglite-template.ts';

/**
 * The first open of a fresh folder creates the database (PGlite runs Postgres' initdb), and does it
 * synchronously: seconds of CPU on the calling thread — a quarter of a minute or more on a busy
 * machine — during which no timer fires and nothing is logged, so DB_OPEN_TIMEOUT_MS cannot stop it
 * and the start looks hung. So it runs in a worker thread, which the timeout can terminate, and
 * into a temporary folder renamed into place once complete: a start interrupted half-way (timeout,
 * kill, power cut) leaves no half-made database, and the next start simply begins again.
 *
 * The thread's code is a string, not a module: it must load without tsx, from the sources and from
 * dist/ alike; it imports PGlite by the URL this module resolved.
 */
const INITDB_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.pgliteUrl)
  .then(async ({ PGlite }) => {
    const client = new PGlite(workerData.dir);
    await client.waitReady;
    await client.close();
  })
  .then(
    () => parentPort.postMessage({ ok: true }),
    (error) => parentPort.postMessage({ ok: false, error: String((error && error.stack) || error) }),
  );
`;

export class PgliteInitError extends Error {
  override name = 'PgliteInitError';
}

/** True when `dir` holds no database yet (absent or empty), so the next open would create one. */
export async function needsPgliteInit(dir: string): Promise<boolean> {
  if (existsSync(`${dir}/PG_VERSION`)) return false;
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length > 0)
    throw new PgliteInitError(
      `${dir} holds files but no database (no PG_VERSION). otpbox will not write over them: ` +
        'move the folder away (or restore a backup of DATA_DIR) and start again.',
    );
  return true;
}

/**
 * Create the database of a fresh folder `dir` (see above); nothing to do when it exists. It is a copy
 * of the template made at build time when that template fits this build (pglite-template.ts), else
 * made by initdb. Rejects after `timeoutMs`, the worker terminated and its temporary folder removed.
 * `template`: the template folder to use (null: none); the installed one by default.
 */
export async function initPglite(
  dir: string,
  options: { timeoutMs: number; log?: Logger; template?: string | null },
): Promise<'created' | 'exists'> {
  if (!(await needsPgliteInit(dir))) return 'exists';
  const scratch = `${dir}.initialising`;
  await rm(scratch, { recursive: true, force: true }); // left by an interrupted first start
  const template = options.template === undefined ? defaultTemplateDir() : options.template;
  const unfit = template === null ? 'no database template given' : templateMismatch(template);
  try {
    if (template !== null && unfit === null) {
      options.log?.info({ dir, template }, 'creating the embedded database from the template made at install');
      await copyTemplate(template, scratch, options.timeoutMs, dir);
    } else {
      options.log?.info({ dir, reason: unfit }, 'creating the embedded database (first start: a few seconds)');
      await runInitdbWorker(scratch, options.timeoutMs, dir);
    }
    // PGlite copies initdb's files in with mode 0666; the data folder is the owner's only.
    await makeDataDirPrivate(scratch);
    await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(scratch, dir);
    return 'created';
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function tooSlow(dir: string, timeoutMs: number): PgliteInitError {
  return new PgliteInitError(
    `Creating the embedded database in ${dir} did not finish within ${timeoutMs} ms (DB_OPEN_TIMEOUT_MS). ` +
      'Nothing was kept; on a slow or busy machine, raise DB_OPEN_TIMEOUT_MS.',
  );
}

async function copyTemplate(template: string, scratch: string, timeoutMs: number, dir: string): Promise<void> {
  try {
    await copyPgliteTemplate(template, scratch, performance.now() + timeoutMs);
  } catch (error) {
    throw error instanceof TemplateCopyTimeout ? tooSlow(dir, timeoutMs) : error;
  }
}

async function runInitdbWorker(scratch: string, timeoutMs: number, dir: string): Promise<void> {
  const worker = new Worker(INITDB_SOURCE, {
    eval: true,
    workerData: { dir: scratch, pgliteUrl: import.meta.resolve('@electric-sql/pglite') },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(tooSlow(dir, timeoutMs)), timeoutMs);
      worker.once('message', (result: { ok: boolean; error?: string }) =>
        result.ok ? resolve() : reject(new PgliteInitError(`Creating the embedded database in ${dir} failed: ${result.error}`)),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new PgliteInitError(`Creating the embedded database in ${dir} stopped (exit ${code}).`)));
    });
  } finally {
    clearTimeout(timer);
    // Terminating interrupts even a synchronous initdb (V8 stops the running wasm code).
    await worker.terminate();
  }
}
