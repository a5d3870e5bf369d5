import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every entry under `dir` whose mode lets group or others in. */
export async function openToOthers(dir: string): Promise<string[]> {
  const open: string[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    if (((await stat(path.join(dir, name))).mode & 0o077) !== 0) open.push(name);
  }
  return open;
}
