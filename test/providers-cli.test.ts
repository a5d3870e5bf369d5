import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openPglite, openPostgres } from '../src/db/client.ts';
import { providers } from '../src/db/schema/index.ts';
import { acquireDataDirLock } from '../src/runtime/data-dir-lock.ts';
import { type FakeSmsActivate, startFakeSmsActivate } from './fakes/sms-activate-server.ts';
import { createEmptyPostgresDatabase, onPostgres } from './support/database.ts';
import { freePort, runCli, type SpawnedServer, spawnServer, tempDir, waitUntilReady } from './support/spawn.ts';

const running: SpawnedServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.kill('SIGKILL');
    await server.exited;
  }
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fake(cost: string): Promise<FakeSmsActivate> {
  const server = await startFakeSmsActivate({ prices: [{ country: 187, service: 'tg', cost, count: 7 }] });
  cleanups.push(() => server.close());
  return server;
}

const add = (env: Record<string, string>, name: string, upstream: FakeSmsActivate, extra: string[] = []) =>
  runCli(
    ['providers', 'add', '--kind', 'sms-activate', '--name', name, '--base-url', upstream.baseUrl, '--api-key', upstream.apiKey, ...extra],
    env,
  );

async function pricesOf(server: SpawnedServer): Promise<unknown[]> {
  const body = (await (await fetch(`${server.url}/api/v1/prices?service=tg&country=US`)).json()) as { prices: unknown[] };
  return body.prices;
}

