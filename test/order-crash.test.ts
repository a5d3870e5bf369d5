import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { testConfig } from '../src/config.ts';
import { type Database, openPglite, openPostgres } from '../src/db/client.ts';
import { activations } from '../src/db/schema/index.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { secretKeys } from '../src/lib/secrets.ts';
import { expireDue, reconcileUpstream, runProviderTasks } from '../src/modules/activations/index.ts';
import { balanceOf, verifyLedger } from '../src/modules/ledger/index.ts';
import { acquireDataDirLock } from '../src/runtime/data-dir-lock.ts';
import { startOrderServices } from '../src/runtime/order-services.ts';
import { type FakeSmsActivate, startFakeSmsActivate } from './fakes/sms-activate-server.ts';
import { createEmptyPostgresDatabase, onPostgres } from './support/database.ts';
import { ROOT, tempDir } from './support/spawn.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Run the buyer until the provider has sold it a number, then kill it with -9 before it records it. */
async function crashBuyer(target: string, fake: FakeSmsActivate): Promise<string> {
  const buyer = spawn(process.execPath, ['--import', 'tsx', 'test/support/order-crash-buyer.ts', target, fake.baseUrl, fake.apiKey], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let accountId = '';
  const exited = new Promise<number | null>((resolve) => buyer.on('exit', resolve));
  buyer.stdout.on('data', (chunk: Buffer) => {
    accountId ||= /account (\S+)/.exec(chunk.toString())?.[1] ?? '';
  });
  const deadline = Date.now() + 60_000;
  while (fake.activations.size === 0) {
    if (Date.now() > deadline || buyer.exitCode !== null) throw new Error('the buyer never bought a number');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  buyer.kill('SIGKILL');
  await exited;
  return accountId;
}

async function recover(database: Database, fake: FakeSmsActivate, accountId: string) {
  // The service comes back (a new process), and time passes: the sweep, reconciliation, provider tasks.
  const clock = new ManualClock(Date.now());
  const config = testConfig({ SANDBOX: 'off', PROVIDER_TIMEOUT_MS: '2000' });
  const log = pino({ level: 'silent' });
  const keys = secretKeys('c'.repeat(40));
  const ctx = { db: database.db, clock, config, keys, log };
  const orders = await startOrderServices({ ...ctx, database });
  try {
    const [stuck] = await database.db.select().from(activations).where(eq(activations.accountId, accountId));
    expect(stuck).toMatchObject({ status: 'requesting', upstreamId: null });
    expect(await balanceOf(database.db, accountId)).toMatchObject({ available: 950, held: 50 });

    clock.advance(2 * 60_000 + 1);
    expect(await expireDue(ctx, orders.activations, clock.now())).toMatchObject({ failed: 1 });
    expect(await balanceOf(database.db, accountId)).toMatchObject({ available: 1000, held: 0 });
    const suspects = new Map<string, number>();
    await reconcileUpstream(ctx, orders.activations, clock.now(), suspects);
    clock.advance(31_000);
    expect(await reconcileUpstream(ctx, orders.activations, clock.now(), suspects)).toMatchObject({ cancelled: 1 });
    expect(await runProviderTasks(ctx, orders.activations, clock.now())).toMatchObject({ done: 1 });
    const [leaked] = [...fake.activations.values()];
    expect(leaked?.state).toBe('cancelled');
    const [order] = await database.db.select().from(activations).where(eq(activations.accountId, accountId));
    expect(order).toMatchObject({ status: 'failed', failureReason: 'interrupted', provider: 'alpha', upstreamId: leaked?.id });
    expect((await verifyLedger(database.db, clock.now())).ok).toBe(true);
  } finally {
    await orders.close();
  }
}

describe('a crash between buying a number upstream and recording it', { timeout: 120_000 }, () => {
  it.skipIf(onPostgres())('on the embedded database: the order is refunded and the number is cancelled upstream, not leaked', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const fake = await startFakeSmsActivate({ prices: [{ country: 187, service: 'tg', cost: '0.50', count: 5 }] });
    cleanups.push(() => fake.close());
    fake.setMode('slow', { delayMs: 60_000, actions: ['getNumberV2', 'getNumber'] });
    const accountId = await crashBuyer(dir.path, fake);
    fake.setMode('normal');
    const lock = await acquireDataDirLock(dir.path);
    const database = await openPglite({ ownership: lock, timeoutMs: 30_000 });
    try {
      await recover(database, fake, accountId);
    } finally {
      await database.close();
      await lock.release();
    }
  });

  it.skipIf(!onPostgres())('on PostgreSQL: the order is refunded and the number is cancelled upstream, not leaked', async () => {
    const empty = await createEmptyPostgresDatabase();
    cleanups.push(empty.drop);
    const fake = await startFakeSmsActivate({ prices: [{ country: 187, service: 'tg', cost: '0.50', count: 5 }] });
    cleanups.push(() => fake.close());
    fake.setMode('slow', { delayMs: 60_000, actions: ['getNumberV2', 'getNumber'] });
    const accountId = await crashBuyer(empty.url, fake);
    fake.setMode('normal');
    const database = await openPostgres({ url: empty.url, poolMax: 4, timeoutMs: 5000 });
    try {
      await recover(database, fake, accountId);
    } finally {
      await database.close();
    }
  });
});
