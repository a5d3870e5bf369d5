// Server-Sent Events over fetch. EventSource cannot send an Authorization header, and the anonymous
// account of this browser authenticates with a bearer token, so the stream is read with fetch and a
// ReadableStream for both kinds of account, with what EventSource would do: Last-Event-ID on
// reconnect, the server's `retry:`, and reconnecting after a failure — with back-off, and with a
// watchdog, because a phone that changes networks can leave a connection silently dead.

export interface SseMessage {
  event: string;
  data: string;
  id: string | undefined;
}

/** The event-stream format (HTML Living Standard, "Server-sent events"), fed chunk by chunk. */
export class SseParser {
  #buffer = '';
  #afterCr = false;
  #event = '';
  #data: string[] = [];
  lastEventId: string | undefined;
  retryMs: number | undefined;

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  push(chunk: string): void {
    this.#buffer += chunk;
    // A CR that ended the previous chunk may be the first half of a CRLF: its LF is not a second line end.
    if (this.#afterCr && this.#buffer.length > 0) {
      if (this.#buffer.startsWith('\n')) this.#buffer = this.#buffer.slice(1);
      this.#afterCr = false;
    }
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      if (end === -1) return;
      const width = this.#buffer.startsWith('\r\n', end) ? 2 : 1;
      if (width === 1 && this.#buffer[end] === '\r' && end === this.#buffer.length - 1) this.#afterCr = true;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + width);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
  }

  #dispatch(): void {
    const event = this.#event || 'message';
    const data = this.#data;
    this.#event = '';
    this.#data = [];
    if (data.length === 0) return;
    this.onMessage({ event, data: data.join('\n'), id: this.lastEventId });
  }
}

/** Wait before reconnect attempt `attempt` (1, 2, …): doubling from the server's retry delay, at most 30 s, with jitter. */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(30_000, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

export type LiveState = 'connecting' | 'open' | 'retrying' | 'stopped';

export interface LiveOptions {
  url: string;
  /** Read at every (re)connection, so a new token is used. */
  headers: () => Record<string, string>;
  onEvent: (event: string, data: unknown) => void;
  /** Connected (again): events may have been missed before the first id was known, so re-read the state. */
  onOpen: () => void;
  onState: (state: LiveState) => void;
  /** The server refused the credentials: reconnecting cannot help. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
  /** No byte for this long (the server sends a heartbeat every 15 s): the connection is dead. */
  silenceMs?: number;
  firstRetryMs?: number;
}

export interface LiveConnection {
  close(): void;
  /** Reconnect at once if waiting to retry (the page became visible again, the network came back). */
  wake(): void;
}

export function openLiveEvents(options: LiveOptions): LiveConnection {
  const fetchImpl = options.fetch ?? window.fetch.bind(window);
  const silenceMs = options.silenceMs ?? 45_000;
  let closed = false;
  let controller: AbortController | undefined;
  let lastEventId: string | undefined;
  let retryMs = options.firstRetryMs ?? 1_000;
  let attempt = 0;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = window.setTimeout(done, ms);
      function done() {
        window.clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function connectOnce(): Promise<'again' | 'stop'> {
    controller = new AbortController();
    const signal = controller.signal;
    let watchdog = 0;
    const arm = () => {
      window.clearTimeout(watchdog);
      watchdog = window.setTimeout(() => controller?.abort(), silenceMs);
    };
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers() };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      arm();
      const response = await fetchImpl(options.url, { headers, credentials: 'same-origin', cache: 'no-store', signal });
      if (response.status === 401) {
        options.onUnauthorized();
        return 'stop';
      }
      if (!response.ok || !response.body) return 'again';
      attempt = 0;
      options.onState('open');
      options.onOpen();
      const parser = new SseParser((message) => {
        lastEventId = message.id ?? lastEventId;
        options.onEvent(message.event, parseData(message.data));
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arm();
        parser.push(decoder.decode(value, { stream: true }));
        if (parser.retryMs !== undefined) retryMs = parser.retryMs;
      }
      return 'again';
    } catch {
      return 'again';
    } finally {
      window.clearTimeout(watchdog);
    }
  }

  void (async () => {
    options.onState('connecting');
    while (!closed) {
      const outcome = await connectOnce();
      if (closed) break;
      if (outcome === 'stop') {
        options.onState('stopped');
        return;
      }
      attempt += 1;
      options.onState('retrying');
      await sleep(backoffDelay(attempt, retryMs));
      if (!closed) options.onState('connecting');
    }
  })();

  return {
    close() {
      closed = true;
      controller?.abort();
      wake?.();
    },
    wake() {
      wake?.();
    },
  };
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
