import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { baseUrlOf, openStream } from '../../../test/support/sse.ts';
import { HTTP_TIMEOUTS } from '../app.ts';

// ADR 52: a request must arrive whole within its bounds (here shortened), or Node answers 408 and
// closes the connection; what Node cannot take as HTTP is answered in the one error envelope too.
const TIMEOUTS = { headersMs: 300, requestMs: 600, checkMs: 50 };
let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await createTestApp({ httpTimeouts: TIMEOUTS, eventHeartbeatMs: 100 });
  port = Number(new URL(await baseUrlOf(t)).port);
});
afterAll(() => t?.close());

/** Send `parts` on a raw connection (each after `gapMs`), and read what comes back until the server closes it. */
function rawExchange(parts: string[], gapMs = 0): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return reject(new Error(`no answer before the connection closed: ${JSON.stringify(received)}`));
      const head = received.slice(0, end);
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: received.slice(end + 4) });
    });
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

describe('requests that do not arrive in time, or are not HTTP', () => {
  it('the service bounds the headers to 20 s and the whole request to 60 s, checked every 5 s', () => {
    expect(HTTP_TIMEOUTS).toEqual({ headersMs: 20_000, requestMs: 60_000, checkMs: 5_000 });
  });

  it('answers a body that never finishes 408 REQUEST_TIMEOUT in the error envelope, and closes the connection', async () => {
    const answer = await rawExchange([
      `POST /api/v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"em`,
    ]);
    expect(answer.status).toBe(408);
    expect(answer.headers).toContain('content-type: application/json');
    expect(answer.headers).toContain('connection: close');
    const { error } = JSON.parse(answer.body);
    expect(error.code).toBe('REQUEST_TIMEOUT');
    expect(error.requestId).toMatch(/^req_/);
    expect(answer.headers).toContain(`x-request-id: ${error.requestId}`);
  });

  it('answers headers sent a line at a time past their bound 408 too', async () => {
    const lines = ['GET /api/v1/catalog/services HTTP/1.1\r\n', 'host: x\r\n', 'x-slow: 1\r\n', 'x-slow: 2\r\n', 'x-slow: 3\r\n'];
    const answer = await rawExchange([...lines, ...lines.slice(2), ...lines.slice(2), ...lines.slice(2)], 100);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body).error.code).toBe('REQUEST_TIMEOUT');
  });

  it('answers headers over 16 KB 431 HEADERS_TOO_LARGE', async () => {
    const answer = await rawExchange([`GET /api/v1/catalog/services HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body).error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('answers what is not HTTP 400 VALIDATION_FAILED', async () => {
    const answer = await rawExchange(['HELLO THERE\r\n\r\n']);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'The request is not valid HTTP/1.1.' });
  });

  it('does not bound a response: an event stream stays open well past the request bound', async () => {
    const actor = await createActor(t);
    const stream = await openStream(await baseUrlOf(t), { authorization: actor.bearer });
    try {
      expect(stream.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, TIMEOUTS.requestMs * 3));
      expect(stream.isEnded()).toBe(false);
    } finally {
      stream.close();
    }
  });

  it('still answers a request that arrives at once, on the same bounds', async () => {
    const response = await fetch(`${await baseUrlOf(t)}/healthz`);
    expect(response.status).toBe(200);
  });
});
