import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addProvider,
  listProviders,
  PROVIDER_HEALTH,
  PROVIDER_KINDS,
  providerById,
  removeProvider,
  toProviderView,
  updateProviderTerms,
} from '../../modules/providers/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf, STAFF } from '../auth.ts';
import { IdParam, StaffReason, Text } from '../schemas.ts';

/** Why staff change something: required on every change, kept in its audit row. */
export const Reason = StaffReason.describe('Why (kept in the audit log)');

const ProviderView = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(PROVIDER_KINDS),
    baseUrl: z.string(),
    priority: z.number().int(),
    markupPercent: z.string().describe('Percent: "25", "12.5"'),
    feeCredits: z.number().int(),
    currency: z.string(),
    health: z.enum(PROVIDER_HEALTH),
    circuitOpen: z.boolean().describe('Its circuit breaker refuses calls now (repeated faults)'),
    lastError: z.string().nullable(),
    lastErrorAt: z.iso.datetime().nullable(),
    balance: z.number().nullable().describe('Our balance at the provider in its currency, as last read'),
    balanceAt: z.iso.datetime().nullable(),
    lowBalance: z.number().describe('Below this (provider currency) the balance is flagged low; set per provider'),
    balanceLow: z.boolean(),
    offers: z.number().int().describe('Offers in stock'),
    syncedAt: z.iso.datetime().nullable(),
    removed: z.boolean().describe('Sells no more; kept until its open orders end'),
  })
  .meta({ id: 'AdminProvider' });

const Percent = Text.trim().regex(/^-?\d{1,4}(\.\d{1,2})?$/, 'a percentage with at most two decimals');
const Decimal = Text.trim().regex(/^\d{1,9}(\.\d{1,6})?$/, 'a non-negative decimal');

const actorCtx = (request: FastifyRequest) => ({ ...request.ctx, actor: principalOf(request).accountId });

/**
 * The console's Providers page (ADR 35): the upstream providers with their health and balance (support
 * and admin), and the admin's changes — add, change terms, remove — through the same module functions
 * as `otpbox providers …`, each one transaction with its audit row and the staff member's reason. The
 * API key is write-only: accepted on add, never returned.
 */
export const adminProviderRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/api/v1/admin/providers',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'The upstream providers, first tried first: terms, health, circuit, balance and its low-balance flag (support, admin)',
        response: { 200: z.object({ providers: z.array(ProviderView) }) },
      },
    },
    async (request) => ({ providers: await listProviders(request.ctx.db) }),
  );

  app.post(
    '/api/v1/admin/providers',
    {
      config: { access: ADMIN, errors: ['VALIDATION_FAILED', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Connect an upstream provider; its API key is stored encrypted and never shown again (admin)',
        description:
          'The answer carries the push URL once (for providers that push SMS): its token is stored hashed. Every instance loads ' +
          'the provider and syncs its catalog at once.',
        body: z.object({
          kind: z.enum(PROVIDER_KINDS),
          name: Text.trim().min(1).max(40),
          baseUrl: Text.trim().max(500).optional(),
          apiKey: Text.min(1).max(1024),
          priority: z.number().int().min(0).max(10_000).optional(),
          markupPercent: Percent.optional(),
          feeCredits: z.number().int().min(0).max(1_000_000).optional(),
          currency: Text.trim().length(3).optional(),
          creditsPerUnit: Decimal.optional(),
          lowBalance: Decimal.optional(),
          reason: Reason,
        }),
        response: {
          201: z.object({
            provider: ProviderView,
            pushUrl: z.string().describe('Give this to the provider if it pushes SMS; shown once'),
            warnings: z.array(z.string()),
          }),
        },
      },
    },
    async (request, reply) => {
      const added = await addProvider(actorCtx(request), request.body);
      return reply.code(201).send({
        // Its offers are read by the catalog sync, after this answer: none yet.
        provider: toProviderView(added.provider, 0),
        pushUrl: `${deps.config.publicUrl}${added.pushPath}`,
        warnings: added.warnings,
      });
    },
  );

  app.post(
    '/api/v1/admin/providers/:id',
    {
      config: { access: ADMIN, errors: ['VALIDATION_FAILED', 'NOT_FOUND'] },
      schema: {
        tags,
        summary: 'Change a provider’s priority, markup, fee or low-balance threshold; every instance reprices at once (admin)',
        params: IdParam,
        body: z.object({
          priority: z.number().int().min(0).max(10_000).optional(),
          markupPercent: Percent.optional(),
          feeCredits: z.number().int().min(0).max(1_000_000).optional(),
          lowBalance: Decimal.optional(),
          reason: Reason,
        }),
        response: { 200: ProviderView },
      },
    },
    async (request) => {
      const { reason, ...change } = request.body;
      return updateProviderTerms(actorCtx(request), request.params.id, change, reason);
    },
  );

  app.post(
    '/api/v1/admin/providers/:id/remove',
    {
      config: { access: ADMIN, errors: ['VALIDATION_FAILED', 'NOT_FOUND'] },
      schema: {
        tags,
        summary: 'Stop selling a provider’s numbers; its open orders finish normally, then its row and key are deleted (admin)',
        params: IdParam,
        body: z.object({ reason: Reason }),
        response: {
          200: z.object({
            name: z.string(),
            draining: z.number().int().describe('Open orders and pending calls that finish with it'),
            deleted: z.boolean(),
          }),
        },
      },
    },
    async (request) => {
      const row = await providerById(request.ctx.db, request.params.id);
      return removeProvider(actorCtx(request), row.name, request.body.reason);
    },
  );
};
