import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { credentialStanding, type Principal } from '../modules/accounts/index.ts';
import type { AppDeps } from './app.ts';

export const HEARTBEAT_MS = 15_000;

/** The longest a timer may wait (setTimeout's limit); a session's end further away is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type Standing = Awaited<ReturnType<typeof credentialStanding>>;

export interface SseStream {
  /** Write one event block (or a comment) to the client. */
  write(chunk: string): void;
  end(): void;
}

/**
 * The machinery every Server-Sent Events route shares (the customer's `/api/v1/events`, the staff's
 * `/api/v1/admin/events`): the response head, heartbeats that keep proxies from closing an idle
 * stream, and the access that opened the stream — checked again whenever the account's access
 * changes anywhere and when its session would end by itself, ending the stream within a second of a
 * logout, a revoked key or session, a suspension. Streams never end by themselves: they are ended
 * before the server closes, or closing would wait forever.
 */
export function sseStreams(fastify: FastifyInstance, deps: AppDeps) {
  const heartbeatMs = deps.eventHeartbeatMs ?? HEARTBEAT_MS;
  const open = new Set<SseStream>();
  fastify.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  /**
   * Take over the response and start the stream for `principal`, whose access was `standing` when the
   * request began; `onEnd` runs once when it ends (whoever ends it). Undefined: the access had already
   * ended (the stream was opened and closed at once).
   */
  return function openStream(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    standing: Standing,
    onEnd: () => void,
  ): SseStream | undefined {
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

    let heartbeat: NodeJS.Timeout | undefined;
    let expiry: NodeJS.Timeout | undefined;
    let stopAuth: (() => void) | undefined;
    const stream: SseStream = {
      write: (chunk) => {
        if (open.has(stream)) raw.write(chunk);
      },
      end: () => {
        if (!open.delete(stream)) return;
        clearInterval(heartbeat);
        clearTimeout(expiry);
        stopAuth?.();
        onEnd();
        raw.end();
      },
    };
    open.add(stream);
    request.raw.on('close', () => stream.end());

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
      if (changed === principal.accountId || changed === '*') void recheck();
    });
    if (!standing.valid) {
      stream.end();
      return undefined;
    }
    armExpiry(standing.endsAt);

    // Heartbeats check the session's end against the clock (a manual clock in tests): they never
    // query the database.
    heartbeat = setInterval(() => {
      raw.write(': heartbeat\n\n');
      if (endsAt && deps.clock.now() >= endsAt) void recheck();
    }, heartbeatMs);
    return stream;
  };
}
