import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { jobSchedules } from '../../jobs/registry.ts';
import { credentialStanding } from '../../modules/accounts/index.ts';
import { GRANULARITIES, JobList, listJobRuns, Overview, readOverview } from '../../modules/stats/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf, STAFF } from '../auth.ts';
import { Text } from '../schemas.ts';
import { type SseStream, sseStreams } from '../sse.ts';

/** The staff stream's `stats.updated` comes at most this often per instance, however busy the business. */
export const STATS_EVENT_MIN_MS = 1000;

/**
 * The console's overview (ADR 33), the background jobs' latest runs, and the staff event stream that
 * says when the figures changed. Staff only (support and admin): aggregates and job records, no
 * customer's data, so no staff read is logged.
 */
export const adminOverviewRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];
  const staffStreams = sseStreams(fastify, deps, 'staff');

  app.get(
    '/api/v1/admin/overview',
    {
      config: { access: STAFF, errors: ['VALIDATION_FAILED'] },
      schema: {
        tags,
        summary: 'The business at a glance: orders, revenue, codes, refunds, sign-ups, payments, provider balances (support, admin)',
        description:
          'Every figure from the rollups kept with each change (never a scan of the orders), in UTC hours or days over [from, to), ' +
          'rounded out to whole buckets (at most 2,000). Defaults: the last 30 days up to now, by day.',
        querystring: z.object({
          from: z.iso.datetime({ offset: true }).optional().describe('Start (default: 30 days before `to`)'),
          to: z.iso.datetime({ offset: true }).optional().describe('End, exclusive (default: now)'),
          granularity: z.enum(GRANULARITIES).default('day'),
        }),
        response: { 200: Overview },
      },
    },
    async (request) =>
      readOverview(request.ctx, {
        from: request.query.from === undefined ? undefined : new Date(request.query.from),
        to: request.query.to === undefined ? undefined : new Date(request.query.to),
        granularity: request.query.granularity,
      }),
  );

  app.get(
    '/api/v1/admin/jobs',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Every background job with its latest runs: when, how long, what it did or why it failed (support, admin)',
        querystring: z.object({ runs: z.coerce.number().int().min(1).max(100).default(10).describe('Runs per job') }),
        response: { 200: JobList },
      },
    },
    async (request) => listJobRuns(request.ctx, jobSchedules(deps.config), request.query.runs),
  );

  // One throttle for the instance: every change of the figures anywhere (NOTIFY) arms it, and it
  // fires at most once per STATS_EVENT_MIN_MS to every open staff stream.
  const streams = new Set<SseStream>();
  let timer: NodeJS.Timeout | undefined;
  let lastFired = Number.NEGATIVE_INFINITY;
  const fire = () => {
    timer = undefined;
    lastFired = performance.now();
    const block = `event: stats.updated\ndata: ${JSON.stringify({ at: deps.clock.now().toISOString() })}\n\n`;
    for (const stream of streams) stream.write(block);
  };
  const stopListening = deps.events.onStatsChange(() => {
    if (timer || streams.size === 0) return;
    timer = setTimeout(fire, Math.max(0, lastFired + STATS_EVENT_MIN_MS - performance.now()));
  });
  fastify.addHook('onClose', async () => {
    stopListening();
    clearTimeout(timer);
  });

  app.get(
    '/api/v1/admin/events',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Live events for staff (Server-Sent Events) (support, admin)',
        description:
          'text/event-stream. `stats.updated` ({at}): the overview’s figures changed on some instance — read the overview again; ' +
          'at most one a second. The stream ends when the access that opened it ends.',
        headers: z.object({ 'last-event-id': Text.max(40).optional() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const leave = staffStreams.admit(principal.accountId);
      let standing: Awaited<ReturnType<typeof credentialStanding>>;
      try {
        standing = await credentialStanding(request.ctx, principal);
      } catch (error) {
        leave();
        throw error;
      }
      let stream: SseStream | undefined;
      stream = staffStreams.open(request, reply, principal, standing, () => {
        if (stream) streams.delete(stream);
        leave();
      });
      if (stream) streams.add(stream);
    },
  );
};
