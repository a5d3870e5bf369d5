import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { schemaIsCurrent } from '../../db/migrate.ts';
import { DomainError } from '../../lib/errors.ts';
import type { AppDeps } from '../app.ts';
import { sendError } from '../errors.ts';

const Health = z.object({ status: z.literal('ok'), version: z.string(), uptimeSeconds: z.number().int() });
const Ready = z.object({
  status: z.literal('ready'),
  engine: z.enum(['pglite', 'postgres']),
  checks: z.object({ database: z.literal('ok'), migrations: z.literal('ok') }),
});

export const healthRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const startedAt = performance.now();
  // Once current, the schema stays current for the life of this process (migrations only move forward).
  let schemaCurrent = false;

  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: Health } }, logLevel: 'warn' },
    async () => ({ status: 'ok' as const, version: deps.version, uptimeSeconds: Math.floor((performance.now() - startedAt) / 1000) }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable and migrated; 503 while starting or shutting down',
        response: { 200: Ready },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const checks = { database: 'ok', migrations: 'ok', accepting: 'ok' };
      if (deps.lifecycle?.draining) checks.accepting = 'shutting down';
      try {
        await deps.database.ping();
        if (!schemaCurrent) schemaCurrent = await schemaIsCurrent(deps.database);
        if (!schemaCurrent) checks.migrations = 'pending';
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: database unreachable');
        checks.database = 'unreachable';
        checks.migrations = 'unknown';
      }
      if (Object.values(checks).some((value) => value !== 'ok')) {
        return sendError(request, reply, new DomainError('SERVICE_UNAVAILABLE', 'Not ready to serve requests.', { checks }));
      }
      return { status: 'ready' as const, engine: deps.database.engine, checks: { database: 'ok' as const, migrations: 'ok' as const } };
    },
  );
};
