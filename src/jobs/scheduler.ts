import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { jobRuns } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import { safeErrorMessage } from '../lib/database-errors.ts';
import { newId } from '../lib/ids.ts';
import type { Metrics } from '../runtime/metrics.ts';

/**
 * Periodic work (expiry sweeps, retention, catalog sync) that is safe with several instances on one
 * database and behaves the same on PGlite.
 *
 * Time is cut into slots of `everyMs`. A run's id is `<job>@<slot start>`; an instance runs a slot
 * only if its INSERT of that id wins (`ON CONFLICT DO NOTHING`), so no slot ever runs twice, whatever
 * the number of instances, and nothing needs a lease to expire. The current slot is due as soon as
 * an instance starts, so every job also runs at start-up unless another instance just ran it: at the
 * first tick, a second after the start (FIRST_TICK_MS).
 * A run cut short by a crash stays `running` until housekeeping marks it `abandoned`; the next slot
 * runs normally, so jobs must be idempotent sweeps (they are: they act on what is due at `now`).
 */

export interface JobContext {
  db: Db;
  /** The time this run is for; jobs never read the wall clock. */
  now: Date;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  runId: string;
}

export type JobResult = Record<string, unknown> | undefined;

export interface JobDefinition {
  id: string;
  everyMs: number;
  /** Abort the run's signal after this long (default: the interval). */
  timeoutMs?: number;
  run(ctx: JobContext): Promise<JobResult | undefined>;
}

export interface RunOutcome {
  runId: string;
  job: string;
  status: 'succeeded' | 'failed';
  result?: JobResult;
  error?: string;
}

/**
 * The first tick comes this long after `start()`, not at once: on the embedded database every query
 * shares one connection, and sixteen jobs' first runs (100–300 ms together) would queue the first
 * requests of a just-started instance (and its readiness probe) behind them (ADR 21).
 */
export const FIRST_TICK_MS = 1000;

export class Scheduler {
  readonly #jobs = new Map<string, JobDefinition>();
  readonly #lastSlot = new Map<string, number>();
  readonly #inFlight = new Map<string, Promise<RunOutcome>>();
  readonly #aborts = new Set<AbortController>();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      log: Logger;
      instanceId: string;
      metrics?: Metrics;
      tickMs?: number;
    },
  ) {}

  register(job: JobDefinition): this {
    if (this.#jobs.has(job.id)) throw new Error(`job ${job.id} registered twice`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(job.id)) throw new Error(`job id ${job.id} must be kebab-case`);
    if (job.everyMs < 1000) throw new Error(`job ${job.id} runs more often than once a second`);
    this.#jobs.set(job.id, job);
    return this;
  }

  get jobs(): JobDefinition[] {
    return [...this.#jobs.values()];
  }

  start(): void {
    if (this.#timer) return;
    const loop = () => {
      this.tick().catch((error) => this.deps.log.error({ err: error }, 'scheduler tick failed'));
    };
    const first = setTimeout(() => {
      if (this.#timer !== first) return;
      this.#timer = setInterval(loop, this.deps.tickMs ?? 1000);
      loop();
    }, FIRST_TICK_MS);
    this.#timer = first;
  }

  /** Claim and run every job whose current slot is not yet claimed. Resolves when those runs end. */
  async tick(): Promise<RunOutcome[]> {
    if (this.#stopping) return [];
    const now = this.deps.clock.now();
    const started: Promise<RunOutcome>[] = [];
    for (const job of this.#jobs.values()) {
      if (this.#inFlight.has(job.id)) continue;
      const slot = Math.floor(now.getTime() / job.everyMs) * job.everyMs;
      if (this.#lastSlot.get(job.id) === slot) continue;
      const runId = `${job.id}@${new Date(slot).toISOString()}`;
      const claimed = await this.#claim(job, runId, new Date(slot), now);
      if (claimed === undefined) continue; // database unavailable: try again next tick
      this.#lastSlot.set(job.id, slot);
      if (claimed) started.push(this.#execute(job, runId, now));
    }
    return Promise.all(started);
  }

  /** Run a job now, outside its schedule (e.g. a provider was just added). */
  async trigger(jobId: string): Promise<RunOutcome> {
    const job = this.#jobs.get(jobId);
    if (!job) throw new Error(`unknown job ${jobId}`);
    if (this.#stopping) throw new Error('scheduler is stopping');
    const running = this.#inFlight.get(jobId);
    if (running) await running.catch(() => {});
    const now = this.deps.clock.now();
    const runId = `${job.id}@manual-${newId('job', now.getTime()).slice(4)}`;
    const claimed = await this.#claim(job, runId, null, now);
    if (!claimed) throw new Error(`could not record run ${runId}`);
    return this.#execute(job, runId, now);
  }

  /** Stop claiming; wait for runs in flight up to `timeoutMs`, then abort them. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    const pending = [...this.#inFlight.values()];
    if (pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([Promise.allSettled(pending), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.deps.log.warn({ jobs: [...this.#inFlight.keys()] }, 'aborting jobs still running at shutdown');
      for (const controller of this.#aborts) controller.abort(new Error('shutting down'));
      await Promise.race([Promise.allSettled(pending), new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
  }

  async #claim(job: JobDefinition, runId: string, slotStart: Date | null, now: Date): Promise<boolean | undefined> {
    try {
      const inserted = await this.deps.db
        .insert(jobRuns)
        .values({ id: runId, job: job.id, slotStart, instanceId: this.deps.instanceId, status: 'running', startedAt: now })
        .onConflictDoNothing({ target: jobRuns.id })
        .returning({ id: jobRuns.id });
      return inserted.length === 1;
    } catch (error) {
      this.deps.log.warn({ err: error, job: job.id }, 'could not claim job run');
      return undefined;
    }
  }

  #execute(job: JobDefinition, runId: string, now: Date): Promise<RunOutcome> {
    const controller = new AbortController();
    this.#aborts.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error('job timed out')), job.timeoutMs ?? job.everyMs);
    const log = this.deps.log.child({ job: job.id, runId });
    const started = performance.now();
    const run = (async (): Promise<RunOutcome> => {
      let outcome: RunOutcome;
      try {
        const result =
          (await job.run({ db: this.deps.db, now, clock: this.deps.clock, log, signal: controller.signal, runId })) ?? undefined;
        outcome = { runId, job: job.id, status: 'succeeded', result };
      } catch (error) {
        log.error({ err: error }, 'job failed');
        // Stored in job_runs: a database error's own message would carry its statement's parameters.
        outcome = { runId, job: job.id, status: 'failed', error: safeErrorMessage(error) };
      } finally {
        clearTimeout(timeout);
        this.#aborts.delete(controller);
      }
      this.deps.metrics?.jobRuns.inc({ job: job.id, outcome: outcome.status });
      try {
        await this.deps.db
          .update(jobRuns)
          .set({
            status: outcome.status,
            finishedAt: this.deps.clock.now(),
            result: outcome.result ?? null,
            error: outcome.error?.slice(0, 2000) ?? null,
          })
          .where(eq(jobRuns.id, runId));
      } catch (error) {
        log.warn({ err: error }, 'could not record the end of a job run');
      }
      log.debug({ ms: Math.round(performance.now() - started), status: outcome.status, result: outcome.result }, 'job run finished');
      return outcome;
    })();
    this.#inFlight.set(job.id, run);
    void run.finally(() => this.#inFlight.delete(job.id));
    return run;
  }
}
