import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUEUED_BYTES } from '../../src/http/sse.ts';
import { emitAccountEvents } from '../../src/modules/events/index.ts';
import { createActor } from '../support/actors.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { baseUrlOf, type OpenStream, openStream } from '../support/sse.ts';
import { type StalledClient, stalledClient, until } from './support/edge.ts';

/**
 * Slow consumers (issue 21, ADR 45): a client that opens the event stream and then never reads must
 * not make the server hold its events without bound. Once the kernel's buffers are full the server
 * stops sending to it (its events wait in the database), keeps less than MAX_QUEUED_BYTES queued for
 * it, and cuts the connection when it has been behind for the stall limit, counting it; the client,
 * reconnecting with Last-Event-ID, misses nothing. A client that reads, on the same account at the
 * same time, is neither cut nor held back.
 */
const EVENTS = 2_400;
const STALL_MS = 2_000;
const BATCH = 50;
/** Large events (a support message with a long body), so the kernel's buffers fill with few of them. */
const FILLER = 'x'.repeat(4_000);

const logLines: Record<string, unknown>[] = [];
const captured = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
    done();
  },
});

let t: TestApp;
let base: string;
const streamResponses: ServerResponse[] = [];
beforeAll(async () => {
  // A client is cut off after 2 s behind here (30 s by default).
  t = await createTestApp({ env: { API_RATE_LIMIT: '0' }, log: pino({ level: 'info' }, captured), eventStreamStallMs: STALL_MS });
  base = await baseUrlOf(t);
  t.app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.url?.startsWith('/api/v1/events')) streamResponses.push(response);
  });
});
const closers: (() => void)[] = [];
afterAll(async () => {
  for (const close of closers) close();
  await t?.close();
});

/** `otpbox_event_streams_cut_total` for the customer's stream: stalled and cap, as /metrics shows them. */
const cutsCounted = async () => {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const count = (reason: string) => {
    const line = text
      .split('\n')
      .find((l) => l.startsWith('otpbox_event_streams_cut_total{') && l.includes('stream="account"') && l.includes(`reason="${reason}"`));
    return Number(line?.split(' ').at(-1));
  };
  return { stalled: count('stalled'), cap: count('cap') };
};

describe('a client that stops reading its event stream', () => {
  it('is waited for with less than the cap queued, cut off when the stall limit passes, and resumes with Last-Event-ID missing nothing', async () => {
    const customer = await createActor(t);
    const port = (t.app.server.address() as AddressInfo).port;
    expect(await cutsCounted()).toEqual({ stalled: 0, cap: 0 });

    // A reader on the same account, and the client that stops reading.
    const reader: OpenStream = await openStream(base, { authorization: customer.bearer });
    closers.push(reader.close);
    const stalled: StalledClient = await stalledClient(port, '/api/v1/events', { authorization: customer.bearer });
    closers.push(stalled.destroy);
    await until('both streams open on the server', () => streamResponses.length === 2 && streamResponses.every((r) => r.headersSent));
    const stalledResponse = streamResponses[1] as ServerResponse;

    // What the server keeps waiting for the stalled client, sampled while the events go out.
    let mostQueued = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      if (stalledResponse.destroyed) return;
      mostQueued = Math.max(mostQueued, stalledResponse.writableLength);
      samples++;
    }, 2);

    // The events, a batch at a time, each batch once the reader has all of the one before (it keeps
    // up; the stalled client never does): about 10 MB, more than the kernel buffers of a loopback
    // connection take (about 4 MB) before anything waits in the server.
    for (let from = 1; from <= EVENTS; from += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, i) => ({
        type: 'support.message' as const,
        payload: { conversationId: 'sup_slow', n: from + i, body: FILLER },
      }));
      await emitAccountEvents(t.database.db, customer.accountId, batch, t.clock.now());
      await reader.waitFor((events) => events.length >= from + BATCH - 1, 30_000);
    }
    clearInterval(sampler);

    // Cut off, counted, and logged without who it was.
    await until('the stalled stream is cut', () => stalledResponse.destroyed, 30_000);
    expect(await cutsCounted()).toEqual({ stalled: 1, cap: 0 });
    const cut = logLines.filter((line) => String(line.msg).startsWith('event stream cut'));
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ level: 30, stream: 'account', reason: 'stalled', capBytes: MAX_QUEUED_BYTES });
    expect(cut[0]?.queuedBytes).toBeLessThanOrEqual(MAX_QUEUED_BYTES);
    expect(JSON.stringify(cut[0])).not.toContain(customer.accountId);
    expect(JSON.stringify(cut[0])).not.toContain(customer.email);

    // The server never held more than the cap for it (and did hold some: the sampler saw it stall).
    expect(samples).toBeGreaterThan(10);
    expect(mostQueued).toBeGreaterThan(0);
    expect(mostQueued).toBeLessThanOrEqual(MAX_QUEUED_BYTES);

    // The reader was not cut and has every event, in order.
    expect(reader.isEnded()).toBe(false);
    expect(reader.events.map((event) => event.id)).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));

    // The stalled client reads on: what reached it before the cut, numbered 1, 2, … without a gap,
    // then the connection ends. It had far from all of it.
    stalled.resume();
    await stalled.closed;
    expect(stalled.statusLine()).toBe('HTTP/1.1 200 OK');
    const before = stalled.events();
    const lastSeen = before.at(-1)?.id ?? 0;
    expect(before.map((event) => event.id)).toEqual(Array.from({ length: lastSeen }, (_, i) => i + 1));
    expect(lastSeen).toBeGreaterThan(0);
    expect(lastSeen).toBeLessThan(EVENTS);

    // It reconnects with Last-Event-ID, as EventSource and the web app do, and gets the rest.
    const resumed = await openStream(base, { authorization: customer.bearer, 'last-event-id': String(lastSeen) });
    closers.push(resumed.close);
    await resumed.waitFor((events) => events.length >= EVENTS - lastSeen, 30_000);
    const all = [...before, ...resumed.events];
    expect(all.map((event) => event.id)).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    expect(all.map((event) => event.data.n)).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    expect(all.every((event) => event.event === 'support.message' && event.data.body === FILLER)).toBe(true);
    expect(await cutsCounted()).toEqual({ stalled: 1, cap: 0 });
  });
});
