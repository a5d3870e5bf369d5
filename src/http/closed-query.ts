import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../lib/errors.ts';

/**
 * The API's query strings are closed: a parameter a route does not know is refused with 400
 * `VALIDATION_FAILED`, never ignored. An ignored filter answers as if there were none — `?acount=…`
 * on a list of orders would list them all, and a staff read would show (and log) every account's rows
 * where the reader meant one. So every route under /api/ refuses what it does not list: through its own
 * schema made strict, or, when it takes no parameter at all, a check that the query is empty (a loop
 * over no keys: the order poll, the path clients call hardest, takes none and pays no schema for it).
 * The compatible APIs (/stubs/, /compat/) and the webhook receivers stay open: their clients send what
 * the services they were written for accept.
 */
export function closeApiQueryStrings(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const query = route.schema?.querystring;
    if (query === undefined) {
      const existing = route.preValidation;
      route.preValidation =
        existing === undefined ? [refuseAnyQuery] : [...(Array.isArray(existing) ? existing : [existing]), refuseAnyQuery];
    } else if (query instanceof z.ZodObject) {
      route.schema = { ...route.schema, querystring: query.strict() };
    } else throw new Error(`${route.method} ${route.url}: an API route's query string must be a zod object`);
  });
}

/** The answer a strict schema gives, for a route that takes no query parameter. */
const refuseAnyQuery: preValidationHookHandler = (request, _reply, done) => {
  for (const name in request.query as Record<string, unknown>) {
    const message = `Unrecognized key: ${JSON.stringify(name)}`;
    done(
      new DomainError('VALIDATION_FAILED', `Invalid request — querystring: ${message}`, { issues: [{ field: 'querystring', message }] }),
    );
    return;
  }
  done();
};