/** The contract's commands, before the first start and while the server runs, with the key never shown. */
async function scenario(env: Record<string, string>, readKeys: () => Promise<string[]>) {
  const alpha = await fake('0.50');
  const beta = await fake('0.40');

  // Before the first start.
  const added = await add(env, 'alpha', alpha, ['--markup-percent', '20', '--priority', '5']);
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  expect(added.stdout).toMatch(/Added sms-activate provider "alpha"/);
  expect(added.stdout).toMatch(/Connected: balance 100\.00 USD/);
  expect(added.stdout).toMatch(/\/webhooks\/providers\/alpha\?token=pst_[\w-]{32}/);
  expect(added.stdout).not.toContain(alpha.apiKey);
  const again = await add(env, 'alpha', alpha);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/already exists/);
  const bad = await runCli(
    ['providers', 'add', '--kind', 'smsactivate', '--name', 'x', '--base-url', alpha.baseUrl, '--api-key', 'k'],
    env,
  );
  expect(bad.code).toBe(64);
  expect(bad.stderr).toMatch(/--kind must be one of: sms-activate, 5sim/);
  expect(bad.stderr).toMatch(/^Usage: otpbox providers add --kind/m);
  const missing = await runCli(['providers', 'add', '--kind', 'sms-activate', '--name', 'x', '--base-url', alpha.baseUrl], env);
  expect(missing.code).toBe(64);
  expect(missing.stderr).toMatch(/--api-key is required/);

  const listed = await runCli(['providers', 'list'], env);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(/^NAME\s+KIND\s+PRIORITY\s+MARKUP\s+HEALTH\s+BALANCE\s+OFFERS\s+SYNCED\s+STATUS/m);
  expect(listed.stdout).toMatch(/^alpha\s+sms-activate\s+5\s+20 %\s+unknown\s+\?\s+0\s+never\s+selling/m);
  const stored = await readKeys();
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatch(/^v1\./);
  expect(stored[0]).not.toContain(alpha.apiKey);

  // Start: the catalog is read at once, with markup ($0.50 × 100 × 1.2 = 60 credits).
  const server = spawnServer({ PORT: String(await freePort()), ...env });
  running.push(server);
  await waitUntilReady(server);
  await expect.poll(() => pricesOf(server), { timeout: 15_000 }).toEqual([{ service: 'tg', country: 'US', price: 60, available: 7 }]);

  // While it runs: a cheaper provider is added, synced at once and sells first.
  const second = await add(env, 'beta', beta);
  expect(second.code).toBe(0);
  await expect.poll(() => pricesOf(server), { timeout: 15_000 }).toEqual([{ service: 'tg', country: 'US', price: 40, available: 14 }]);
  const both = await runCli(['providers', 'list', '--json'], env);
  const rows = JSON.parse(both.stdout) as { name: string; health: string; balance: number; offers: number }[];
  expect(rows.map((row) => [row.name, row.health, row.balance, row.offers])).toEqual([
    ['alpha', 'ok', 100, 1],
    ['beta', 'ok', 100, 1],
  ]);
  expect(both.stdout).not.toContain(alpha.apiKey);
  expect(both.stdout).not.toContain(beta.apiKey);
  expect(server.output()).not.toContain(alpha.apiKey);
  expect(server.output()).not.toContain(beta.apiKey);

  // Remove the cheaper one: alpha's price is back.
  const removed = await runCli(['providers', 'remove', 'beta'], env);
  expect(removed.stdout).toMatch(/Removed provider "beta"/);
  await expect.poll(() => pricesOf(server), { timeout: 15_000 }).toEqual([{ service: 'tg', country: 'US', price: 60, available: 7 }]);
  expect((await runCli(['providers', 'remove', 'beta'], env)).stderr).toMatch(/no provider named "beta"/);
  expect((await runCli(['providers', 'list'], env)).stdout).not.toMatch(/^beta/m);

  // Catalog rules, while it runs: a fixed price, then the pair disabled, then everything reset.
  const fixed = await runCli(['catalog', 'price', '--service', 'tg', '--country', 'us', '--credits', '45'], env);
  expect(fixed).toMatchObject({ code: 0, stderr: '' });
  expect(fixed.stdout).toBe('Telegram in United States: fixed price 45 credits. Every running instance reprices at once.\n');
  await expect.poll(() => pricesOf(server), { timeout: 15_000 }).toEqual([{ service: 'tg', country: 'US', price: 45, available: 7 }]);
  expect((await runCli(['catalog', 'disable', '--service', 'tg', '--country', 'US'], env)).code).toBe(0);
  await expect.poll(() => pricesOf(server), { timeout: 15_000 }).toEqual([]);
  const rules = await runCli(['catalog', 'rules'], env);
  expect(rules.stdout).toMatch(/^Telegram \(tg\), United States \(US\): not sold, fixed price 45 credits$/m);
  const wrong = await runCli(['catalog', 'price', '--service', 'tg', '--credits', '5', '--markup-percent', '3'], env);
  expect(wrong.code).toBe(64);
  expect(wrong.stderr).toMatch(/give exactly one of --credits N/);
  expect((await runCli(['catalog', 'disable', '--country', 'Narnia'], env)).stderr).toMatch(
    /"Narnia" is not an ISO 3166 alpha-2 country code/,
  );
  expect((await runCli(['catalog', 'enable', '--service', 'tg', '--country', 'US'], env)).code).toBe(0);
  expect((await runCli(['catalog', 'price', '--service', 'tg', '--country', 'US', '--reset'], env)).stdout).toMatch(
    /^Telegram in United States: no rule: sold as the providers price it\./,
  );
  await expect.poll(() => pricesOf(server), { timeout: 15_000 }).toEqual([{ service: 'tg', country: 'US', price: 60, available: 7 }]);
  expect((await runCli(['catalog', 'rules', '--json'], env)).stdout).toBe('[]\n');
}

describe('otpbox providers add | list | remove, and catalog rules', { timeout: 240_000 }, () => {
  it.skipIf(onPostgres())('on the embedded database, before the first start and through the running server', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    await scenario({ DATA_DIR: dir.path }, async () => {
      // Read while the server is stopped (between the add and the start).
      const lock = await acquireDataDirLock(dir.path);
      const database = await openPglite({ ownership: lock, timeoutMs: 30_000 });
      try {
        return (await database.db.select({ key: providers.apiKeyEncrypted }).from(providers)).map((row) => row.key);
      } finally {
        await database.close();
        await lock.release();
      }
    });
  });

  it.skipIf(!onPostgres())('on PostgreSQL, with the CLI connecting directly while the server runs', async () => {
    const empty = await createEmptyPostgresDatabase();
    cleanups.push(empty.drop);
    const dir = await tempDir();
    cleanups.push(dir.remove);
    await scenario({ DATA_DIR: dir.path, DATABASE_URL: empty.url, SECRET_KEY: 'p'.repeat(40) }, async () => {
      const database = await openPostgres({ url: empty.url, poolMax: 1, timeoutMs: 5000 });
      try {
        return (await database.db.select({ key: providers.apiKeyEncrypted }).from(providers)).map((row) => row.key);
      } finally {
        await database.close();
      }
    });
  });
});
