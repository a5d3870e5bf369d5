import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { credentialStanding } from '../../modules/accounts/index.ts';
import type { AccountEvent } from '../../modules/events/index.ts';
import { StreamCursor } from '../../modules/events/index.ts';
import { ephemeralKey } from '../../modules/rentals/index.ts';
import type { Announcement } from '../../runtime/event-bus.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { Text } from '../schemas.ts';
import { sseStreams } from '../sse.ts';

export { HEARTBEAT_MS } from '../sse.ts';

/**
 * Server-Sent Events for the signed-in account: `activation.updated`, `sms.received`, `rental.updated`, `rental.sms`,
 * `balance.updated`, `payment.updated`, `support.message`. Each event's id is its number within the account (1, 2, 3, …): every committed
 * event reaches every open stream of its account exactly once and in order (StreamCursor), and a
 * client resumes with `Last-Event-ID` (browsers send it themselves when they reconnect).
 *
 * A stream lasts only as long as the access that opened it: it ends within a second of a logout, a
 * revoked key or session, a suspension (each announced on every instance), and when its session
 * expires or goes idle.
 */
export const eventRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const streams = sseStreams(fastify, deps, 'account');

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Live events of my account (Server-Sent Events)',
        description:
          'text/event-stream. Events: activation.updated, sms.received, balance.updated, payment.updated, support.message, rental.updated, rental.sms; each with an id — its number within your account, ' +
          '1, 2, 3, … without gaps — to resume from (Last-Event-ID). The stream ends when the access that opened it ends ' +
          '(logout, revoked key or session, expiry, suspension). An account holds at most 20 streams on a server: the next is ' +
          'refused with 429 RATE_LIMITED until one ends.',
        headers: z.object({
          'last-event-id': Text.regex(/^\d{1,18}$/).optional(),
        }),
        querystring: z.object({
          lastEventId: Text.regex(/^\d{1,18}$/).optional(),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const accountId = principal.accountId;
      const ephemeral = deps.activations.ephemeral;
      const resumeFrom = request.headers['last-event-id'] ?? request.query.lastEventId;
      const leave = streams.admit(accountId);

      // Listen first, then find where the account's events stand: announcements arriving meanwhile wait.
      let early: Announcement[] | undefined = [];
      let cursor: StreamCursor | undefined;
      const unsubscribe = deps.events.subscribe(accountId, (announcement) =>
        cursor ? cursor.offer(announcement) : early?.push(announcement),
      );
      let head: number;
      let standing: Awaited<ReturnType<typeof credentialStanding>>;
      try {
        [head, standing] = await Promise.all([deps.events.head(accountId), credentialStanding(request.ctx, principal)]);
      } catch (error) {
        unsubscribe();
        leave();
        throw error;
      }

      const stream = streams.open(request, reply, principal, standing, () => {
        unsubscribe();
        cursor?.end();
        leave();
      });
      if (!stream) return;

      const send = (event: AccountEvent) => {
        let payload = event.payload;
        if (event.type === 'sms.received' && typeof payload.smsId === 'string' && typeof payload.activationId === 'string') {
          const text = ephemeral.text(payload.activationId, payload.smsId, deps.clock.now().getTime());
          if (text) payload = { ...payload, text };
        }
        // A rented number's SMS under SMS_STORAGE=ephemeral: its text, held in this process for a minute (rentals/receive-sms.ts).
        if (event.type === 'rental.sms' && typeof payload.smsId === 'string' && typeof payload.rentalId === 'string') {
          const text = ephemeral.text(ephemeralKey(payload.rentalId, payload.smsId), payload.smsId, deps.clock.now().getTime());
          if (text) payload = { ...payload, text };
        }
        stream.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...payload, at: event.createdAt })}\n\n`);
      };

      // Resume after the client's last event (a number beyond the newest is not ours: start from now).
      const lastSent = resumeFrom === undefined ? head : Math.min(Number(resumeFrom), head);
      cursor = new StreamCursor(lastSent, {
        read: (afterSeq) => deps.events.since(accountId, afterSeq),
        send,
        fail: (error) => {
          request.log.warn({ err: error }, 'could not read events for a stream; ending it (the client resumes)');
          stream.end();
        },
        // A client behind is sent nothing more until it caught up: its events wait in the database.
        backlog: stream.backlog,
      });
      cursor.offer({ seq: head });
      for (const announcement of early ?? []) cursor.offer(announcement);
      early = undefined;
    },
  );
};
