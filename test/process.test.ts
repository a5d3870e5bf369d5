import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, readdir, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { inArray, like } from 'drizzle-orm';
import { generateSync } from 'otplib';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openPglite, openPostgres } from '../src/db/client.ts';
import { MIGRATION_LOCK_KEY } from '../src/db/migrate.ts';
import { accounts, instanceSettings, jobRuns } from '../src/db/schema/index.ts';
import { acquireDataDirLock } from '../src/runtime/data-dir-lock.ts';
import { createEmptyPostgresDatabase, onPostgres } from './support/database.ts';
import { freePort, ROOT, runCli, type SpawnedServer, spawnServer, tempDir, waitUntilReady } from './support/spawn.ts';

/** A first start creates the database: seconds of CPU, many more on a machine busy with other tests. */
const FIRST_START_MS = 90_000;
const running: SpawnedServer[] = [];
const folders: { remove(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.kill('SIGKILL');
    await server.exited;
  }
});
afterAll(async () => {
  for (const folder of folders) await folder.remove();
});

async function dataDir() {
  const dir = await tempDir();
  folders.push(dir);
  return dir.path;
}

/** The distinct modes of the folders and of the files (sockets included) under `dir`, itself included. */
async function modesInside(dir: string): Promise<{ directories: string[]; files: string[] }> {
  const directories = new Set<string>();
  const files = new Set<string>();
  const mode = (value: number) => `0${(value & 0o7777).toString(8)}`;
  directories.add(mode((await stat(dir)).mode));
  for (const name of await readdir(dir, { recursive: true })) {
    const stats = await lstat(path.join(dir, name)).catch(() => undefined); // removed while we looked
    if (stats) (stats.isDirectory() ? directories : files).add(mode(stats.mode));
  }
  return { directories: [...directories].sort(), files: [...files].sort() };
}

async function start(env: Record<string, string | undefined>) {
  const server = spawnServer({ PORT: String(await freePort()), ...env });
  running.push(server);
  return server;
}

/** Open the stopped server's folder directly and read what it committed. */
async function withStoppedFolder<T>(dir: string, fn: (db: Awaited<ReturnType<typeof openPglite>>) => Promise<T>): Promise<T> {
  const lock = await acquireDataDirLock(dir);
  const database = await openPglite({ ownership: lock, timeoutMs: 30_000 });
  try {
    return await fn(database);
  } finally {
    await database.close();
    await lock.release();
  }
}

