import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import type { Ctx } from '../context.ts';
import type { JobListView } from './schemas.ts';

export interface JobSchedule {
  name: string;
  intervalMs: number;
}

type RunRow = {
  name: string;
  id: string | null;
  status: JobListView['jobs'][number]['runs'][number]['status'] | null;
  instance_id: string | null;
  started_at: string | Date | null;
  finished_at: string | Date | null;
  result: Record<string, unknown> | string | null;
  error: string | null;
};

/**
 * Each job's latest `perJob` runs (newest first), from the runs the scheduler records (`job_runs`,
 * pruned by retention): one index range per job, however many runs are kept.
 */
export async function listJobRuns(ctx: Ctx, jobs: readonly JobSchedule[], perJob = 10): Promise<JobListView> {
  const names = jobs.map((job) => job.name);
  const rows = await queryRows<RunRow>(
    ctx.db,
    sql`select j.name, r.id, r.status, r.instance_id, r.started_at, r.finished_at, r.result, r.error
        from unnest(${`{${names.join(',')}}`}::text[]) as j(name)
        left join lateral (
          select id, status, instance_id, started_at, finished_at, result, error from job_runs
          where job = j.name order by started_at desc limit ${perJob}
        ) r on true
        order by j.name, r.started_at desc`,
  );
  const runs = new Map<string, JobListView['jobs'][number]['runs']>(names.map((name) => [name, []]));
  for (const row of rows) {
    if (!row.id || !row.status || !row.started_at || !row.instance_id) continue;
    const startedAt = new Date(row.started_at);
    const finishedAt = row.finished_at === null ? null : new Date(row.finished_at);
    runs.get(row.name)?.push({
      id: row.id,
      status: row.status,
      instanceId: row.instance_id,
      startedAt,
      finishedAt,
      durationMs: finishedAt === null ? null : finishedAt.getTime() - startedAt.getTime(),
      result: typeof row.result === 'string' ? JSON.parse(row.result) : row.result,
      error: row.error,
    });
  }
  return { jobs: jobs.map((job) => ({ name: job.name, intervalMs: job.intervalMs, runs: runs.get(job.name) ?? [] })) };
}
