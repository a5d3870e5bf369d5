import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../../lib/errors.ts';
import { constantTimeEqual } from '../../lib/secrets.ts';
import type { AppDeps } from '../app.ts';
import { sendError } from '../errors.ts';

/** Prometheus scrape endpoint; behind a bearer token when METRICS_TOKEN is set. */
export const metricsRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    const token = deps.config.metricsToken;
    if (token) {
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!constantTimeEqual(given, token)) {
        return sendError(request, reply, new DomainError('UNAUTHENTICATED', 'Metrics need the METRICS_TOKEN as a bearer token.'));
      }
    }
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
};
