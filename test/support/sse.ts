import type { AddressInfo } from 'node:net';
import type { TestApp } from './app.ts';

export interface StreamEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/** An open `GET /api/v1/events` read over real HTTP: the events so far, and whether it ended. */
export interface OpenStream {
  status: number;
  events: StreamEvent[];
  /** Every `retry:` the server sent, in order (milliseconds). */
  retries: number[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  /** Wait until `predicate` holds for the events received (or the stream ends, or `timeoutMs` passes: then it throws). */
  waitFor(predicate: (events: StreamEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** The app listening on a free port of 127.0.0.1 (once), for clients that need a real connection. */
export async function baseUrlOf(t: TestApp): Promise<string> {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

export async function openStream(base: string, headers: Record<string, string>, path = '/api/v1/events'): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${base}${path}`, { headers, signal: controller.signal });
  const events: StreamEvent[] = [];
  const retries: number[] = [];
  let ended = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  const reading = (async () => {
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => line && !line.startsWith(':'))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
          );
          if (fields.retry !== undefined) retries.push(Number(fields.retry));
          if (fields.event) events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data ?? '{}') });
        }
        wake();
      }
    } catch {
      // Aborted by close().
    } finally {
      ended = true;
      wake();
    }
  })();
  return {
    status: response.status,
    events,
    retries,
    ended: reading,
    isEnded: () => ended,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (ended) throw new Error(`the stream ended after ${events.length} events`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`not there after ${timeoutMs} ms (${events.length} events received)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(left, 200));
          function done() {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
    },
    close: () => controller.abort(),
  };
}

/** Wait for a stream to end, at most `timeoutMs`; false when it is still open then. */
export async function endsWithin(stream: OpenStream, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const result = await Promise.race([stream.ended.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}
