import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../../lib/errors.ts';
import { handleStripeEvent } from '../../modules/payments/index.ts';
import { StripeEventMalformed, StripeSignatureInvalid, StripeUnavailable } from '../../payment-clients/stripe/port.ts';
import type { AppDeps } from '../app.ts';

/**
 * `POST /webhooks/stripe`: Stripe's events (configure the endpoint `PUBLIC_URL/webhooks/stripe` in the
 * Stripe dashboard). The body is kept raw — `Stripe-Signature` is an HMAC of the exact bytes, which
 * any parsing would change — and verified by the SDK before anything is read (400, nothing recorded,
 * when it does not verify). Then the event is handled (payments module): 200 for a handled, repeated
 * or ignored event; 503 while Stripe cannot be asked to confirm it (Stripe retries for three days).
 */
export const stripeWebhookRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  // Encapsulated: only this route takes its body as bytes, of any declared type.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_request, body, done) => done(null, body));

  fastify.post(
    '/webhooks/stripe',
    {
      schema: { hide: true },
      config: { errors: ['WEBHOOK_SIGNATURE_INVALID', 'VALIDATION_FAILED', 'NOT_FOUND', 'PAYMENT_PROCESSOR_UNAVAILABLE'] },
    },
    async (request) => {
      const stripe = deps.payments?.stripe;
      if (!stripe) throw new DomainError('NOT_FOUND', 'Stripe is not configured on this service.');
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = request.headers['stripe-signature'];
      let event: ReturnType<typeof stripe.verifyEvent>;
      try {
        event = stripe.verifyEvent(body, typeof header === 'string' ? header : undefined, deps.clock.now());
      } catch (error) {
        if (error instanceof StripeEventMalformed)
          throw new DomainError('VALIDATION_FAILED', `The body is signed but is not a Stripe event: ${error.message}.`);
        if (!(error instanceof StripeSignatureInvalid)) throw error;
        request.log.warn({ reason: error.message }, 'a Stripe webhook whose signature does not verify was refused');
        throw new DomainError('WEBHOOK_SIGNATURE_INVALID', 'The Stripe-Signature header does not verify for this body.');
      }
      try {
        const outcome = await handleStripeEvent(request.ctx, stripe, event);
        return { received: true, outcome: outcome.kind };
      } catch (error) {
        if (!(error instanceof StripeUnavailable)) throw error;
        request.log.warn({ err: error, eventId: event.id }, 'Stripe could not be asked to confirm an event; it will send it again');
        throw new DomainError('PAYMENT_PROCESSOR_UNAVAILABLE', 'Stripe could not be reached to confirm this event; send it again later.', {
          retryAfterSeconds: 60,
        });
      }
    },
  );
};
