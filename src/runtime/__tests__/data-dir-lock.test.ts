import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../../test/support/spawn.ts';
import { acquireDataDirLock, DataDirBusyError, PID_FILE } from '../data-dir-lock.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir?.remove());

describe('data folder lock', () => {
  it('gives the folder to one owner at a time and names the owner to the next', async () => {
    const folder = path.join(dir.path, 'one');
    const lock = await acquireDataDirLock(folder);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await readFile(path.join(folder, PID_FILE), 'utf8')).trim()).toBe(String(process.pid));
    const second = await acquireDataDirLock(folder).catch((error) => error);
    expect(second).toBeInstanceOf(DataDirBusyError);
    expect(second.ownerPid).toBe(process.pid);
    expect(second.message).toContain(`pid ${process.pid}`);
    await lock.release();
    const again = await acquireDataDirLock(folder);
    await again.release();
  });

  it('treats two spellings of one folder as the same folder', async () => {
    const folder = path.join(dir.path, 'two');
    const lock = await acquireDataDirLock(folder);
    try {
      await expect(acquireDataDirLock(`${folder}/../two/.`)).rejects.toBeInstanceOf(DataDirBusyError);
    } finally {
      await lock.release();
    }
  });

  it('is free the instant its owner is killed (no stale lock after kill -9)', async () => {
    const folder = path.join(dir.path, 'three');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const { acquireDataDirLock } = await import(${JSON.stringify(path.join(ROOT, 'src/runtime/data-dir-lock.ts'))});
         await acquireDataDirLock(${JSON.stringify(folder)}); console.log('locked'); setInterval(() => {}, 1000);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk) => String(chunk).includes('locked') && resolve()));
    const busy = await acquireDataDirLock(folder).catch((error) => error);
    expect(busy).toBeInstanceOf(DataDirBusyError);
    expect(busy.ownerPid).toBe(child.pid);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    // Taken at the first try: the lock never waits, so a stale one would have thrown DataDirBusyError.
    const lock = await acquireDataDirLock(folder);
    await lock.release();
  });
});
