import { chmod, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/spawn.ts';
import { DataDirPermissionError, loosenedWarning, makeDataDirPrivate } from '../private-data-dir.ts';

let root: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(() => root?.remove());

const modeOf = async (file: string) => (await stat(file)).mode & 0o7777;

describe('a private data folder', () => {
  it('is created owner-only', async () => {
    const dir = path.join(root.path, 'fresh', 'data');
    expect(await makeDataDirPrivate(dir)).toEqual([]);
    expect(await modeOf(dir)).toBe(0o700);
  });

  it('is tightened, folder and everything inside, and says what was open and how', async () => {
    const dir = path.join(root.path, 'loose');
    await mkdir(path.join(dir, 'pglite', 'base'), { recursive: true });
    await writeFile(path.join(dir, 'secret.key'), 'k'.repeat(64));
    await writeFile(path.join(dir, 'pglite', 'base', 'table'), 'rows');
    await chmod(dir, 0o755);
    await chmod(path.join(dir, 'pglite'), 0o2775);
    await chmod(path.join(dir, 'pglite', 'base'), 0o700);
    await chmod(path.join(dir, 'secret.key'), 0o644);
    await chmod(path.join(dir, 'pglite', 'base', 'table'), 0o666);

    const loosened = await makeDataDirPrivate(dir);
    expect(loosened).toEqual([
      { path: '.', mode: '0755' },
      { path: 'pglite', mode: '02775' },
      { path: 'pglite/base/table', mode: '0666' },
      { path: 'secret.key', mode: '0644' },
    ]);
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(path.join(dir, 'pglite'))).toBe(0o700);
    expect(await modeOf(path.join(dir, 'pglite', 'base', 'table'))).toBe(0o600);
    expect(await modeOf(path.join(dir, 'secret.key'))).toBe(0o600);
    expect(loosenedWarning(dir, loosened)).toBe(
      `DATA_DIR ${dir} held entries open to other users; made private (owner only): the folder itself (was 0755), pglite (was 02775), pglite/base/table (was 0666) and 1 more`,
    );
    expect(await makeDataDirPrivate(dir)).toEqual([]); // nothing left to say on the next start
  });

  it('says when the open entries were out of reach behind a private folder', async () => {
    const dir = path.join(root.path, 'inside');
    await mkdir(dir, { mode: 0o700 });
    await writeFile(path.join(dir, 'secret.key'), 'k'.repeat(64), { mode: 0o644 });
    await chmod(path.join(dir, 'secret.key'), 0o644);
    const loosened = await makeDataDirPrivate(dir);
    expect(loosenedWarning(dir, loosened)).toBe(
      `DATA_DIR ${dir} held entries open to other users (the folder itself was private, so they were out of reach); made private (owner only): secret.key (was 0644)`,
    );
  });

  it('never follows a symbolic link out of the folder', async () => {
    const outside = path.join(root.path, 'outside.txt');
    await writeFile(outside, 'not ours');
    await chmod(outside, 0o644);
    const dir = path.join(root.path, 'linked');
    await mkdir(dir, { mode: 0o700 });
    await symlink(outside, path.join(dir, 'link'));
    expect(await makeDataDirPrivate(dir)).toEqual([]);
    expect(await modeOf(outside)).toBe(0o644);
  });

  it('refuses a shared folder such as /tmp instead of locking everyone else out of it', async () => {
    const shared = path.join(root.path, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await expect(makeDataDirPrivate(shared)).rejects.toThrow(DataDirPermissionError);
    expect(await modeOf(shared)).toBe(0o1777);
  });
});