describe.skipIf(onPostgres())('otpbox process on the embedded database', { timeout: 120_000 }, () => {
  it('starts on a fresh folder, keeps its secrets private, and stops cleanly on SIGTERM', async () => {
    const dir = path.join(await dataDir(), 'data'); // created by otpbox
    const server = await start({ DATA_DIR: dir });
    await waitUntilReady(server, FIRST_START_MS);
    const ready = await (await fetch(`${server.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', engine: 'pglite' });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'otpbox.sock'))).mode & 0o777).toBe(0o600);
    expect(await modesInside(dir)).toEqual({ directories: ['0700'], files: ['0600'] });

    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('shutdown complete');
    expect((await readdir(dir)).sort()).toEqual(['pglite', 'secret.key']);
    expect(await modesInside(dir)).toEqual({ directories: ['0700'], files: ['0600'] });
    expect(server.output()).not.toMatch(/[0-9a-f]{64}/); // the generated key is never logged
    expect(server.output()).not.toContain('open to other users');
    // No SMTP_URL: said once, at start, with the way out.
    expect(server.output().match(/SMTP_URL is not set: account e-mail .* Set SMTP_URL=smtp:/g)).toHaveLength(1);
  });

  it('makes a data folder that others can read private, saying what was open and how', async () => {
    const dir = await dataDir();
    await chmod(dir, 0o755);
    await writeFile(path.join(dir, 'secret.key'), `${'5'.repeat(64)}\n`);
    await chmod(path.join(dir, 'secret.key'), 0o644);
    const server = await start({ DATA_DIR: dir });
    await waitUntilReady(server, FIRST_START_MS);
    expect(server.output()).toContain(
      `DATA_DIR ${dir} held entries open to other users; made private (owner only): the folder itself (was 0755), secret.key (was 0644)`,
    );
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect(await modesInside(dir)).toEqual({ directories: ['0700'], files: ['0600'] });
  });

  it('refuses a second process on the same folder at once, with a clear message, and leaves the first intact', async () => {
    const dir = await dataDir();
    const first = await start({ DATA_DIR: dir });
    await waitUntilReady(first, FIRST_START_MS);
    const second = await start({ DATA_DIR: dir });
    const code = await second.exited;
    expect(code).toBe(69);
    expect(second.output()).toMatch(/Another otpbox process \(pid \d+\) is already using the data folder/);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  });

  it('runs CLI commands through the running server, and directly when none runs', async () => {
    const dir = await dataDir();
    // A fresh folder is a copy of the template made at build time, migrations applied (ADR 21).
    const fresh = await runCli(['migrate'], { DATA_DIR: dir });
    expect(fresh).toMatchObject({ code: 0, stdout: 'Database schema is up to date (pglite).\n' });

    const server = await start({ DATA_DIR: dir });
    await waitUntilReady(server);
    const relayed = await runCli(['migrate'], { DATA_DIR: dir });
    expect(relayed).toEqual({ code: 0, stdout: 'Database schema is up to date (pglite).\n', stderr: '' });
    const bad = await runCli(['migrate', '--force'], { DATA_DIR: dir });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/Unknown option '--force'/);
  });

  it('comes back after kill -9 mid-write with every committed row', async () => {
    const dir = await dataDir();
    const writer = spawn(process.execPath, ['--import', 'tsx', 'test/support/crash-writer.ts', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: string[] = [];
    let buffer = '';
    await new Promise<void>((resolve) => {
      writer.stdout.on('data', (chunk) => {
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        acknowledged.push(...lines);
        if (acknowledged.length >= 300) resolve();
      });
    });
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.on('exit', resolve));
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);

    const server = await start({ DATA_DIR: dir });
    await waitUntilReady(server, 15_000);
    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const found = await withStoppedFolder(dir, (database) =>
      database.db.select({ key: instanceSettings.key }).from(instanceSettings).where(inArray(instanceSettings.key, acknowledged)),
    );
    expect(found.length).toBe(acknowledged.length);
  });

  it('comes back after kill -9 of the server itself, keeping what it wrote', async () => {
    const dir = await dataDir();
    const server = await start({ DATA_DIR: dir });
    await waitUntilReady(server, FIRST_START_MS);
    // Wait until the scheduler has recorded its first run.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server.kill('SIGKILL');
    await server.exited;
    expect(existsSync(path.join(dir, 'otpbox.sock'))).toBe(true); // left behind by the crash

    const restarted = await start({ DATA_DIR: dir });
    await waitUntilReady(restarted, 15_000);
    const relayed = await runCli(['migrate'], { DATA_DIR: dir });
    expect(relayed.code).toBe(0);
    restarted.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
    const runs = await withStoppedFolder(dir, (database) => database.db.select().from(jobRuns).where(like(jobRuns.job, 'job-runs-%')));
    expect(runs.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps every acknowledged sign-up when killed with -9 in the middle of a burst of them', async () => {
    const dir = await dataDir();
    const env = { DATA_DIR: dir, TRUST_PROXY: 'true', LOG_LEVEL: 'warn' };
    const server = await start(env);
    await waitUntilReady(server, FIRST_START_MS);
    const policy = ((await (await fetch(`${server.url}/api/v1/privacy/policy`)).json()) as { version: string }).version;
    const acknowledged: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const response = await fetch(`${server.url}/api/v1/auth/device`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.${w}.${i % 250}` },
            body: JSON.stringify({
              deviceId: randomUUID(),
              deviceSecret: randomBytes(32).toString('hex'),
              platform: 'android',
              osVersion: '15',
              model: 'Pixel',
              appVersion: '1.0.0',
              ageConfirmed: true,
              policyVersion: policy,
            }),
          });
          if (response.status === 201) acknowledged.push(((await response.json()) as { accountId: string }).accountId);
        } catch {
          return; // the server died
        }
      }
    };
    const workers = Promise.all([0, 1, 2, 3].map(worker));
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 20));
    server.kill('SIGKILL');
    await server.exited;
    stop = true;
    await workers;

    const restarted = await start(env);
    await waitUntilReady(restarted, 15_000);
    restarted.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
    const found = await withStoppedFolder(dir, (database) =>
      database.db.select({ id: accounts.id }).from(accounts).where(inArray(accounts.id, acknowledged)),
    );
    expect(found.length).toBe(acknowledged.length);
  });

  it('finishes a request in flight before exiting on SIGTERM, and stops accepting new ones', async () => {
    const dir = await dataDir();
    const server = await start({ DATA_DIR: dir, SHUTDOWN_TIMEOUT_MS: '10000' });
    await waitUntilReady(server, FIRST_START_MS);
    const port = Number(new URL(server.url).port);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk;
    });
    const body = JSON.stringify({ hello: 'world' });
    socket.write(`POST /slow-upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 200));

    server.kill('SIGTERM');
    // A new connection each time (fetch would reuse a kept-alive one).
    const connecting = () =>
      new Promise<string>((resolve) => {
        const probe = net.connect(port, '127.0.0.1');
        probe.once('connect', () => {
          probe.destroy();
          resolve('accepted');
        });
        probe.once('error', () => resolve('refused'));
      });
    await expect.poll(connecting, { timeout: 10_000 }).toBe('refused'); // no new connections
    expect(server.child.exitCode).toBeNull(); // still serving the open request

    socket.end(body.slice(5));
    expect(await server.exited).toBe(0);
    expect(response).toMatch(/^HTTP\/1\.1 404/);
    expect(response).toContain('"code":"NOT_FOUND"');
  });

  it('exits with a clear message on a bad configuration, naming the variable', async () => {
    const result = await runCli(['start'], { PORT: 'http', SANDBOX: 'sometimes' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('PORT: expected a whole number');
    expect(result.stderr).toContain('SANDBOX: expected one of: auto, on, off');
  });

  it('says what to do, without a stack trace, when the secret key file is too short (78) or the port is taken (69)', async () => {
    const shortKey = await dataDir();
    await writeFile(path.join(shortKey, 'secret.key'), 'short\n', { mode: 0o600 });
    const short = await runCli(['start'], { DATA_DIR: shortKey, PORT: String(await freePort()) });
    expect(short.code).toBe(78);
    expect(short.stderr).toContain('holds fewer than 32 characters; delete it to generate a new key, or set SECRET_KEY');
    expect(short.stderr).not.toMatch(/\n\s+at /);

    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const busy = await runCli(['start'], { DATA_DIR: await dataDir(), PORT: String(port), HOST: '127.0.0.1' });
      expect(busy.code).toBe(69);
      expect(busy.stderr).toContain(`otpbox cannot listen on 127.0.0.1:${port}: another program already listens there`);
      expect(busy.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe.skipIf(!onPostgres())('otpbox process on PostgreSQL', { timeout: 120_000 }, () => {
  it('serves the same service, with several instances migrating one empty database together', async () => {
    const database = await createEmptyPostgresDatabase();
    try {
      const dirs = await Promise.all([dataDir(), dataDir(), dataDir()]);
      const secret = 'a-shared-secret-key-of-at-least-32-characters';
      const servers = await Promise.all(dirs.map((dir) => start({ DATA_DIR: dir, DATABASE_URL: database.url, SECRET_KEY: secret })));
      await Promise.all(servers.map((server) => waitUntilReady(server)));
      for (const server of servers) {
        expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ engine: 'postgres' });
      }
      const cli = await runCli(['migrate'], { DATA_DIR: dirs[0], DATABASE_URL: database.url, SECRET_KEY: secret });
      expect(cli).toEqual({ code: 0, stdout: 'Database schema is up to date (postgres).\n', stderr: '' });

      // An instance that generated its own key would corrupt keyed data: it must refuse to start.
      const stranger = await start({ DATA_DIR: await dataDir(), DATABASE_URL: database.url });
      expect(await stranger.exited).toBe(78); // a configuration to fix: exit status 78, as a bad variable
      expect(stranger.output()).toContain('SECRET_KEY differs from the key this database was first started with');

      for (const server of servers) server.kill('SIGTERM');
      expect(await Promise.all(servers.map((server) => server.exited))).toEqual([0, 0, 0]);
      const check = await openPostgres({ url: database.url, poolMax: 1, timeoutMs: 5000 });
      try {
        expect((await check.db.select().from(jobRuns)).length).toBeGreaterThanOrEqual(1);
      } finally {
        await check.close();
      }
    } finally {
      for (const server of running) server.kill('SIGKILL');
      await Promise.all(running.map((server) => server.exited));
      await database.drop();
    }
  });

  it('gives up a start that cannot finish a step, naming the step (a migration lock nobody releases)', async () => {
    const database = await createEmptyPostgresDatabase();
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      // Another instance stuck in its migrations: it holds the lock every starting instance waits for.
      await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
      const server = await start({
        DATA_DIR: await dataDir(),
        DATABASE_URL: database.url,
        SECRET_KEY: 'a-shared-secret-key-of-at-least-32-characters',
        DB_OPEN_TIMEOUT_MS: '2000',
      });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('otpbox did not start: the step "migrate" did not finish within 2000 ms (DB_OPEN_TIMEOUT_MS).');
      expect(server.output()).toMatch(/"step":"migrate","msg":"start-up: migrate"/); // the last step begun, in the log
    } finally {
      await holder.end();
      await database.drop();
    }
  });

  it('says clearly when PostgreSQL cannot be reached', async () => {
    const result = await runCli(['migrate'], {
      DATA_DIR: await dataDir(),
      DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:1/none',
      DB_OPEN_TIMEOUT_MS: '2000',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot reach PostgreSQL at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
  });
});

describe.skipIf(onPostgres())('otpbox admin commands', { timeout: 180_000 }, () => {
  it('create a staff admin from OTPBOX_PASSWORD or standard input, while the server runs and when it does not', async () => {
    const dir = await dataDir();
    const direct = await runCli(['admin', 'create', '--email', 'Boss@Example.com'], {
      DATA_DIR: dir,
      OTPBOX_PASSWORD: 'a long admin passphrase 1',
    });
    expect(direct).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created admin boss@example\.com \(acc_/) });

    const server = await start({ DATA_DIR: dir });
    await waitUntilReady(server);
    const piped = await runCli(
      ['admin', 'create', '--email', 'helper@example.com', '--role', 'support'],
      { DATA_DIR: dir },
      'support passphrase long 2\n',
    );
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/Created support helper@example\.com/);
    const link = /(http\S+\/admin\/enrol#token=(otp_enr_[\w-]{43}))\n/.exec(piped.stdout);
    expect(link, piped.stdout).not.toBeNull();

    // Staff sign in with a second factor only: refused until the enrolment link is used (ADR 31).
    const signIn = () =>
      fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'helper@example.com', password: 'support passphrase long 2' }),
      });
    const early = await signIn();
    expect(early.status).toBe(403);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('TWO_FACTOR_REQUIRED');
    const post = (url: string, body: unknown) =>
      fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const token = link?.[2] ?? '';
    const { secret } = (await (await post('/api/v1/auth/enrol', { token })).json()) as { secret: string };
    const confirmed = await post('/api/v1/auth/enrol/confirm', { token, code: generateSync({ secret }) });
    expect(((await confirmed.json()) as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);
    const login = await signIn();
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ secondFactor: 'totp' });

    const duplicate = await runCli(['admin', 'create', '--email', 'boss@example.com'], {
      DATA_DIR: dir,
      OTPBOX_PASSWORD: 'a long admin passphrase 1',
    });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already has an account/);
    const weak = await runCli(['admin', 'create', '--email', 'weak@example.com'], { DATA_DIR: dir, OTPBOX_PASSWORD: 'password' });
    expect(weak).toMatchObject({ code: 1, stderr: expect.stringMatching(/WEAK_PASSWORD/) });
    const none = await runCli(['admin', 'create', '--email', 'nopw@example.com'], { DATA_DIR: dir }, '');
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/No password/);

    const role = await runCli(['admin', 'role', '--email', 'helper@example.com', '--role', 'admin'], { DATA_DIR: dir });
    expect(role).toMatchObject({ code: 0, stdout: 'helper@example.com: support → admin; its sessions were ended.\n' });
    const suspended = await runCli(['admin', 'suspend', '--email', 'helper@example.com', '--reason', 'left the company'], {
      DATA_DIR: dir,
    });
    expect(suspended.code).toBe(0);
    const refused = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'helper@example.com', password: 'support passphrase long 2' }),
    });
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('ACCOUNT_SUSPENDED');
    expect((await runCli(['admin', 'unsuspend', '--email', 'helper@example.com'], { DATA_DIR: dir })).code).toBe(0);
    const unknown = await runCli(['admin', 'suspend', '--email', 'nobody@example.com', '--reason', 'x'], { DATA_DIR: dir });
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringMatching(/No account has the e-mail address nobody@example.com/) });
    const missing = await runCli(['admin', 'role', '--email', 'helper@example.com'], { DATA_DIR: dir });
    expect(missing).toMatchObject({ code: 64, stderr: expect.stringMatching(/--role is required/) });

    // Credits, through the running server, and the ledger check.
    const granted = await runCli(['credits', 'grant', '--email', 'Helper@example.com', '--amount', '250', '--reason', 'sandbox credits'], {
      DATA_DIR: dir,
    });
    expect(granted).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Granted 250 credits to helper@example\.com \(txn_\w+\)\. Available now: 250, held: 0\.\n$/),
    });
    for (const [amount, why] of [
      ['0', /positive whole number/],
      ['-5', /ambiguous|positive whole number/],
      ['12.5', /positive whole number/],
      ['ten', /positive whole number/],
    ] as const) {
      const refused = await runCli(['credits', 'grant', '--email', 'helper@example.com', '--amount', amount, '--reason', 'x'], {
        DATA_DIR: dir,
      });
      expect(refused.code, amount).toBe(64);
      expect(refused.stderr, amount).toMatch(why);
    }
    const noReason = await runCli(['credits', 'grant', '--email', 'helper@example.com', '--amount', '5'], { DATA_DIR: dir });
    expect(noReason).toMatchObject({ code: 64, stderr: expect.stringMatching(/--reason is required/) });
    const nobody = await runCli(['credits', 'grant', '--email', 'nobody@example.com', '--amount', '5', '--reason', 'x'], { DATA_DIR: dir });
    expect(nobody).toMatchObject({ code: 1, stderr: expect.stringMatching(/No account has the e-mail address nobody@example\.com/) });
    const verify = await runCli(['ledger', 'verify'], { DATA_DIR: dir });
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringMatching(/1 customer holds 250 credits[\s\S]*All invariants hold/) });
  });
});
