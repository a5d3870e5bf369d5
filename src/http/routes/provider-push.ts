import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import { acceptPush } from '../../modules/providers/index.ts';
import type { AppDeps } from '../app.ts';
import { Text } from '../schemas.ts';

/**
 * `/webhooks/providers/{name}?token=…`: SMS pushed by an upstream provider (the SMS-Activate family
 * posts JSON; some clones post forms or call with GET). Outside /api/v1: no session, no API key; the
 * secret in the URL is the provider's credential, and a push only ever lands on an order it matches.
 */
export const providerPushRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Form bodies, for clones that post them (encapsulated: only these routes accept forms).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const handle = async (request: FastifyRequest<{ Params: { name: string }; Querystring: Record<string, string | undefined> }>) => {
    const header = request.headers['x-otpbox-token'];
    const token = request.query.token ?? (typeof header === 'string' ? header : undefined);
    const outcome = await acceptPush(request.ctx, deps.activations, request.params.name, token, {
      headers: request.headers,
      query: request.query,
      // A GET push carries its fields in the query string.
      body: request.body ?? request.query,
    });
    switch (outcome.kind) {
      case 'unknown_provider':
        throw new DomainError('NOT_FOUND', 'No such provider.');
      case 'bad_token':
        throw new DomainError('UNAUTHENTICATED', 'The push token is missing or wrong: use the URL printed by `otpbox providers add`.');
      case 'not_supported':
        throw new DomainError('NOT_FOUND', 'This provider does not push SMS; its orders are polled.');
      case 'unreadable':
        throw new DomainError('VALIDATION_FAILED', `The push could not be read: ${outcome.message}`);
      case 'accepted':
        return { received: outcome.received, ignored: outcome.ignored };
    }
  };

  const schema = {
    tags: ['webhooks'],
    summary: 'SMS pushed by an upstream provider (SMS-Activate webhook format)',
    params: z.object({ name: Text.regex(/^[a-z0-9][a-z0-9-]{0,39}$/) }),
    // Not `Text`: a GET push carries the SMS in the query, and what a provider sends cannot be refused
    // (the SMS would be lost); its parser cleans it (lib/text.ts). The token is only ever hashed.
    querystring: z.record(z.string(), z.string().max(2048).optional()),
    hide: true,
  };
  app.post('/webhooks/providers/:name', { schema, bodyLimit: 64 * 1024 }, handle);
  app.get('/webhooks/providers/:name', { schema }, handle);
};
