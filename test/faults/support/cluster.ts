import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../support/spawn.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own, in a temporary folder on a free port: the fault suite stops
 * and restarts it, which it must never do to the machine's shared cluster (other suites use that one).
 * `pg_ctl stop`/`start` on it is what `pg_ctlcluster <version> <name> restart` does to a packaged
 * cluster; the server binaries are the ones the distribution installed.
 */
export interface PrivateCluster {
  /** The server's URL (database `postgres`). */
  readonly url: string;
  readonly port: number;
  /** A URL for another database of this cluster. */
  urlOf(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`: sessions are terminated, the port closes. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl restart -m fast`. */
  restart(): Promise<void>;
  /** Stop the server (immediately) and delete its folders; safe to call twice and after a failure. */
  destroy(): Promise<void>;
}

/** The newest PostgreSQL server installed (`/usr/lib/postgresql/<version>/bin`), or undefined. */
export function serverBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(path.join(root, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user. */
const asRoot = process.getuid?.() === 0;

async function tool(bin: string, name: string, args: string[]): Promise<string> {
  const command = path.join(bin, name);
  const { stdout } = asRoot
    ? await run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 })
    : await run(command, args, { timeout: 60_000 });
  return stdout;
}

export async function startPrivateCluster(log: (line: string) => void = () => {}): Promise<PrivateCluster> {
  const bin = serverBinaries();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const root = await mkdtemp(path.join(os.tmpdir(), 'otpbox-cluster-'));
  const dataDir = path.join(root, 'data');
  const socketDir = root;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(root, Number(stdout.trim()), Number(group.trim()));
  }
  await chmod(root, 0o700);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  let destroyed = false;
  const pgCtl = (...args: string[]) => tool(bin, 'pg_ctl', ['-D', dataDir, '-s', ...args]);

  const cluster: PrivateCluster = {
    url,
    port,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      return cluster.urlOf(name);
    },
    async stop() {
      await pgCtl('stop', '-m', 'fast', '-w');
      log(`postgres on port ${port} stopped`);
    },
    async start() {
      await pgCtl('start', '-w', '-l', path.join(root, 'server.log'), '-o', options);
      log(`postgres on port ${port} started`);
    },
    async restart() {
      await pgCtl('restart', '-m', 'fast', '-w', '-l', path.join(root, 'server.log'), '-o', options);
      log(`postgres on port ${port} restarted`);
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await pgCtl('stop', '-m', 'immediate', '-w').catch(() => {});
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    await tool(bin, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
