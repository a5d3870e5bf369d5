import { spawn } from 'node:child_process';
import { inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, openPglite, openPostgres } from '../src/db/client.ts';
import { ledgerTransfers } from '../src/db/schema/index.ts';
import { acquireDataDirLock } from '../src/runtime/data-dir-lock.ts';
import { createEmptyPostgresDatabase, onPostgres } from './support/database.ts';
import { ROOT, runCli, tempDir } from './support/spawn.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** Run the writer until `count` operations are acknowledged, then kill it with -9 mid-flight. */
async function crashWriter(target: string, count: number): Promise<string[]> {
  const writer = spawn(process.execPath, ['--import', 'tsx', 'test/support/ledger-crash-writer.ts', target], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acknowledged: string[] = [];
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    writer.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    writer.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) acknowledged.push(line.split(' ')[1] ?? '');
      if (acknowledged.length >= count) resolve();
    });
  });
  writer.removeAllListeners('exit');
  writer.kill('SIGKILL');
  await new Promise((resolve) => writer.on('exit', resolve));
  return acknowledged;
}

async function expectAllPresent(database: Database, ids: string[]) {
  const found = await database.db.select({ id: ledgerTransfers.id }).from(ledgerTransfers).where(inArray(ledgerTransfers.id, ids));
  expect(found.length).toBe(new Set(ids).size);
}

describe('ledger crash safety', { timeout: 120_000 }, () => {
  it.skipIf(onPostgres())(
    'after kill -9 mid-flight on the embedded database, verify passes and every acknowledged transfer is there',
    async () => {
      const dir = await tempDir();
      cleanups.push(dir.remove);
      const acknowledged = await crashWriter(dir.path, 400);
      const verify = await runCli(['ledger', 'verify'], { DATA_DIR: dir.path });
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/All invariants hold/);
      const lock = await acquireDataDirLock(dir.path);
      const database = await openPglite({ ownership: lock, timeoutMs: 30_000 });
      try {
        await expectAllPresent(database, acknowledged);
      } finally {
        await database.close();
        await lock.release();
      }
    },
  );

  it.skipIf(!onPostgres())('after kill -9 mid-flight on PostgreSQL, verify passes and every acknowledged transfer is there', async () => {
    const empty = await createEmptyPostgresDatabase();
    cleanups.push(empty.drop);
    const acknowledged = await crashWriter(empty.url, 600);
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const verify = await runCli(['ledger', 'verify'], { DATA_DIR: dir.path, DATABASE_URL: empty.url, SECRET_KEY: 'w'.repeat(40) });
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    const database = await openPostgres({ url: empty.url, poolMax: 2, timeoutMs: 5000 });
    try {
      await expectAllPresent(database, acknowledged);
    } finally {
      await database.close();
    }
  });
});
