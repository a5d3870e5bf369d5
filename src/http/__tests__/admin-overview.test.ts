import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActor, createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { baseUrlOf, openStream } from '../../../test/support/sse.ts';
import { jobSchedules } from '../../jobs/registry.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', CANCEL_MIN_S: '120' } });
});
afterAll(() => t?.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

describe('GET /api/v1/admin/overview', () => {
  it('answers staff with every series of the range, from the rollups: orders by outcome, arrival, refunds, sign-ups, balances', async () => {
    const support = await createActor(t, 'support');
    const customer = await fundedActor(t, 10_000);
    const a = api(t, customer);
    const withCode = (await a.order()).json().id as string;
    expect((await a.sms(withCode, 'Telegram code: 12345')).statusCode).toBeLessThan(300);
    expect((await a.action(withCode, 'finish')).statusCode).toBe(200);
    const cancelled = (await a.order()).json().id as string;
    t.clock.advance(121_000);
    expect((await a.action(cancelled, 'cancel')).statusCode).toBe(200);

    const to = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const from = new Date(t.clock.now().getTime() - 23 * 3_600_000).toISOString();
    const response = await get(`/api/v1/admin/overview?granularity=hour&from=${from}&to=${to}`, asActor(support));
    expect(response.statusCode, response.body).toBe(200);
    const overview = response.json();
    expect(overview.granularity).toBe('hour');
    expect(overview.series.length).toBeGreaterThanOrEqual(24);
    expect(overview.totals).toMatchObject({ completed: 1, cancelled: 1, expired: 0, failed: 0, codeRate: 0.5 });
    expect(overview.totals.timeToCode).toMatchObject({ p50: expect.any(Number), p99: expect.any(Number) });
    expect(overview.totals.newAccounts.email).toBeGreaterThanOrEqual(1);
    expect(overview.providers).toEqual([expect.objectContaining({ value: 'sandbox', completed: 1, cancelled: 1 })]);
    expect(overview.services).toEqual([expect.objectContaining({ value: 'tg', completed: 1, cancelled: 1 })]);
    expect(overview.countries).toEqual([expect.objectContaining({ value: 'ID', completed: 1, cancelled: 1 })]);
    expect(overview.refunds.orders).toMatchObject({ cancelled: 1, expired: 0, failed: 0 });
    const hour = overview.series.find((b: { completed: number }) => b.completed === 1);
    expect(hour.at).toBe(new Date(Math.floor(t.clock.now().getTime() / 3_600_000) * 3_600_000).toISOString());
    // Sandbox orders sell nothing: no revenue, no cost.
    expect(overview.totals).toMatchObject({ revenue: 0, providerCost: 0, margin: 0 });

    // By day (the default range: 30 days up to now): the same totals.
    const daily = (await get('/api/v1/admin/overview', asActor(support))).json();
    expect(daily.granularity).toBe('day');
    expect(daily.series).toHaveLength(30);
    expect(daily.totals).toMatchObject({ completed: 1, cancelled: 1 });
  });

  it('refuses a range that ends before it starts, or has more than 2,000 buckets', async () => {
    const admin = await createActor(t, 'admin');
    const backwards = await get('/api/v1/admin/overview?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z', asActor(admin));
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.code).toBe('VALIDATION_FAILED');
    const tooLong = await get('/api/v1/admin/overview?granularity=hour&from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z', asActor(admin));
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.message).toContain('2000');
    expect(tooLong.json().error.message).toContain('granularity=day');
    // Already in days: the advice is a shorter range, not the granularity it already uses.
    const tooManyDays = await get(
      '/api/v1/admin/overview?granularity=day&from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z',
      asActor(admin),
    );
    expect(tooManyDays.statusCode).toBe(400);
    expect(tooManyDays.json().error.message).toMatch(/^At most 2000 days \(this range has \d+\): use a shorter range\.$/);
  });
});

describe('GET /api/v1/admin/jobs', () => {
  it('lists every job of the registry with its latest runs, newest first, their duration, result and error', async () => {
    const support = await createActor(t, 'support');
    await t.database.db.execute(sql`insert into job_runs (id, job, instance_id, status, started_at, finished_at, result, error) values
      ('retention@1', 'retention', 'i1', 'succeeded', '2026-06-01T10:00:00Z', '2026-06-01T10:00:01.250Z', '{"purged": 3}', null),
      ('retention@2', 'retention', 'i1', 'failed', '2026-06-01T11:00:00Z', '2026-06-01T11:00:00.500Z', null, 'database unavailable'),
      ('retention@3', 'retention', 'i2', 'running', '2026-06-01T12:00:00Z', null, null, null)`);
    const response = await get('/api/v1/admin/jobs?runs=2', asActor(support));
    expect(response.statusCode, response.body).toBe(200);
    const jobs = response.json().jobs as { name: string; intervalMs: number; runs: Record<string, unknown>[] }[];
    expect(jobs.map((j) => j.name)).toEqual(jobSchedules(t.config).map((j) => j.name));
    expect(jobs.map((j) => j.name)).toEqual(
      expect.arrayContaining(['retention', 'activation-expiry', 'stats-compaction', 'stripe-reconcile']),
    );
    const retention = jobs.find((j) => j.name === 'retention');
    expect(retention?.intervalMs).toBe(3_600_000);
    expect(retention?.runs).toEqual([
      {
        id: 'retention@3',
        status: 'running',
        instanceId: 'i2',
        startedAt: '2026-06-01T12:00:00.000Z',
        finishedAt: null,
        durationMs: null,
        result: null,
        error: null,
      },
      {
        id: 'retention@2',
        status: 'failed',
        instanceId: 'i1',
        startedAt: '2026-06-01T11:00:00.000Z',
        finishedAt: '2026-06-01T11:00:00.500Z',
        durationMs: 500,
        result: null,
        error: 'database unavailable',
      },
    ]);
    expect(jobs.find((j) => j.name === 'stats-compaction')?.runs).toEqual([]);
  });
});

describe('GET /api/v1/admin/events', () => {
  it('tells staff that the figures changed (stats.updated), at most once a second however many changes', async () => {
    const admin = await createActor(t, 'admin');
    const base = await baseUrlOf(t);
    const stream = await openStream(base, asActor(admin), '/api/v1/admin/events');
    try {
      expect(stream.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stream.events).toEqual([]);
      const started = performance.now();
      for (let i = 0; i < 5; i++) await createActor(t);
      await stream.waitFor((events) => events.length >= 1, 5_000);
      expect(stream.events[0]).toMatchObject({ event: 'stats.updated', data: { at: expect.any(String) } });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const elapsedS = (performance.now() - started) / 1000;
      expect(stream.events.length).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
      expect(stream.events.length).toBeLessThan(5);
    } finally {
      stream.close();
    }
  });

  it('is not for customers', async () => {
    const customer = await createActor(t);
    const response = await get('/api/v1/admin/events', asActor(customer));
    expect(response.statusCode).toBe(403);
  });
});
