import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * The data folder holds the database, `secret.key` and the admin socket: nobody but its owner may
 * read or write any of it. Files otpbox creates get no access for group and others (the process runs
 * with this umask); a folder that others can already open is tightened, with a warning (ADR 16).
 */
export const PRIVATE_UMASK = 0o077;

/** Group and other permission bits, plus setuid, setgid and sticky: none belong in the data folder. */
const NOT_PRIVATE = 0o7077;

export interface LoosenedEntry {
  /** Relative to the data folder; `.` is the folder itself. */
  path: string;
  /** The mode it had, as `0755`. */
  mode: string;
}

export class DataDirPermissionError extends Error {
  override name = 'DataDirPermissionError';
}

/**
 * Create the data folder (0700) or make an existing one private: the folder and everything inside
 * it, symbolic links left alone (never followed). Returns what was open to others, with its old mode,
 * for the caller's warning; empty when the folder already was private.
 *
 * The walk is synchronous: it runs at start-up (twice with PGlite: before and after the database
 * opens), when nothing else waits on the event loop, and a database folder holds a thousand or more
 * files. One lstat after another takes 6–11 ms there; a promise and a thread-pool round trip for
 * each took 15–46 ms (`npm run bench startup`).
 */
export async function makeDataDirPrivate(dataDir: string): Promise<LoosenedEntry[]> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const stats = lstatSync(dataDir);
  // A shared folder such as /tmp: tightening it would lock every other user out of it.
  if (stats.mode & 0o1000)
    throw new DataDirPermissionError(
      `DATA_DIR ${dataDir} is a shared folder (sticky bit, like /tmp). Point DATA_DIR at a folder of its own, such as ${path.join(dataDir, 'otpbox')}.`,
    );
  const loosened: LoosenedEntry[] = [];
  tighten(dataDir, '.', stats.mode, loosened);
  // Reported by name, whatever order the folders listed their entries in.
  return loosened.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function tighten(absolute: string, relative: string, mode: number, loosened: LoosenedEntry[]): void {
  if (mode & NOT_PRIVATE) {
    try {
      chmodSync(absolute, mode & 0o700);
    } catch (error) {
      if (isGone(error)) return;
      throw new DataDirPermissionError(
        `${absolute} is open to other users (mode ${formatMode(mode)}) and otpbox cannot make it private: ${(error as Error).message}. ` +
          `As its owner, run: chmod -R go-rwx ${JSON.stringify(absolute)}`,
      );
    }
    loosened.push({ path: relative, mode: formatMode(mode) });
  }
  if ((mode & 0o170000) !== 0o040000) return; // not a directory
  for (const name of orNothingIfGone(() => readdirSync(absolute), [])) {
    const child = path.join(absolute, name);
    const stats = orNothingIfGone(() => lstatSync(child), undefined);
    if (!stats || stats.isSymbolicLink()) continue;
    tighten(child, relative === '.' ? name : path.join(relative, name), stats.mode, loosened);
  }
}

function orNothingIfGone<T, D>(read: () => T, nothing: D): T | D {
  try {
    return read();
  } catch (error) {
    if (isGone(error)) return nothing;
    throw error;
  }
}

/** Removed while we walked (the database deletes files as it runs): nothing left to protect. */
function isGone(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export function formatMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/**
 * The warning, as ssh words its own about keys: what was open, with the mode it had. The first few
 * entries by name (a data folder of an older otpbox holds a thousand database files open to others).
 */
export function loosenedWarning(dataDir: string, loosened: LoosenedEntry[]): string {
  const named = loosened.slice(0, 3).map((entry) => `${entry.path === '.' ? 'the folder itself' : entry.path} (was ${entry.mode})`);
  const more = loosened.length > named.length ? ` and ${loosened.length - named.length} more` : '';
  const reach = loosened[0]?.path === '.' ? '' : ' (the folder itself was private, so they were out of reach)';
  return `DATA_DIR ${dataDir} held entries open to other users${reach}; made private (owner only): ${named.join(', ')}${more}`;
}
