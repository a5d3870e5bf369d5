import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseEntry } from '../bin/entry.js';
import { tempDir } from './support/spawn.ts';

let root: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  root = await tempDir();
  await mkdir(path.join(root.path, 'src/db'), { recursive: true });
  await writeFile(path.join(root.path, 'src/bin.ts'), '');
  await writeFile(path.join(root.path, 'src/db/client.ts'), '');
  await setMtime('src/bin.ts', 1_000);
  await setMtime('src/db/client.ts', 1_000);
});
afterEach(() => root.remove());

const setMtime = (file: string, seconds: number) => utimes(path.join(root.path, file), seconds, seconds);

async function build(builtAtSeconds: number) {
  await mkdir(path.join(root.path, 'dist'), { recursive: true });
  await writeFile(path.join(root.path, 'dist/otpbox.mjs'), '');
  await writeFile(path.join(root.path, 'dist/build-info.json'), JSON.stringify({ builtAt: builtAtSeconds * 1000 }));
}

describe('which code the otpbox command runs', () => {
  it('runs dist/ when it was built after every source file changed', async () => {
    await build(2_000);
    expect(chooseEntry(root.path, {})).toEqual({ kind: 'dist' });
  });

  it('runs the sources, saying why, when nothing is built or the build is incomplete', async () => {
    expect(chooseEntry(root.path, {})).toEqual({ kind: 'sources', reason: 'dist/ is not built' });
    await mkdir(path.join(root.path, 'dist'), { recursive: true });
    await writeFile(path.join(root.path, 'dist/otpbox.mjs'), ''); // compiled, but the build never finished
    expect(chooseEntry(root.path, {})).toEqual({ kind: 'sources', reason: 'dist/ is not built' });
  });

  it('runs the sources, naming the file, when a source changed after the build', async () => {
    await build(2_000);
    await setMtime('src/db/client.ts', 3_000);
    expect(chooseEntry(root.path, {})).toEqual({ kind: 'sources', reason: 'src/db/client.ts changed after the last build' });
  });

  it('keeps running dist/ when only tests changed (they are not compiled)', async () => {
    await build(2_000);
    await mkdir(path.join(root.path, 'src/db/__tests__'));
    await writeFile(path.join(root.path, 'src/db/__tests__/client.test.ts'), '');
    await writeFile(path.join(root.path, 'src/db/other.test.ts'), '');
    await setMtime('src/db/__tests__/client.test.ts', 3_000);
    await setMtime('src/db/other.test.ts', 3_000);
    expect(chooseEntry(root.path, {})).toEqual({ kind: 'dist' });
  });

  it('runs the sources without a word when OTPBOX_SOURCES=1 (the tests), and dist/ when there are no sources', async () => {
    await build(2_000);
    expect(chooseEntry(root.path, { OTPBOX_SOURCES: '1' })).toEqual({ kind: 'sources' });
    const installed = await tempDir();
    try {
      expect(chooseEntry(installed.path, {})).toEqual({ kind: 'dist' });
    } finally {
      await installed.remove();
    }
  });
});
