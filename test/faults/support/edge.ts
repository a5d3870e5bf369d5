import { connect, type Socket } from 'node:net';
import { ManualClock } from '../../../src/lib/clock.ts';

/**
 * Helpers of the upstream-fault and slow-consumer files of the fault suite.
 */

/**
 * A clock that runs with real time (the fault suite's load runs for real seconds) and can still be
 * moved forward by hand, as ManualClock: `advance` stands for time that passes without waiting for it
 * (a breaker's pause, for one).
 */
export class RunningClock extends ManualClock {
  readonly #startedAt = performance.now();
  readonly #start: number;
  #skipped = 0;

  constructor(start: Date | string | number = Date.now()) {
    super(start);
    this.#start = new Date(start).getTime();
  }
  override now(): Date {
    return new Date(this.#start + this.#skipped + (performance.now() - this.#startedAt));
  }
  override advance(ms: number): Date {
    this.#skipped += ms;
    return this.now();
  }
  override set(to: Date | string | number): Date {
    this.#skipped += new Date(to).getTime() - this.now().getTime();
    return this.now();
  }
}

export interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/**
 * An HTTP/1.1 GET over a bare TCP socket that stops reading as soon as its request is sent (the socket
 * is paused: what the server sends waits in the kernel's buffers, then in the server's). `resume` reads
 * on: everything the server had handed to the kernel before it cut the connection.
 */
export interface StalledClient {
  /** Resolves when the connection is closed (by the server, after `resume`). */
  closed: Promise<void>;
  resume(): void;
  /** The response's status line. */
  statusLine(): string;
  /** The complete events received (an event cut in the middle is not one). */
  events(): SseEvent[];
  destroy(): void;
}

export async function stalledClient(port: number, path: string, headers: Record<string, string>): Promise<StalledClient> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A reset after the server destroyed its side is how such a connection may end: not a failure here.
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const head = Object.entries({ host: `127.0.0.1:${port}`, accept: 'text/event-stream', ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(`GET ${path} HTTP/1.1\r\n${head}\r\n`);
  socket.pause();
  const response = () => Buffer.concat(chunks);
  return {
    closed,
    resume: () => socket.resume(),
    statusLine: () => {
      const text = response().toString('latin1');
      return text.slice(0, text.indexOf('\r\n'));
    },
    events: () => {
      const bytes = response();
      const bodyAt = bytes.indexOf('\r\n\r\n');
      return bodyAt < 0 ? [] : parseSse(dechunk(bytes.subarray(bodyAt + 4)));
    },
    destroy: () => socket.destroy(),
  };
}

/** The body of a chunked HTTP response, as far as it goes (a chunk cut short is kept as far as it came). */
export function dechunk(body: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, Math.min(lineEnd + 2 + size, body.length)));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The complete events of an SSE text: blocks ended by a blank line, with an `event` field. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (let start = 0, end = text.indexOf('\n\n'); end >= 0; start = end + 2, end = text.indexOf('\n\n', start)) {
    const fields = new Map<string, string>();
    for (const line of text.slice(start, end).split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
    }
    const event = fields.get('event');
    if (event) events.push({ id: Number(fields.get('id')), event, data: JSON.parse(fields.get('data') ?? '{}') });
  }
  return events;
}

/** Poll `check` every `everyMs` until it holds; throws with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
