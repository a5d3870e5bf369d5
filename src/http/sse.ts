import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../lib/errors.ts';
import { credentialStanding, type Principal } from '../modules/accounts/index.ts';
import type { AppDeps } from './app.ts';

export const HEARTBEAT_MS = 15_000;

/**
 * The most bytes an event stream may keep waiting in this process for its client (ADR 45). Bytes
 * wait here only once the kernel's socket buffers are full; from about 16 KiB on (the socket's
 * high-water mark) the stream stops writing events until the client has taken them, so only what
 * ignores that (heartbeats, the staff stream's notices) or one outsized event could reach the cap.
 * 10,000 streams all at the cap hold 640 MiB.
 */
export const MAX_QUEUED_BYTES = 64 * 1024;

/** A client that has not taken what waits for it within this long is cut off (ADR 45). */
export const STALL_MS = 30_000;

/**
 * The most streams of one kind one account may hold open on one instance (ADR 53). Each costs memory
 * (about 30 KB), a socket, and a check of the account's access whenever that access changes anywhere:
 * without a cap, one account could open streams until the process runs out of memory or descriptors,
 * and make every sign-in of its own cost a query per stream. A browser holds one per tab (at most six
 * over HTTP/1.1); a script, a few.
 */
export const MAX_STREAMS_PER_ACCOUNT = 20;

/** How long a client waits before it reconnects (the stream's `retry:`): what browsers wait when a server says nothing. */
export const RECONNECT_MS = 3_000;

/**
 * When this instance closes, the clients of all its streams reconnect at once — to another instance, or
 * to this one started again — and each resumes with a read of its events since Last-Event-ID, and of its
 * credential (a new instance's caches are empty). At 10,000 streams that is 20,000 queries within the
 * second of a client's reconnect delay. Each stream is therefore told, as it is closed, a reconnect delay
 * of its own: RECONNECT_MS and a share of a window long enough for RESUMES_PER_SECOND streams a second,
 * at most RECONNECT_SPREAD_MAX_MS (ADR 53).
 */
export const RESUMES_PER_SECOND = 1_000;
export const RECONNECT_SPREAD_MAX_MS = 30_000;

/** The reconnect delay for one of `streams` closing together; `random` in [0, 1). */
export function reconnectDelayMs(streams: number, random: number): number {
  const windowMs = Math.min(RECONNECT_SPREAD_MAX_MS, (streams / RESUMES_PER_SECOND) * 1_000);
  return RECONNECT_MS + Math.floor(random * windowMs);
}

/** What chunked encoding adds to each write: the length in hex and two line ends. */
const CHUNK_FRAMING_BYTES = 12;

/** Which stream, for the metric of streams cut. */
export type StreamKind = 'account' | 'staff';

/** What the cap needs of a response: the bytes it has queued and not yet handed to the kernel, and a write. */
export interface QueuedOutput {
  readonly writableLength: number;
  write(chunk: string): boolean;
}

/**
 * Write `chunk` unless the bytes queued would then pass `cap`: false, and nothing written. An event
 * larger than the cap by itself still goes out when nothing waits before it (the kernel takes it).
 */
export function writeUnderCap(out: QueuedOutput, chunk: string, cap: number): boolean {
  const queued = out.writableLength;
  if (queued > 0 && queued + Buffer.byteLength(chunk) + CHUNK_FRAMING_BYTES > cap) return false;
  out.write(chunk);
  return true;
}

/** The longest a timer may wait (setTimeout's limit); a session's end further away is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type Standing = Awaited<ReturnType<typeof credentialStanding>>;

export interface SseStream {
  /** Write one event block (or a comment) to the client. */
  write(chunk: string): void;
  /**
   * Undefined while the client takes what is written. Otherwise it is behind: the promise settles
   * once it has caught up, or the stream ended (cut off after STALL_MS). Write no events meanwhile.
   */
  backlog(): Promise<void> | undefined;
  end(): void;
}

/**
 * The machinery every Server-Sent Events route shares (the customer's `/api/v1/events`, the staff's
 * `/api/v1/admin/events`): the response head, heartbeats that keep proxies from closing an idle
 * stream, and the access that opened the stream — checked again whenever the account's access
 * changes anywhere and when its session would end by itself, ending the stream within a second of a
 * logout, a revoked key or session, a suspension. Streams never end by themselves: they are ended
 * before the server closes, or closing would wait forever.
 *
 * Slow clients: when a write leaves more waiting than the socket's high-water mark, the stream is
 * behind (`backlog`) until the socket drains. A client that stays behind for STALL_MS, or that a write
 * would leave more than MAX_QUEUED_BYTES behind, is cut off: its connection destroyed and what waited
 * for it dropped, counted and logged. Its events stay in the database; it reconnects with
 * Last-Event-ID and reads them.
 */
