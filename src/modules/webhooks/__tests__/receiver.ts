import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';
import type { WebhookPayload } from '../../../db/schema/index.ts';
import type { Clock } from '../../../lib/clock.ts';

export interface Received {
  id: string;
  timestamp: string;
  body: string;
  headers: IncomingHttpHeaders;
  payload: WebhookPayload;
}

/** What the receiver answers to a verified delivery: a status, a redirect, or nothing at all (hang). */
export type Answer = number | { status: number; headers: Record<string, string> } | 'hang';

export interface Receiver {
  url: string;
  port: number;
  /** The endpoint's current signing secret, set once the endpoint exists. */
  secret: string;
  /** Verified deliveries, in arrival order. */
  received: Received[];
  /** Requests whose signature did not verify (must stay empty). */
  rejected: { headers: IncomingHttpHeaders; error: string }[];
  /** TCP connections accepted, verified or not. */
  connections: number;
  close(): Promise<void>;
}

/**
 * A real webhook receiver on 127.0.0.1 (node:http) that verifies every request with the
 * `standardwebhooks` package, as a customer would. The package checks `webhook-timestamp` against
 * the wall clock (±5 min); deliveries are signed at the test clock's time, so verification runs with
 * Date set to that clock: the same check, at the moment the test says it is.
 */
export async function startReceiver(clock: Clock, answer: (delivery: Received, index: number) => Answer = () => 200): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    port: 0,
    secret: '',
    received: [],
    rejected: [],
    connections: 0,
    close: async () => {},
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(request.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])),
      );
      let payload: WebhookPayload;
      try {
        payload = verifyAt(clock.now(), receiver.secret, body, headers) as WebhookPayload;
      } catch (error) {
        receiver.rejected.push({ headers: request.headers, error: (error as Error).message });
        response.writeHead(401).end();
        return;
      }
      const delivery: Received = {
        id: String(request.headers['webhook-id']),
        timestamp: String(request.headers['webhook-timestamp']),
        body,
        headers: request.headers,
        payload,
      };
      receiver.received.push(delivery);
      reply(response, answer(delivery, receiver.received.length - 1));
    });
  });
  server.on('connection', () => {
    receiver.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hooks/otpbox`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** `new Webhook(secret).verify(body, headers)` as a receiver would run it at `at` (its replay window is ±5 min of now). */
export function verifyAt(at: Date, secret: string, body: string, headers: Record<string, string>): unknown {
  vi.useFakeTimers({ toFake: ['Date'], now: at });
  try {
    return new Webhook(secret).verify(body, headers);
  } finally {
    vi.useRealTimers();
  }
}

function reply(response: ServerResponse, answer: Answer) {
  if (answer === 'hang') return;
  if (typeof answer === 'number') response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
  else response.writeHead(answer.status, answer.headers).end();
}
