import { createHash } from 'node:crypto';
import { mkdir, open, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/**
 * One process owns a data folder at a time (PGlite would let two open it and corrupt it).
 *
 * On Linux the lock is an abstract Unix socket named after the folder's real path: binding it is
 * atomic, and the kernel frees it the instant its owner dies, so a crash never leaves a stale lock
 * and there is nothing to clean up or time out. Elsewhere a pid file is the (best-effort) fallback.
 * `otpbox.pid` is written on every platform so operators can see who owns the folder.
 */
export interface DataDirLock {
  readonly dataDir: string;
  release(): Promise<void>;
}

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number | undefined,
  ) {
    super(
      `Another otpbox process${ownerPid ? ` (pid ${ownerPid})` : ''} is already using the data folder ${dataDir}. ` +
        'Stop it first, or point DATA_DIR at another folder. Commands such as `otpbox migrate` talk to the running server by themselves.',
    );
  }
}

export const PID_FILE = 'otpbox.pid';

export async function acquireDataDirLock(dataDirInput: string): Promise<DataDirLock> {
  await mkdir(dataDirInput, { recursive: true, mode: 0o700 });
  const dataDir = await realpath(dataDirInput);
  const pidFile = path.join(dataDir, PID_FILE);
  const releaseOsLock = process.platform === 'linux' ? await abstractSocketLock(dataDir) : await pidFileLock(pidFile, dataDir);
  if (process.platform === 'linux') await writeFile(pidFile, `${process.pid}\n`, { mode: 0o600 });
  let released = false;
  return {
    dataDir,
    release: async () => {
      if (released) return;
      released = true;
      await rm(pidFile, { force: true });
      await releaseOsLock();
    },
  };
}

function abstractSocketName(dataDir: string): string {
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 40);
  return `\0otpbox-data-dir-${digest}`;
}

async function abstractSocketLock(dataDir: string): Promise<() => Promise<void>> {
  const name = abstractSocketName(dataDir);
  const server = net.createServer((socket) => {
    // Anyone on the host may connect to an abstract socket, so it tells nothing but the owner's pid.
    socket.end(`${JSON.stringify({ pid: process.pid })}\n`);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(name, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new DataDirBusyError(dataDir, await askOwnerPid(name));
    throw error;
  }
  server.unref();
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

async function askOwnerPid(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    let buffer = '';
    const socket = net.connect(name);
    const done = (pid: number | undefined) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(1000, () => done(undefined));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
    });
    socket.on('end', () => {
      try {
        const pid = (JSON.parse(buffer) as { pid?: unknown }).pid;
        done(typeof pid === 'number' ? pid : undefined);
      } catch {
        done(undefined);
      }
    });
    socket.on('error', () => done(undefined));
  });
}

/** Fallback for platforms without abstract sockets: an exclusive pid file, taken over when its owner is gone. */
async function pidFileLock(pidFile: string, dataDir: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(pidFile, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) throw new DataDirBusyError(dataDir, owner);
      await rm(pidFile, { force: true });
    }
  }
  throw new DataDirBusyError(dataDir, undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
