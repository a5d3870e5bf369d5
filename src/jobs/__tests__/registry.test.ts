import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { logTransport } from '../../modules/mail/index.ts';
import { jobDefinitions, ORDER_JOBS, PAYMENT_JOBS, PROCESS_JOBS } from '../registry.ts';
import { Scheduler } from '../scheduler.ts';

const srcDir = path.resolve(import.meta.dirname, '../..');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { CATALOG_SYNC_INTERVAL_S: '900' } });
});
afterAll(async () => {
  await t.close();
});

describe('the job registry', () => {
  it('lists every job once, each with a name, a schedule and a handler', () => {
    const names = [...PROCESS_JOBS, ...PAYMENT_JOBS, ...ORDER_JOBS].map((job) => job.name);
    expect(names.sort()).toEqual([
      'activation-expiry',
      'bitcoin-quote-expiry',
      'catalog-sync',
      'demo-credits-void',
      'email-delivery',
      'erased-account-payments',
      'erasure-completion',
      'gateway-health',
      'job-runs-housekeeping',
      'provider-poll',
      'provider-reconcile',
      'provider-tasks',
      'rental-periods',
      'retention',
      'stats-compaction',
      'stripe-reconcile',
      'webhook-delivery',
    ]);
  });

  it('is where the order services take their jobs from, scheduled as it says', () => {
    const orderJobs = t.orders.jobs.map(({ id, everyMs, timeoutMs }) => ({ id, everyMs, timeoutMs }));
    expect(orderJobs).toEqual([
      { id: 'activation-expiry', everyMs: 2_000, timeoutMs: 60_000 },
      { id: 'provider-tasks', everyMs: 2_000, timeoutMs: 120_000 },
      { id: 'provider-poll', everyMs: 1_000, timeoutMs: 60_000 },
      { id: 'provider-reconcile', everyMs: 15_000, timeoutMs: 60_000 },
      // From CATALOG_SYNC_INTERVAL_S, given a run of at least two minutes.
      { id: 'catalog-sync', everyMs: 900_000, timeoutMs: 900_000 },
      { id: 'webhook-delivery', everyMs: 2_000, timeoutMs: 600_000 },
      { id: 'demo-credits-void', everyMs: 60_000, timeoutMs: undefined },
      { id: 'erasure-completion', everyMs: 300_000, timeoutMs: undefined },
    ]);
  });

  it('gives the scheduler definitions it accepts, process, payment and order jobs together', () => {
    const ctx = { clock: t.clock, config: t.config, keys: t.keys, log: t.log };
    const scheduler = new Scheduler({ db: t.database.db, clock: t.clock, log: pino({ level: 'silent' }), instanceId: 'ins_test' });
    for (const job of jobDefinitions(PROCESS_JOBS, { ctx, mail: logTransport(t.log) })) scheduler.register(job);
    for (const job of jobDefinitions(PAYMENT_JOBS, { ctx, payments: {} })) scheduler.register(job);
    for (const job of t.orders.jobs) scheduler.register(job);
    expect(scheduler.jobs).toHaveLength(PROCESS_JOBS.length + PAYMENT_JOBS.length + ORDER_JOBS.length);
    expect(scheduler.jobs.find((job) => job.id === 'retention')).toMatchObject({ everyMs: 3_600_000, timeoutMs: 600_000 });
  });

  it('is the only place that defines a job: no schedule is written anywhere else in the server code', async () => {
    const entries = await readdir(srcDir, { recursive: true, withFileTypes: true });
    const elsewhere: string[] = [];
    for (const entry of entries) {
      const file = path.join(entry.parentPath, entry.name);
      if (!entry.isFile() || !file.endsWith('.ts') || file.includes('__tests__')) continue;
      if (file.endsWith(path.join('jobs', 'registry.ts')) || file.endsWith(path.join('jobs', 'scheduler.ts'))) continue;
      if (/\beveryMs\s*:|\)\s*:\s*JobDefinition\s*\{|:\s*JobDefinition\s*=/.test(await readFile(file, 'utf8')))
        elsewhere.push(path.relative(srcDir, file));
    }
    expect(elsewhere).toEqual([]);
  });
});
