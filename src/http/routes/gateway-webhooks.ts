import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AndroidSmsGatewayChannel } from '../../gateway-clients/android-sms-gateway/channel.ts';
import type { GatewayReply, GatewayWebhookChannel, WebhookGatewayKind } from '../../gateway-clients/port.ts';
import { twilioChannel } from '../../gateway-clients/twilio/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { acceptGatewayDelivery } from '../../modules/inbound-sms/index.ts';
import { findGateway, gatewaySecret, onLocalGatewayChange } from '../../modules/pool/index.ts';
import type { AppDeps } from '../app.ts';
import { GatewayCache } from '../gateway-cache.ts';
import { Text } from '../schemas.ts';

/**
 * The channel of each webhook gateway kind: how its deliveries are checked and read. SMPP never has
 * one (otpbox binds to the SMSC instead).
 */
export const WEBHOOK_CHANNELS: Partial<Record<WebhookGatewayKind, GatewayWebhookChannel>> = {
  'android-sms-gateway': new AndroidSmsGatewayChannel(),
  twilio: twilioChannel,
};

/**
 * Kinds whose sender is not a client of our API, so they get the channel's own answers, not our
 * JSON errors: Twilio shows a refusal's plain-text line in its debugger (403 for a signature that
 * does not match, 400 for a request that is not a messaging webhook), and answers a MessageSid it
 * sends again (its retry after 15 s without an answer) with the same empty TwiML: it is recorded
 * once, and a 409 would only be error 11200 in the operator's debugger (ADR 38, ADR 39).
 */
const CHANNEL_ANSWERS: ReadonlySet<WebhookGatewayKind> = new Set(['twilio']);

/** Refused deliveries (bad signature, stale, malformed) per client address and minute, before any check is spent on them. */
const REFUSALS_PER_MINUTE = 30;

/**
 * `POST /webhooks/gateways/{name}`: SMS received by the operator's own gateways (ADR 38). The body is
 * kept raw — signatures cover the exact bytes — and checked by the gateway kind's channel before it
 * is read: a forged or stale signature is 401 (the error says which, never the key), an unreadable
 * body 400, the very same signed delivery again 409 (Twilio: the channel's 403 and 400 lines, and a
 * repeated MessageSid answered like the first). A genuine one marks the gateway seen and routes
 * every message (inbound-sms), then answers what the channel wants (JSON for the app, TwiML for
 * Twilio). An address that keeps sending refused deliveries is slowed down (429).
 *
 * The URL a channel checks a signature against (Twilio signs it) is PUBLIC_URL's origin + the path
 * and query as received: never the Host or X-Forwarded-* headers (TRUST_PROXY changes nothing here),
 * so PUBLIC_URL must be exactly the scheme, host and port the gateway was told to call.
 */
