import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { credentialStanding } from '../../modules/accounts/index.ts';
import type { AccountEvent } from '../../modules/events/index.ts';
import { StreamCursor } from '../../modules/events/index.ts';
import type { Announcement } from '../../runtime/event-bus.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { Text } from '../schemas.ts';

export const HEARTBEAT_MS = 15_000;

/** The longest a timer may wait (setTimeout's limit); a session's end further away is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Server-Sent Events for the signed-in account: `activation.updated`, `sms.received`,
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
  const heartbeatMs = deps.eventHeartbeatMs ?? HEARTBEAT_MS;
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
          'text/event-stream. Events: activation.updated, sms.received, balance.updated, payment.updated, support.message; each with an id — its number within your account, ' +
          '1, 2, 3, … without gaps — to resume from (Last-Event-ID). The stream ends when the access that opened it ends ' +
          '(logout, revoked key or session, expiry, suspension).',
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
        throw error;
      }

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
        let payload = event.payload;
        if (event.type === 'sms.received' && typeof payload.smsId === 'string' && typeof payload.activationId === 'string') {
          const text = ephemeral.text(payload.activationId, payload.smsId, deps.clock.now().getTime());
          if (text) payload = { ...payload, text };
        }
        raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...payload, at: event.createdAt })}\n\n`);
      };

      let heartbeat: NodeJS.Timeout | undefined;
      let expiry: NodeJS.Timeout | undefined;
      let stopAuth: (() => void) | undefined;
      const stream = {
        end: () => {
          if (!open.delete(stream)) return;
          clearInterval(heartbeat);
          clearTimeout(expiry);
          stopAuth?.();
          unsubscribe();
          cursor?.end();
          raw.end();
        },
      };
      open.add(stream);
      request.raw.on('close', () => stream.end());

      // The access that opened the stream: checked again whenever this account's access changes
      // anywhere, and when the session would end by itself.
      let checking = false;
      const recheck = async () => {
        if (checking || !open.has(stream)) return;
        checking = true;
        try {
          const now = await credentialStanding(request.ctx, principal);
          if (!now.valid) stream.end();
          else armExpiry(now.endsAt);
        } catch (error) {
          request.log.warn({ err: error }, 'could not check the access of an event stream; ending it');
          stream.end();
        } finally {
          checking = false;
        }
      };
      let endsAt: Date | undefined;
      const armExpiry = (end: Date | undefined) => {
        clearTimeout(expiry);
        endsAt = end;
        if (!end) return;
        const wait = Math.min(MAX_TIMER_MS, Math.max(0, end.getTime() - deps.clock.now().getTime()));
        expiry = setTimeout(() => void recheck(), wait);
      };
      stopAuth = deps.events.onAuthChange((changed) => {
        if (changed === accountId || changed === '*') void recheck();
      });
      if (!standing.valid) {
        stream.end();
        return;
      }
      armExpiry(standing.endsAt);

      // Resume after the client's last event (a number beyond the newest is not ours: start from now).
      const lastSent = resumeFrom === undefined ? head : Math.min(Number(resumeFrom), head);
      cursor = new StreamCursor(lastSent, {
        read: (afterSeq) => deps.events.since(accountId, afterSeq),
        send,
        fail: (error) => {
          request.log.warn({ err: error }, 'could not read events for a stream; ending it (the client resumes)');
          stream.end();
        },
      });
      cursor.offer({ seq: head });
      for (const announcement of early ?? []) cursor.offer(announcement);
      early = undefined;

      // Heartbeats keep proxies from closing an idle stream, and check the session's end against the
      // clock (a manual clock in tests): they never query the database.
      heartbeat = setInterval(() => {
        raw.write(': heartbeat\n\n');
        if (endsAt && deps.clock.now() >= endsAt) void recheck();
      }, heartbeatMs);
    },
  );
};
