import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountEvent } from '../../modules/events/emit.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { Text } from '../schemas.ts';

export const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events for the signed-in account: `activation.updated`, `sms.received`,
 * `balance.updated`. Resumable: send `Last-Event-ID` (browsers do it themselves on reconnect) and every
 * event after it is replayed first. The heartbeat also catches up on anything a lost notification hid.
 */
export const eventRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const open = new Set<{ end(): void }>();
  // Streams never end by themselves: end them before the server closes, or closing would wait forever.
  fastify.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Live events of my account (Server-Sent Events)',
        description:
          'text/event-stream. Events: activation.updated, sms.received, balance.updated; each with an id to resume from (Last-Event-ID).',
        headers: z.object({
          'last-event-id': Text.regex(/^\d{1,18}$/).optional(),
        }),
        querystring: z.object({
          lastEventId: Text.regex(/^\d{1,18}$/).optional(),
        }),
      },
    },
    async (request, reply) => {
      const accountId = principalOf(request).accountId;
      const ephemeral = deps.activations.ephemeral;
      let lastSent = Number(request.headers['last-event-id'] ?? request.query.lastEventId ?? -1);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
        'content-security-policy': "default-src 'none'",
        'x-content-type-options': 'nosniff',
      });
      raw.write('retry: 3000\n\n');

      const send = (event: AccountEvent) => {
        if (event.id <= lastSent) return;
        lastSent = event.id;
        let payload = event.payload;
        if (event.type === 'sms.received' && typeof payload.smsId === 'string' && typeof payload.activationId === 'string') {
          const text = ephemeral.text(payload.activationId, payload.smsId, deps.clock.now().getTime());
          if (text) payload = { ...payload, text };
        }
        raw.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...payload, at: event.createdAt })}\n\n`);
      };

      // Listen first, then replay: events arriving meanwhile wait in the buffer, none is lost or repeated.
      let buffer: AccountEvent[] | undefined = [];
      const unsubscribe = deps.events.subscribe(accountId, (event) => (buffer ? buffer.push(event) : send(event)));
      const catchUp = async () => {
        for (const event of await deps.events.since(accountId, lastSent)) send(event);
      };
      try {
        if (lastSent >= 0) await catchUp();
      } finally {
        for (const event of buffer ?? []) send(event);
        buffer = undefined;
      }

      const heartbeat = setInterval(() => {
        raw.write(': heartbeat\n\n');
        if (lastSent >= 0) void catchUp().catch(() => {});
      }, HEARTBEAT_MS);
      const stream = {
        end: () => {
          clearInterval(heartbeat);
          unsubscribe();
          open.delete(stream);
          raw.end();
        },
      };
      open.add(stream);
      request.raw.on('close', () => stream.end());
    },
  );
};
