import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import { acceptBitcoinCallback } from '../../modules/payments/index.ts';
import { readBlockonomicsCallback } from '../../payment-clients/blockonomics/index.ts';
import type { AppDeps } from '../app.ts';

/**
 * `GET /webhooks/blockonomics?secret=…&status=…&addr=…&value=…&txid=…`: Blockonomics reporting a
 * transaction to one of our addresses. The secret (BLOCKONOMICS_CALLBACK_SECRET, in the callback URL
 * set in its dashboard) is checked first, in constant time; a wrong one is refused and nothing is
 * recorded. Every authenticated, well-formed callback is answered 200 — an address otpbox does not
 * know included (it is logged): Blockonomics retries anything else.
 */
export const blockonomicsWebhookRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/webhooks/blockonomics',
    {
      config: { errors: ['UNAUTHENTICATED', 'NOT_FOUND'] },
      schema: {
        tags: ['webhooks'],
        summary: 'Bitcoin payment callbacks from Blockonomics',
        // Read by the callback reader (secret first); repeated parameters arrive as arrays and are refused there.
        querystring: z.record(z.string(), z.unknown()),
        response: {
          200: z.object({
            received: z.literal(true),
            payment: z.string().nullable().describe('The payment the address belongs to; null for an address otpbox never handed out'),
          }),
        },
        hide: true,
      },
    },
    async (request) => {
      const settings = deps.config.blockonomics;
      if (!settings) throw new DomainError('NOT_FOUND', 'Bitcoin payments are not enabled on this service.');
      const reading = readBlockonomicsCallback(request.query, settings.callbackSecret);
      if (!reading.ok) {
        if (reading.reason === 'bad_secret') throw new DomainError('UNAUTHENTICATED', reading.message);
        throw new DomainError('VALIDATION_FAILED', reading.message);
      }
      const { callback } = reading;
      const outcome = await acceptBitcoinCallback(request.ctx, callback, settings.confirmations);
      if (outcome.kind === 'unknown_address') {
        request.log.warn(
          { address: callback.address, txid: callback.txid, satoshis: callback.satoshis, status: callback.status },
          'Blockonomics reported a payment to an address otpbox never handed out; nothing was credited',
        );
        return { received: true as const, payment: null };
      }
      request.log.info(
        { paymentId: outcome.paymentId, txid: callback.txid, status: callback.status, creditsMoved: outcome.creditsMoved },
        outcome.changed ? 'bitcoin payment callback recorded' : 'bitcoin payment callback already known',
      );
      return { received: true as const, payment: outcome.paymentId };
    },
  );
};
