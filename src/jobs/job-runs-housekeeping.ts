import { and, eq, lt } from 'drizzle-orm';
import { jobRuns } from '../db/schema/index.ts';
import type { JobContext, JobResult } from './scheduler.ts';

/** A run still `running` after this long belonged to an instance that died mid-run. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** Marks runs of crashed instances as abandoned (their records are purged by the retention job). */
export async function markAbandonedRuns({ db, now }: JobContext): Promise<JobResult> {
  const abandoned = await db
    .update(jobRuns)
    .set({ status: 'abandoned', finishedAt: now, error: 'the instance running it stopped before it finished' })
    .where(and(eq(jobRuns.status, 'running'), lt(jobRuns.startedAt, new Date(now.getTime() - ABANDONED_AFTER_MS))))
    .returning({ id: jobRuns.id });
  return { abandoned: abandoned.length };
}
