import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/**
 * The API's query strings are closed: a parameter a route does not know is refused with 400
 * `VALIDATION_FAILED`, never ignored. An ignored filter answers as if there were none — `?acount=…`
 * on a list of orders would list them all, and a staff read would show (and log) every account's rows
 * where the reader meant one. So every route under /api/ gets a strict query object: its own schema's,
 * or an empty one when it takes no parameter. The compatible APIs (/stubs/, /compat/) and the webhook
 * receivers stay open: their clients send what the services they were written for accept.
 */
export function closeApiQueryStrings(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const schema = route.schema ?? {};
    route.schema = schema;
    const query = schema.querystring;
    if (query === undefined) schema.querystring = z.object({}).strict();
    else if (query instanceof z.ZodObject) schema.querystring = query.strict();
    else throw new Error(`${route.method} ${route.url}: an API route's query string must be a zod object`);
  });
}
