import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import { acceptStoreEvent } from '../../modules/payments/index.ts';
import { readRevenueCatWebhook, verifyRevenueCatAuthorization } from '../../payment-clients/revenuecat/index.ts';
import type { AppDeps } from '../app.ts';

/**
 * `POST /webhooks/revenuecat`: App Store and Google Play purchases, renewals, cancellations and
 * refunds as RevenueCat reports them. The `Authorization` header must be exactly REVENUECAT_WEBHOOK_AUTH
 * (compared in constant time, before the body is read): otherwise 401 and nothing is recorded. Every
 * authorized, well-formed event is answered 200 — one about an account or product otpbox does not
 * know included (logged as a warning): RevenueCat retries anything but 200.
 */
export const revenueCatWebhookRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/webhooks/revenuecat',
    {
      config: { errors: ['UNAUTHENTICATED', 'NOT_FOUND'] },
      bodyLimit: 64 * 1024,
      onRequest: (request, _reply, done) => {
        const settings = deps.config.revenuecat;
        if (!settings) return done(new DomainError('NOT_FOUND', 'App-store payments are not enabled on this service.'));
        if (!verifyRevenueCatAuthorization(request.headers.authorization, settings.webhookAuth)) {
          return done(new DomainError('UNAUTHENTICATED', 'The Authorization header is missing or is not the value set in RevenueCat.'));
        }
        done();
      },
      schema: {
        tags: ['webhooks'],
        summary: 'App-store purchase events from RevenueCat',
        // Read by the RevenueCat reader, which tolerates fields and event types it does not know.
        body: z.unknown(),
        response: {
          200: z.object({
            received: z.literal(true),
            outcome: z.enum(['applied', 'duplicate', 'ignored', 'unmatched']),
          }),
        },
        hide: true,
      },
    },
    async (request) => {
      const reading = readRevenueCatWebhook(request.body);
      if (!reading.ok) throw new DomainError('VALIDATION_FAILED', reading.message);
      const { fact } = reading;
      const sandboxSells = deps.sandbox && deps.activations.catalog.sandboxSells;
      const outcome = await acceptStoreEvent(request.ctx, fact, { sandboxSells, demoCreditsCap: deps.config.sandboxDemoCredits });
      const about = { eventId: fact.eventId, type: fact.type };
      if (outcome.kind === 'unmatched') request.log.warn({ ...about, reason: outcome.reason }, 'RevenueCat event credited nothing');
      else if (outcome.kind === 'ignored') request.log.info({ ...about, reason: outcome.reason }, 'RevenueCat event ignored');
      else if (outcome.kind === 'duplicate') request.log.info(about, 'RevenueCat event already handled');
      else request.log.info({ ...about, paymentId: outcome.paymentId, creditsMoved: outcome.creditsMoved }, 'RevenueCat event applied');
      return { received: true as const, outcome: outcome.kind };
    },
  );
};