export const gatewayWebhookRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Encapsulated: only this route takes its body as bytes, of any declared type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_request, body, done) => done(null, body));
  const refusals = deps.limits.limiter('gateway-refusals', REFUSALS_PER_MINUTE, 60_000);
  // The gateways and their opened secrets, for a second at most; forgotten when one is added or removed here or elsewhere.
  const gateways = new GatewayCache();
  const stops = [onLocalGatewayChange((name) => gateways.forget(name)), deps.events.onGatewayChange((name) => gateways.forget(name))];
  app.addHook('onClose', async () => {
    for (const stop of stops) stop();
  });

  app.post(
    '/webhooks/gateways/:name',
    {
      config: { errors: ['UNAUTHENTICATED', 'NOT_FOUND', 'VALIDATION_FAILED', 'CONFLICT', 'RATE_LIMITED'] },
      bodyLimit: 256 * 1024,
      schema: {
        tags: ['webhooks'],
        summary: 'SMS received by one of your own gateways (SMS Gateway for Android; Twilio)',
        description:
          'Give this URL (`PUBLIC_URL/webhooks/gateways/{name}`, printed by `otpbox gateways add`) to the gateway. ' +
          'SMS Gateway for Android: register it for the events `sms:received` and `system:ping`, with the signing key ' +
          'otpbox printed; `X-Signature` (HMAC-SHA256 of the body and `X-Timestamp`) must match and the timestamp be ' +
          'within 5 minutes. Twilio: set it as the number\'s "A message comes in" webhook (HTTP POST); `X-Twilio-Signature` ' +
          'must match the Auth Token and this URL as PUBLIC_URL spells it; the answer is empty TwiML (`text/xml`), a ' +
          'signature that does not match is 403 and a request that is not a messaging webhook 400, both as one line of ' +
          'plain text, and a MessageSid sent again is answered like the first time and recorded once. ' +
          'Each SMS is routed to the order or rental holding the receiving number, or kept for staff.',
        params: z.object({ name: Text.max(40) }),
        response: {
          200: z
            .object({ received: z.literal(true) })
            .describe('SMS Gateway for Android: the delivery was accepted (a Twilio gateway gets empty TwiML instead).'),
        },
      },
    },
    async (request, reply) => {
      const now = deps.clock.now();
      const address = request.ip;
      if (refusals.isOver(address))
        throw new DomainError('RATE_LIMITED', 'Too many refused deliveries from this address; check the gateway’s URL and key.', {
          retryAfterSeconds: 60,
        });
      // Only refusals count: a busy gateway's genuine deliveries are never slowed down.
      const refuse = (error: DomainError) => {
        refusals.hit(address);
        return error;
      };

      const known = await gateways.get(request.params.name, async () => {
        const row = await findGateway(request.ctx.db, request.params.name);
        // An SMPP gateway takes no webhooks: its secret is never opened here.
        return row && row.kind !== 'smpp' ? { row, secret: gatewaySecret(deps.keys, row) } : undefined;
      });
      const gateway = known?.row;
      const channel = gateway && gateway.kind !== 'smpp' ? WEBHOOK_CHANNELS[gateway.kind] : undefined;
      if (!known || !gateway || !channel) throw refuse(new DomainError('NOT_FOUND', 'No gateway of that name takes webhooks here.'));
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = channel.receive(
        // request.url is the path and query as sent (raw, not decoded), which is what Twilio signed.
        { url: `${deps.config.publicUrl}${request.url}`, headers: request.headers, rawBody: body },
        known.secret,
        now,
      );
      // The channel's own answer, as bytes (JSON for the app, TwiML or a plain line for Twilio): not re-serialised.
      const answer = (channelReply: GatewayReply) =>
        (reply as unknown as FastifyReply).code(channelReply.status).type(channelReply.contentType).send(channelReply.body);
      const ownAnswers = CHANNEL_ANSWERS.has(channel.kind);
      if (!outcome.ok) {
        deps.metrics.gatewayDeliveries.inc({ gateway: gateway.name, outcome: outcome.reason });
        request.log.warn({ gateway: gateway.name, reason: outcome.reason }, 'a gateway delivery was refused');
        if (ownAnswers) {
          refusals.hit(address);
          return answer(outcome.reply);
        }
        throw refuse(
          outcome.reason === 'malformed'
            ? new DomainError('VALIDATION_FAILED', `The delivery could not be read: ${outcome.message}`)
            : new DomainError(
                'UNAUTHENTICATED',
                `${outcome.reason === 'stale' ? 'Stale timestamp' : 'Bad signature'}: ${outcome.message}.`,
              ),
        );
      }
      let routed: Awaited<ReturnType<typeof acceptGatewayDelivery>>;
      try {
        routed = await acceptGatewayDelivery(request.ctx, deps.activations, gateway, outcome);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'CONFLICT') {
          deps.metrics.gatewayDeliveries.inc({ gateway: gateway.name, outcome: 'replay' });
          // Twilio's retry of a message already recorded: the same answer, nothing recorded again.
          if (ownAnswers) return answer(outcome.reply);
          throw refuse(error);
        }
        throw error;
      }
      gateways.seen(gateway.name, now);
      deps.metrics.gatewayDeliveries.inc({ gateway: gateway.name, outcome: 'accepted' });
      for (const sms of routed) deps.metrics.gatewaySms.inc({ gateway: gateway.name, outcome: sms.outcome });
      return answer(outcome.reply);
    },
  );
};
