import { type OpenStream, openStream, type StreamEvent } from '../../support/sse.ts';

/**
 * An event-stream client that behaves like a browser's EventSource: when its stream ends or cannot be
 * opened, it connects again (every `retryMs`) with `Last-Event-ID` set to the last event it saw, and
 * keeps every event of every connection, in order.
 */
export interface Follower {
  readonly events: StreamEvent[];
  /** How many streams were opened (1 + reconnections). */
  readonly connections: () => number;
  waitFor(predicate: (events: StreamEvent[]) => boolean, timeoutMs: number): Promise<void>;
  close(): void;
}

export async function follow(base: () => string, headers: Record<string, string>, retryMs = 250): Promise<Follower> {
  const events: StreamEvent[] = [];
  let connections = 0;
  let closed = false;
  let current: OpenStream | undefined;
  const connect = async (): Promise<OpenStream | undefined> => {
    const last = events.at(-1);
    try {
      const stream = await openStream(base(), { ...headers, ...(last ? { 'last-event-id': String(last.id) } : {}) });
      if (stream.status !== 200) {
        stream.close();
        return undefined;
      }
      connections++;
      return stream;
    } catch {
      return undefined;
    }
  };
  // The first stream must open: the follower starts before any fault.
  current = await connect();
  if (!current) throw new Error('the event stream did not open');
  const loop = (async () => {
    while (!closed) {
      const stream = current;
      if (stream) {
        let seen = 0;
        while (!stream.isEnded() && !closed) {
          for (; seen < stream.events.length; seen++) events.push(stream.events[seen] as StreamEvent);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        for (; seen < stream.events.length; seen++) events.push(stream.events[seen] as StreamEvent);
      }
      if (closed) break;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      current = await connect();
    }
  })();
  return {
    events,
    connections: () => connections,
    async waitFor(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`not there after ${timeoutMs} ms (${events.length} events received)`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close() {
      closed = true;
      current?.close();
      void loop;
    },
  };
}
