import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import {
  ApiKey,
  acceptPolicy,
  createApiKey,
  getProfile,
  listApiKeys,
  listSecurityEvents,
  listSessions,
  NewApiKey,
  onLocalAuthChange,
  Profile,
  revokeApiKey,
  revokeSession,
  SecurityEvent,
  Session,
  signOutEverywhereElse,
} from '../../modules/accounts/index.ts';
import type { Ctx } from '../../modules/context.ts';
import { listStatement, onLocalBalanceChange, StatementLine } from '../../modules/ledger/index.ts';
import { PrivacyPolicy } from '../../modules/privacy/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { MeCache } from '../me-cache.ts';
import { pageOf } from '../paging.ts';
import { IdParam, idCursor, Limit, Line, NumberCursor, Text } from '../schemas.ts';

/** How long GET /api/v1/me is answered from memory at most; every change drops it sooner (ADR 22). */
export const ME_CACHE_TTL_MS = 10_000;
/** Ending the account's sessions is for its owner, signed in: a leaked key must not sign the owner out. */
const SESSIONS = { what: 'Sign sessions out', keyCannot: 'end sessions' };

export const accountRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  // Answered from memory, dropped by whatever changes it (me-cache.ts, ADR 22).
  const me = new MeCache(ME_CACHE_TTL_MS);
  const drop = (accountId: string) => me.drop(accountId);
  const stops = [onLocalBalanceChange(drop), onLocalAuthChange(drop), deps.events.onBalanceChange(drop), deps.events.onAuthChange(drop)];
  fastify.addHook('onClose', async () => {
    for (const stop of stops) stop();
  });
  const readMe = async (ctx: Ctx, accountId: string): Promise<string> => {
    const profile = await getProfile(ctx, accountId, deps.policy);
    const { credits, demo } = profile.balances;
    const body: z.infer<typeof Profile> = {
      id: profile.id,
      email: profile.email,
      kind: profile.kind,
      role: profile.role,
      emailVerified: profile.emailVerified,
      createdAt: profile.createdAt.toISOString(),
      policy: profile.policy,
      balance: { available: credits.available, held: credits.held, demo: { available: demo.available, held: demo.held } },
    };
    return JSON.stringify(body);
  };

  app.get(
    '/api/v1/me',
    { config: { errors: ['NOT_FOUND'] }, schema: { tags: ['account'], summary: 'The signed-in account', response: { 200: Profile } } },
    // Not async: an answer from memory is sent at once, without a promise to settle.
    (request, reply) => {
      const accountId = principalOf(request).accountId;
      // Already JSON, built field by field: Fastify sends a string as is (the cast only quiets the type provider).
      const send = (json: string) => reply.type('application/json; charset=utf-8').send(json as unknown as z.infer<typeof Profile>);
      const answer = me.get(accountId, () => readMe(request.ctx, accountId));
      if (typeof answer === 'string') {
        send(answer);
        return;
      }
      return answer.then((json) => {
        send(json);
      });
    },
  );

  app.get(
    '/api/v1/ledger/statement',
    {
      schema: {
        tags: ['account'],
        summary: 'Why my balance changed: one line per credit movement, newest first',
        querystring: z.object({ before: NumberCursor.optional(), limit: Limit }),
        response: { 200: z.object({ lines: z.array(StatementLine), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const rows = await listStatement(request.ctx, principalOf(request).accountId, { limit: limit + 1, before });
      const { items, nextCursor } = pageOf(rows, limit, (line) => line.cursor);
      return { lines: items.map(({ cursor: _cursor, ...line }) => line), nextCursor };
    },
  );

  app.get(
    '/api/v1/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Where I am signed in: browsers and devices',
        response: { 200: z.object({ sessions: z.array(Session) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return { sessions: await listSessions(request.ctx, principal.accountId, principal.sessionId) };
    },
  );

  app.delete(
    '/api/v1/sessions/:id',
    {
      config: { signedInOnly: SESSIONS },
      schema: {
        tags: ['sessions'],
        summary: 'Sign out one of my sessions',
        params: IdParam,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await revokeSession(request.ctx, principal.accountId, request.params.id, 'signed out from another session');
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/sessions/revoke-others',
    {
      config: { signedInOnly: SESSIONS },
      schema: {
        tags: ['sessions'],
        summary: 'Sign out everywhere else',
        description:
          "Ends every other session, and stops the account's other devices from signing in with their id and secret " +
          '(an account with an e-mail address: those devices sign in with it from then on).',
        response: {
          200: z.object({
            ended: z.number().int(),
            devicesUnlinked: z.number().int().describe('Other devices that now sign in with the e-mail address only'),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return signOutEverywhereElse(request.ctx, principal.accountId, principal.sessionId);
    },
  );

  app.get(
    '/api/v1/security-events',
    {
      schema: {
        tags: ['account'],
        summary: 'My security events, newest first',
        querystring: z.object({ before: idCursor('sev').optional(), limit: Limit }),
        response: { 200: z.object({ events: z.array(SecurityEvent), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const rows = await listSecurityEvents(request.ctx, principalOf(request).accountId, { limit: limit + 1, before });
      const { items, nextCursor } = pageOf(rows, limit, (event) => event.id);
      return { events: items, nextCursor };
    },
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { signedInOnly: { what: 'Create API keys', keyCannot: 'make more keys' }, errors: ['CONFLICT'] },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key (shown once)',
        body: z.object({ name: Line.trim().min(1).max(100) }),
        response: { 201: NewApiKey },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return reply.code(201).send(await createApiKey(request.ctx, principal.accountId, request.body.name, principal));
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'My active API keys (never the keys themselves)',
        response: { 200: z.object({ apiKeys: z.array(ApiKey) }) },
      },
    },
    async (request) => {
      return { apiKeys: await listApiKeys(request.ctx, principalOf(request).accountId) };
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    { schema: { tags: ['api-keys'], summary: 'Revoke an API key', params: IdParam, response: { 204: z.undefined() } } },
    async (request, reply) => {
      await revokeApiKey(request.ctx, principalOf(request).accountId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/privacy/policy',
    {
      config: { access: 'public' },
      schema: {
        tags: ['privacy'],
        summary: 'The current privacy policy',
        response: { 200: PrivacyPolicy },
      },
    },
    async () => deps.policy,
  );

  app.post(
    '/api/v1/privacy/consent',
    {
      // Consent is the owner's own word, after reading the policy: never a script's.
      config: {
        signedInOnly: { what: 'Accept the privacy policy', keyCannot: "give consent for the account's owner" },
        errors: ['AGE_CONFIRMATION_REQUIRED', 'POLICY_OUTDATED'],
      },
      schema: {
        tags: ['privacy'],
        summary: 'Accept the current privacy policy after it changed',
        body: z.object({ policyVersion: Text.max(64), ageConfirmed: z.boolean() }),
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await acceptPolicy(request.ctx, principalOf(request).accountId, deps.policy, request.body);
      return reply.code(204).send();
    },
  );
};
