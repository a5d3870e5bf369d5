import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  acceptPolicy,
  createApiKey,
  getProfile,
  listApiKeys,
  listSecurityEvents,
  listSessions,
  revokeAllSessions,
  revokeApiKey,
  revokeSession,
} from '../../modules/accounts/index.ts';
import { balancesOf, listStatement } from '../../modules/ledger/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { Cursor, IdParam, Limit, Text } from '../schemas.ts';

const Iso = z.iso.datetime();

export const PurseBalance = z.object({
  available: z.number().int().describe('Credits you can spend now'),
  held: z.number().int().describe('Credits reserved by open orders: spent if a code arrives, returned otherwise'),
});

export const Balance = PurseBalance.extend({
  demo: PurseBalance.describe(
    'Demo credits, apart from your credits: they pay for sandbox numbers only (first, before your credits), and are voided when the sandbox stops selling',
  ),
});

export const Profile = z.object({
  id: z.string(),
  email: z.string().nullable(),
  kind: z.enum(['email', 'device']),
  role: z.enum(['customer', 'support', 'admin']),
  emailVerified: z.boolean(),
  createdAt: Iso,
  policy: z.object({
    acceptedVersion: z.string().nullable(),
    currentVersion: z.string(),
    lastUpdated: z.string(),
    acceptanceRequired: z.boolean(),
  }),
  balance: Balance,
});

const StatementLine = z.object({
  transferId: z.string(),
  at: Iso,
  kind: z.string(),
  reason: z.string(),
  purse: z.enum(['credits', 'demo']).describe('Which balance moved: your credits, or your demo credits (sandbox numbers only)'),
  change: PurseBalance,
  balanceAfter: PurseBalance,
});

const Session = z.object({
  id: z.string(),
  kind: z.enum(['browser', 'device']),
  current: z.boolean(),
  createdAt: Iso,
  lastUsedAt: Iso,
  expiresAt: Iso,
  userAgent: z.string().nullable(),
  ipPrefix: z.string().nullable(),
  device: z.object({ platform: z.string(), osVersion: z.string(), model: z.string(), appVersion: z.string() }).nullable(),
});

const ApiKey = z.object({ id: z.string(), name: z.string(), displayPrefix: z.string(), createdAt: Iso, lastUsedAt: Iso.nullable() });

const SecurityEvent = z.object({
  id: z.string(),
  type: z.string(),
  occurredAt: Iso,
  ipPrefix: z.string().nullable(),
  userAgent: z.string().nullable(),
  byStaff: z.boolean(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const accountRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/v1/me',
    { schema: { tags: ['account'], summary: 'The signed-in account', response: { 200: Profile } } },
    async (request) => {
      const accountId = principalOf(request).accountId;
      const [profile, { credits, demo }] = await Promise.all([
        getProfile(request.ctx, accountId, deps.policy),
        balancesOf(request.ctx.db, accountId),
      ]);
      return {
        ...profile,
        createdAt: profile.createdAt.toISOString(),
        balance: { available: credits.available, held: credits.held, demo: { available: demo.available, held: demo.held } },
      };
    },
  );

  app.get(
    '/api/v1/ledger/statement',
    {
      schema: {
        tags: ['account'],
        summary: 'Why my balance changed: one line per credit movement, newest first',
        querystring: z.object({ before: Cursor.optional(), limit: Limit }),
        response: { 200: z.object({ lines: z.array(StatementLine), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const rows = await listStatement(request.ctx, principalOf(request).accountId, { limit: limit + 1, before });
      const { items, nextCursor } = pageOf(rows, limit, (line) => line.cursor);
      return { lines: items.map(({ cursor: _cursor, ...line }) => ({ ...line, at: line.at.toISOString() })), nextCursor };
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
      const sessions = await listSessions(request.ctx, principal.accountId, principal.sessionId);
      return {
        sessions: sessions.map((s) => ({
          ...s,
          createdAt: s.createdAt.toISOString(),
          lastUsedAt: s.lastUsedAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
        })),
      };
    },
  );

  app.delete(
    '/api/v1/sessions/:id',
    { schema: { tags: ['sessions'], summary: 'Sign out one of my sessions', params: IdParam, response: { 204: z.undefined() } } },
    async (request, reply) => {
      const principal = principalOf(request);
      await revokeSession(request.ctx, principal.accountId, request.params.id, 'signed out from another session');
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/sessions/revoke-others',
    { schema: { tags: ['sessions'], summary: 'Sign out everywhere else', response: { 200: z.object({ ended: z.number().int() }) } } },
    async (request) => {
      const principal = principalOf(request);
      return { ended: await revokeAllSessions(request.ctx, principal.accountId, 'signed out from another session', principal.sessionId) };
    },
  );

  app.get(
    '/api/v1/security-events',
    {
      schema: {
        tags: ['account'],
        summary: 'My security events, newest first',
        querystring: z.object({ before: Cursor.optional(), limit: Limit }),
        response: { 200: z.object({ events: z.array(SecurityEvent), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const rows = await listSecurityEvents(request.ctx, principalOf(request).accountId, { limit: limit + 1, before });
      const { items, nextCursor } = pageOf(rows, limit, (event) => event.id);
      return { events: items.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })), nextCursor };
    },
  );

  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key (shown once)',
        body: z.object({ name: Text.trim().min(1).max(100) }),
        response: { 201: ApiKey.extend({ key: z.string().describe('Shown only now; store it safely.') }) },
      },
    },
    async (request, reply) => {
      const created = await createApiKey(request.ctx, principalOf(request).accountId, request.body.name);
      return reply.code(201).send({ ...created, createdAt: created.createdAt.toISOString(), lastUsedAt: null });
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
      const keys = await listApiKeys(request.ctx, principalOf(request).accountId);
      return { apiKeys: keys.map((k) => ({ ...k, createdAt: k.createdAt.toISOString(), lastUsedAt: iso(k.lastUsedAt) })) };
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
        response: { 200: z.object({ version: z.string(), lastUpdated: z.string(), minimumAge: z.number().int(), text: z.string() }) },
      },
    },
    async () => deps.policy,
  );

  app.post(
    '/api/v1/privacy/consent',
    {
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
