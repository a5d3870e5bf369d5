import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { jobRuns } from '../../db/schema/index.ts';
import { ManualClock } from '../../lib/clock.ts';
import { ABANDONED_AFTER_MS, markAbandonedRuns } from '../job-runs-housekeeping.ts';
import { FIRST_TICK_MS, type JobDefinition, Scheduler } from '../scheduler.ts';

let database: TestDatabase;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());
beforeEach(async () => {
  await database.db.delete(jobRuns);
});

function countingJob(id: string, everyMs: number, calls: Date[]): JobDefinition {
  return {
    id,
    everyMs,
    async run({ now }) {
      calls.push(now);
      return { seen: calls.length };
    },
  };
}

const scheduler = (clock: ManualClock, instanceId = 'ins_a') => new Scheduler({ db: database.db, clock, log, instanceId });

describe('scheduler', () => {
  /** A started scheduler with one job, on fake timers (the database's own stay real). */
  async function startedOnFakeTimers(check: (s: Scheduler, calls: Date[]) => Promise<void>) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    try {
      const calls: Date[] = [];
      const s = scheduler(new ManualClock('2026-01-01T00:00:10Z')).register(countingJob('sweep', 60_000, calls));
      s.start();
      await check(s, calls);
    } finally {
      vi.useRealTimers();
    }
  }

  it('starts ticking FIRST_TICK_MS after start, so a just-started instance answers its first requests first', () =>
    startedOnFakeTimers(async (s, calls) => {
      await vi.advanceTimersByTimeAsync(FIRST_TICK_MS - 1);
      expect(calls).toEqual([]);
      expect(await database.db.select().from(jobRuns)).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(() => expect(calls).toHaveLength(1), { interval: 1 });
      await s.stop(1_000);
    }));

  it('stopped before its first tick, never ticks', () =>
    startedOnFakeTimers(async (s, calls) => {
      await s.stop(1_000);
      await vi.advanceTimersByTimeAsync(FIRST_TICK_MS * 3);
      expect(calls).toEqual([]);
    }));

  it('runs a job once per slot, at start and then when the clock enters the next slot', async () => {
    const clock = new ManualClock('2026-01-01T00:00:10Z');
    const calls: Date[] = [];
    const s = scheduler(clock).register(countingJob('sweep', 60_000, calls));

    expect((await s.tick()).map((r) => r.runId)).toEqual(['sweep@2026-01-01T00:00:00.000Z']);
    expect(await s.tick()).toEqual([]);
    clock.advance(49_000);
    expect(await s.tick()).toEqual([]);
    clock.advance(1_000);
    const next = await s.tick();
    expect(next).toEqual([{ runId: 'sweep@2026-01-01T00:01:00.000Z', job: 'sweep', status: 'succeeded', result: { seen: 2 } }]);
    expect(calls.map((d) => d.toISOString())).toEqual(['2026-01-01T00:00:10.000Z', '2026-01-01T00:01:00.000Z']);

    const rows = await database.db.select().from(jobRuns).orderBy(jobRuns.startedAt);
    expect(rows.map((r) => [r.id, r.status, r.instanceId])).toEqual([
      ['sweep@2026-01-01T00:00:00.000Z', 'succeeded', 'ins_a'],
      ['sweep@2026-01-01T00:01:00.000Z', 'succeeded', 'ins_a'],
    ]);
    expect(rows[1]?.result).toEqual({ seen: 2 });
    expect(rows[1]?.finishedAt).toBeInstanceOf(Date);
  });

  it('lets only one of several instances run a slot', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const calls: Date[] = [];
    const instances = ['ins_a', 'ins_b', 'ins_c', 'ins_d'].map((id) => scheduler(clock, id).register(countingJob('sweep', 60_000, calls)));
    for (let slot = 0; slot < 5; slot++) {
      const outcomes = (await Promise.all(instances.map((s) => s.tick()))).flat();
      expect(outcomes).toHaveLength(1);
      clock.advance(60_000);
    }
    expect(calls).toHaveLength(5);
    const rows = await database.db.select().from(jobRuns);
    expect(rows).toHaveLength(5);
  });

  it('records a failing run with its error and keeps scheduling', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    let attempt = 0;
    const s = scheduler(clock).register({
      id: 'flaky',
      everyMs: 1000,
      async run() {
        attempt++;
        if (attempt === 1) throw new Error('upstream said no');
        return { attempt };
      },
    });
    const [failed] = await s.tick();
    expect(failed).toMatchObject({ status: 'failed', error: 'upstream said no' });
    clock.advance(1000);
    const [ok] = await s.tick();
    expect(ok).toMatchObject({ status: 'succeeded', result: { attempt: 2 } });
    const [row] = await database.db
      .select()
      .from(jobRuns)
      .where(eq(jobRuns.id, failed?.runId ?? ''));
    expect(row).toMatchObject({ status: 'failed', error: 'upstream said no' });
  });

  it('does not start a job again while its previous run is still going', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    let release: () => void = () => {};
    let runs = 0;
    const s = scheduler(clock).register({
      id: 'slow',
      everyMs: 1000,
      run: () =>
        new Promise((resolve) => {
          runs++;
          release = () => resolve({});
        }),
    });
    const first = s.tick();
    await vi.waitFor(() => expect(runs).toBe(1));
    clock.advance(5000);
    expect(await s.tick()).toEqual([]);
    release();
    await first;
    expect(runs).toBe(1);
  });

  it('runs a job on demand, outside its schedule', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const calls: Date[] = [];
    const s = scheduler(clock).register(countingJob('sync', 300_000, calls));
    await s.tick();
    const manual = await s.trigger('sync');
    expect(manual.runId).toMatch(/^sync@manual-/);
    expect(manual.status).toBe('succeeded');
    expect(calls).toHaveLength(2);
    await expect(s.trigger('nope')).rejects.toThrow(/unknown job/);
  });

  it('waits for runs in flight when stopping, and aborts them past the budget', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    let finished = false;
    let aborted = false;
    const started = new Set<string>();
    const s = scheduler(clock)
      .register({
        id: 'short',
        everyMs: 60_000,
        run: async () => {
          started.add('short');
          await new Promise((resolve) => setTimeout(resolve, 100));
          finished = true;
          return {};
        },
      })
      .register({
        id: 'stuck',
        everyMs: 60_000,
        run: ({ signal }) =>
          new Promise((_, reject) => {
            started.add('stuck');
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
      });
    const ticking = s.tick();
    await vi.waitFor(() => expect(started.size).toBe(2));
    // A budget the 100 ms job fits in even on a loaded machine; the stuck one is aborted at its end.
    await s.stop(2000);
    expect(finished).toBe(true);
    expect(aborted).toBe(true);
    await ticking;
    expect(await s.tick()).toEqual([]);
    const rows = await database.db.select().from(jobRuns);
    expect(Object.fromEntries(rows.map((r) => [r.job, r.status]))).toEqual({ short: 'succeeded', stuck: 'failed' });
  });

  it('refuses bad definitions', () => {
    const s = scheduler(new ManualClock());
    expect(() => s.register({ id: 'Bad Id', everyMs: 1000, run: async () => ({}) })).toThrow(/kebab-case/);
    expect(() => s.register({ id: 'fast', everyMs: 10, run: async () => ({}) })).toThrow(/once a second/);
    s.register({ id: 'twice', everyMs: 1000, run: async () => ({}) });
    expect(() => s.register({ id: 'twice', everyMs: 1000, run: async () => ({}) })).toThrow(/twice/);
  });
});