export function sseStreams(fastify: FastifyInstance, deps: AppDeps, kind: StreamKind) {
  const heartbeatMs = deps.eventHeartbeatMs ?? HEARTBEAT_MS;
  const stallMs = deps.eventStreamStallMs ?? STALL_MS;
  const open = new Set<SseStream>();
  /** Streams open or being opened, per account (MAX_STREAMS_PER_ACCOUNT). */
  const perAccount = new Map<string, number>();
  fastify.addHook('preClose', async () => {
    const closing = open.size;
    for (const stream of open) {
      stream.write(`retry: ${reconnectDelayMs(closing, Math.random())}\n\n`);
      stream.end();
    }
  });

  /**
   * Take one of the account's stream slots before anything else is done for the stream, or refuse
   * with 429 `RATE_LIMITED` when it holds MAX_STREAMS_PER_ACCOUNT already. The returned function
   * gives the slot back; call it exactly once, when the stream ends or was never opened.
   */
  function admit(accountId: string): () => void {
    const held = perAccount.get(accountId) ?? 0;
    if (held >= MAX_STREAMS_PER_ACCOUNT) {
      deps.metrics.eventStreamsRefused.inc({ stream: kind });
      throw new DomainError(
        'RATE_LIMITED',
        `This account already has ${MAX_STREAMS_PER_ACCOUNT} event streams open here; close one before opening another.`,
        { retryAfterSeconds: 5, limit: MAX_STREAMS_PER_ACCOUNT },
      );
    }
    perAccount.set(accountId, held + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (perAccount.get(accountId) ?? 1) - 1;
      if (left > 0) perAccount.set(accountId, left);
      else perAccount.delete(accountId);
    };
  }

  /**
   * Take over the response and start the stream for `principal`, whose access was `standing` when the
   * request began; `onEnd` runs once when it ends (whoever ends it). Undefined: the access had already
   * ended (the stream was opened and closed at once).
   */
  function openStream(
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
    raw.write(`retry: ${RECONNECT_MS}\n\n`);

    let heartbeat: NodeJS.Timeout | undefined;
    let expiry: NodeJS.Timeout | undefined;
    let stopAuth: (() => void) | undefined;
    let behind: { caughtUp: Promise<void>; settle: () => void; stalled: NodeJS.Timeout } | undefined;
    const catchUp = () => {
      if (!behind) return;
      clearTimeout(behind.stalled);
      behind.settle();
      behind = undefined;
    };
    raw.on('drain', catchUp);
    const finish = (cut: boolean) => {
      if (!open.delete(stream)) return;
      clearInterval(heartbeat);
      clearTimeout(expiry);
      stopAuth?.();
      catchUp();
      onEnd();
      // Ending would wait for a client that does not read to take what is queued: destroying frees it now.
      if (cut) raw.destroy();
      else raw.end();
    };
    const cutOff = (reason: 'stalled' | 'cap') => {
      deps.metrics.eventStreamsCut.inc({ stream: kind, reason });
      request.log.info(
        { stream: kind, reason, queuedBytes: raw.writableLength, capBytes: MAX_QUEUED_BYTES, stallMs },
        'event stream cut: the client is not reading (it resumes with Last-Event-ID)',
      );
      finish(true);
    };
    const stream: SseStream = {
      write: (chunk) => {
        if (!open.has(stream)) return;
        if (!writeUnderCap(raw, chunk, MAX_QUEUED_BYTES)) return cutOff('cap');
        // Above the high-water mark: behind until the socket drains ('drain' follows a false write).
        if (raw.writableNeedDrain && !behind) {
          let settle = () => {};
          const caughtUp = new Promise<void>((resolve) => {
            settle = resolve;
          });
          behind = { caughtUp, settle, stalled: setTimeout(() => cutOff('stalled'), stallMs) };
        }
      },
      backlog: () => behind?.caughtUp,
      end: () => finish(false),
    };
    open.add(stream);
    request.raw.on('close', () => stream.end());
    // A client that left while the stream was being opened (its first reads) has closed already, and
    // no 'close' will come: without this its stream, timers and account slot would stay for ever.
    if (request.raw.destroyed) {
      stream.end();
      return undefined;
    }

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
      stream.write(': heartbeat\n\n');
      if (endsAt && deps.clock.now() >= endsAt) void recheck();
    }, heartbeatMs);
    return stream;
  }

  return { admit, open: openStream };
}
