import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToOthers } from '../../../test/support/file-modes.ts';
import { tempDir } from '../../../test/support/spawn.ts';
import { initPglite, PgliteInitError } from '../pglite-init.ts';

let root: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(() => root?.remove());

// `template: null`: these are about initdb, the way without a template (pglite-template.test.ts has the other).
describe('creating the embedded database of a fresh folder', { timeout: 120_000 }, () => {
  it('happens apart, then moves into place whole and owner-only (an interrupted attempt is started again)', async () => {
    const dir = path.join(root.path, 'fresh', 'pglite');
    await mkdir(`${dir}.initialising`, { recursive: true }); // what a killed first start leaves
    await writeFile(`${dir}.initialising/PG_VERSION`, '17\n');
    await mkdir(dir); // the empty folder older versions left behind

    expect(await initPglite(dir, { timeoutMs: 110_000, template: null })).toBe('created');
    expect((await readFile(path.join(dir, 'PG_VERSION'), 'utf8')).trim()).toMatch(/^\d+$/);
    expect(existsSync(`${dir}.initialising`)).toBe(false);
    expect(await openToOthers(dir)).toEqual([]);
    expect(await initPglite(dir, { timeoutMs: 110_000, template: null })).toBe('exists');
  });

  it('gives up after its timeout, keeping nothing', async () => {
    const dir = path.join(root.path, 'slow', 'pglite');
    await mkdir(path.dirname(dir), { recursive: true });
    const failure = await initPglite(dir, { timeoutMs: 1, template: null }).catch((error) => error);
    expect(failure).toBeInstanceOf(PgliteInitError);
    expect(failure.message).toContain(`Creating the embedded database in ${dir} did not finish within 1 ms (DB_OPEN_TIMEOUT_MS).`);
    expect(await readdir(path.dirname(dir))).toEqual([]);
  });

  it('never writes over a folder that holds files but no database', async () => {
    const dir = path.join(root.path, 'foreign', 'pglite');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    await expect(initPglite(dir, { timeoutMs: 110_000, template: null })).rejects.toThrow(/holds files but no database/);
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });
});
