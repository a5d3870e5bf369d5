import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { jobSchedules } from '../../jobs/registry.ts';
import { countRetention, retentionTargets, summariseRetention } from '../../modules/privacy/index.ts';
import { JobList, listJobRuns } from '../../modules/stats/index.ts';
import type { AppDeps } from '../app.ts';
import { STAFF } from '../auth.ts';

const Counts = z.record(z.string(), z.number().int());
const RETENTION_JOB = 'retention';

/**
 * The console's Privacy page, its retention part (ADR 35): the retention job's latest runs with what
 * each deleted or emptied, and a dry run that counts what the next run would — the same targets
 * (`retentionTargets`) and the same count (`countRetention`) as `otpbox privacy retention --dry-run`.
 * Aggregates only: no customer's data, so no staff read is logged.
 */
export const adminRetentionRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/api/v1/admin/privacy/retention',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'The retention job’s latest runs: when, how long, how many rows it deleted and emptied per table (support, admin)',
        querystring: z.object({ runs: z.coerce.number().int().min(1).max(100).default(10) }),
        response: { 200: JobList.shape.jobs.element },
      },
    },
    async (request) => {
      const schedule = jobSchedules(deps.config).filter((job) => job.name === RETENTION_JOB);
      const { jobs } = await listJobRuns(request.ctx, schedule, request.query.runs);
      return jobs[0] ?? { name: RETENTION_JOB, intervalMs: 0, runs: [] };
    },
  );

  app.get(
    '/api/v1/admin/privacy/retention/preview',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Dry run: what the next retention run would delete or empty now, per table, changing nothing (support, admin)',
        description: 'The same targets and count as `otpbox privacy retention --dry-run`, which the hourly retention job purges.',
        response: {
          200: z.object({
            at: z.iso.datetime(),
            targets: z.array(
              z.object({
                table: z.string(),
                action: z.enum(['delete', 'clear']),
                columns: z.array(z.string()),
                after: z.string().describe('The column a row’s age counts from'),
                cutoff: z.iso.datetime(),
                days: z.number().int(),
                setting: z.string().nullable().describe('The operator setting the period comes from'),
                rows: z.number().int(),
                dependents: z.array(z.object({ table: z.string(), rows: z.number().int() })),
              }),
            ),
            purged: Counts.describe('Rows it would delete, per table'),
            cleared: Counts.describe('Rows whose columns it would empty, per table and columns'),
          }),
        },
      },
    },
    async (request) => {
      const at = request.ctx.clock.now();
      const counts = await countRetention(request.ctx.db, retentionTargets(deps.config, at));
      return {
        at: at.toISOString(),
        targets: counts.map(({ target, rows, dependents }) => ({
          table: target.table,
          action: target.action,
          columns: target.columns,
          after: target.after,
          cutoff: target.cutoff.toISOString(),
          days: target.days,
          setting: target.setting ?? null,
          rows,
          dependents,
        })),
        ...summariseRetention(counts),
      };
    },
  );
};
