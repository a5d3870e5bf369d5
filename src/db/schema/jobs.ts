import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per run of a periodic job. The id is deterministic (`<job>@<slot start>`), so when several
 * instances share a database exactly one of them inserts it, and only that one runs the slot.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    job: text('job').notNull(),
    slotStart: timestamp('slot_start', { withTimezone: true, mode: 'date' }),
    instanceId: text('instance_id').notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed', 'abandoned'] }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
  },
  (t) => [index('job_runs_job_started_idx').on(t.job, t.startedAt), index('job_runs_started_idx').on(t.startedAt)],
);
