// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { backoffDelay, type LiveState, openLiveEvents, type SseMessage, SseParser } from './sse.ts';

function parse(chunks: string[]): { messages: SseMessage[]; parser: SseParser } {
  const messages: SseMessage[] = [];
  const parser = new SseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.push(chunk);
  return { messages, parser };
}

describe('SseParser', () => {
  it('reads the events the otpbox server sends, with their ids and the retry delay', () => {
    const { messages, parser } = parse([
      'retry: 3000\n\n',
      'id: 1\nevent: activation.updated\ndata: {"activationId":"act_1","status":"waiting"}\n\n',
      ': heartbeat\n\n',
      'id: 2\nevent: sms.received\ndata: {"activationId":"act_1","code":"12345"}\n\n',
    ]);
    expect(parser.retryMs).toBe(3000);
    expect(messages).toEqual([
      { event: 'activation.updated', data: '{"activationId":"act_1","status":"waiting"}', id: '1' },
      { event: 'sms.received', data: '{"activationId":"act_1","code":"12345"}', id: '2' },
    ]);
    expect(parser.lastEventId).toBe('2');
  });

  it('joins events split anywhere across chunks, including inside a CRLF', () => {
    const whole = 'id: 7\r\nevent: balance.updated\r\ndata: {"available":5,\r\ndata: "held":0}\r\n\r\n';
    for (let cut = 1; cut < whole.length; cut++) {
      const { messages } = parse([whole.slice(0, cut), whole.slice(cut)]);
      expect(messages, `cut at ${cut}`).toEqual([{ event: 'balance.updated', data: '{"available":5,\n"held":0}', id: '7' }]);
    }
  });

  it('accepts lone CR line endings, defaults the event name and ignores unknown fields and comments', () => {
    const { messages } = parse(['data: a\rfoo: bar\r: note\rdata:b\r\r']);
    expect(messages).toEqual([{ event: 'message', data: 'a\nb', id: undefined }]);
  });

  it('dispatches nothing for a block without data, and keeps the last id for the next event', () => {
    const { messages, parser } = parse(['id: 9\n\n', 'event: x\n\n', 'data: y\n\n']);
    expect(messages).toEqual([{ event: 'message', data: 'y', id: '9' }]);
    expect(parser.lastEventId).toBe('9');
  });

  it('ignores a retry that is not a number and an id containing NUL', () => {
    const { parser } = parse(['retry: soon\nid: a\u0000b\ndata: z\n\n']);
    expect(parser.retryMs).toBeUndefined();
    expect(parser.lastEventId).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles from the server retry delay up to 30 s, with ±20% jitter', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, 3000, middle))).toEqual([
      3000, 6000, 12000, 24000, 30000, 30000, 30000,
    ]);
    expect(backoffDelay(1, 3000, () => 0)).toBe(2400);
    expect(backoffDelay(1, 3000, () => 1)).toBe(3600);
  });
});

/** A server answer whose body streams `chunks`, then ends (the connection drops). */
function streamed(chunks: string[], status = 200): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { status, headers: { 'content-type': 'text/event-stream' } });
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('openLiveEvents', () => {
  it('delivers events, reconnects when the stream ends and resumes with Last-Event-ID', async () => {
    const calls: Record<string, string>[] = [];
    const answers = [
      streamed(['retry: 5\n\n', 'id: 41\nevent: sms.received\ndata: {"activationId":"act_1","code":"777"}\n\n']),
      streamed(['id: 42\nevent: balance.updated\ndata: {"available":3,"held":0}\n\n']),
    ];
    const events: [string, unknown][] = [];
    const states: LiveState[] = [];
    let opened = 0;
    const live = openLiveEvents({
      url: '/api/v1/events',
      headers: () => ({ authorization: 'Bearer otp_dev_x' }),
      fetch: async (_url, init) => {
        calls.push({ ...(init?.headers as Record<string, string>) });
        return answers.shift() ?? new Promise<Response>(() => {});
      },
      onEvent: (type, data) => events.push([type, data]),
      onOpen: () => {
        opened += 1;
      },
      onState: (state) => states.push(state),
      onUnauthorized: () => {},
    });
    await until(() => events.length === 2 && calls.length === 3);
    live.close();

    expect(events).toEqual([
      ['sms.received', { activationId: 'act_1', code: '777' }],
      ['balance.updated', { available: 3, held: 0 }],
    ]);
    expect(calls[0]).toEqual({ accept: 'text/event-stream', authorization: 'Bearer otp_dev_x' });
    expect(calls[1]).toEqual({ accept: 'text/event-stream', authorization: 'Bearer otp_dev_x', 'last-event-id': '41' });
    expect(calls[2]?.['last-event-id']).toBe('42');
    // Every (re)connection re-reads the orders: what happened while disconnected is not lost.
    expect(opened).toBe(2);
    expect(states.slice(0, 4)).toEqual(['connecting', 'open', 'retrying', 'connecting']);
  });

  it('stops when the credentials are refused, instead of retrying forever', async () => {
    let calls = 0;
    let unauthorized = 0;
    const states: LiveState[] = [];
    openLiveEvents({
      url: '/api/v1/events',
      headers: () => ({}),
      fetch: async () => {
        calls += 1;
        return new Response('{}', { status: 401 });
      },
      onEvent: () => {},
      onOpen: () => {},
      onState: (state) => states.push(state),
      onUnauthorized: () => {
        unauthorized += 1;
      },
    });
    await until(() => states.includes('stopped'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect({ calls, unauthorized }).toEqual({ calls: 1, unauthorized: 1 });
  });

  it('retries after a network failure, and wake() skips the wait', async () => {
    let calls = 0;
    const states: LiveState[] = [];
    const live = openLiveEvents({
      url: '/api/v1/events',
      headers: () => ({}),
      firstRetryMs: 60_000,
      fetch: async () => {
        calls += 1;
        if (calls === 1) throw new TypeError('Failed to fetch');
        return new Promise<Response>(() => {});
      },
      onEvent: () => {},
      onOpen: () => {},
      onState: (state) => states.push(state),
      onUnauthorized: () => {},
    });
    await until(() => states.includes('retrying'));
    expect(calls).toBe(1);
    live.wake();
    await until(() => calls === 2);
    live.close();
  });
});