describe('job runs housekeeping', () => {
  it('marks runs of dead instances abandoned and leaves recent ones alone', async () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const at = (msAgo: number) => new Date(now.getTime() - msAgo);
    await database.db.insert(jobRuns).values([
      { id: 'a@1', job: 'a', instanceId: 'ins_x', status: 'running', startedAt: at(ABANDONED_AFTER_MS + 1000) },
      { id: 'a@2', job: 'a', instanceId: 'ins_x', status: 'running', startedAt: at(60_000) },
      { id: 'a@3', job: 'a', instanceId: 'ins_x', status: 'succeeded', startedAt: at(ABANDONED_AFTER_MS * 2) },
    ]);
    const result = await markAbandonedRuns({
      db: database.db,
      now,
      clock: new ManualClock(now),
      log,
      signal: new AbortController().signal,
      runId: 'test',
    });
    expect(result).toEqual({ abandoned: 1 });
    const rows = await database.db.select().from(jobRuns).orderBy(jobRuns.id);
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['a@1', 'abandoned'],
      ['a@2', 'running'],
      ['a@3', 'succeeded'],
    ]);
  });
});

describe.skipIf(!onPostgres())('scheduler on PostgreSQL under real concurrency', () => {
  it('runs each slot exactly once with 8 instances ticking at the same moment', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const calls: Date[] = [];
    const instances = Array.from({ length: 8 }, (_, i) => scheduler(clock, `ins_${i}`).register(countingJob('race', 1000, calls)));
    for (let slot = 0; slot < 20; slot++) {
      await Promise.all(instances.map((s) => s.tick()));
      clock.advance(1000);
    }
    expect(calls).toHaveLength(20);
    const rows = await database.db.select().from(jobRuns).where(eq(jobRuns.job, 'race'));
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.id)).size).toBe(20);
  });
});
