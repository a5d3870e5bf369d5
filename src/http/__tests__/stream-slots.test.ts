import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { baseUrlOf, type OpenStream, openStream } from '../../../test/support/sse.ts';
import { MAX_STREAMS_PER_ACCOUNT } from '../sse.ts';

// ADR 53: one account holds at most MAX_STREAMS_PER_ACCOUNT event streams of a kind on an instance;
// the next is refused (429 RATE_LIMITED), and a slot comes back when a stream ends.
let t: TestApp;
let base: string;
const opened: OpenStream[] = [];
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0' } });
  base = await baseUrlOf(t);
});
afterAll(async () => {
  for (const stream of opened) stream.close();
  await t?.close();
});

async function open(headers: Record<string, string>, path?: string): Promise<OpenStream> {
  const stream = await openStream(base, headers, path);
  opened.push(stream);
  return stream;
}

/** `GET path` over real HTTP, the answer read whole (a refusal ends at once). */
async function refusal(headers: Record<string, string>, path = '/api/v1/events') {
  const response = await fetch(`${base}${path}`, { headers });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

/** Open a stream if the server takes it (kept open until the end), else read the refusal: the status. */
async function tryOpen(headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${base}/api/v1/events`, { headers });
  if (response.status === 200) opened.push({ close: () => void response.body?.cancel() } as OpenStream);
  else await response.body?.cancel();
  return response.status;
}

const headersOf = (actor: { auth?: Record<string, string> }) => actor.auth as Record<string, string>;

const metric = async (stream: 'account' | 'staff') => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`otpbox_event_streams_refused_total{stream="${stream}"}`));
  return Number(line?.split(' ').pop());
};

describe('event streams per account', () => {
  it(`holds ${MAX_STREAMS_PER_ACCOUNT} streams of one account, refuses the next with 429, and takes one again once a stream ends`, async () => {
    expect(MAX_STREAMS_PER_ACCOUNT).toBe(20);
    const actor = await createActor(t);
    const streams: OpenStream[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_ACCOUNT; i++) streams.push(await open(headersOf(actor)));
    expect(streams.every((stream) => stream.status === 200)).toBe(true);
    const refusedBefore = await metric('account');

    const refused = await refusal(headersOf(actor));
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('5');
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: MAX_STREAMS_PER_ACCOUNT } });
    expect(await metric('account')).toBe(refusedBefore + 1);

    // Another account is not affected.
    const other = await createActor(t);
    expect((await open(headersOf(other))).status).toBe(200);

    // A stream that ends gives its slot back (once the server has seen it close).
    (streams.pop() as OpenStream).close();
    await expect.poll(() => tryOpen(headersOf(actor))).toBe(200);
  });

  it(`holds ${MAX_STREAMS_PER_ACCOUNT} staff streams of one staff member too`, async () => {
    const admin = await createActor(t, 'admin');
    for (let i = 0; i < MAX_STREAMS_PER_ACCOUNT; i++) expect((await open(headersOf(admin), '/api/v1/admin/events')).status).toBe(200);
    const refused = await refusal(headersOf(admin), '/api/v1/admin/events');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
  });
});

describe('a stream whose client leaves while it is being opened', () => {
  let gated: TestApp;
  let gate: { wait: Promise<void>; open: () => void } | undefined;
  beforeAll(async () => {
    gated = await createTestApp({
      env: { API_RATE_LIMIT: '0' },
      // Hold each stream's first read until the test lets it go: the client leaves meanwhile.
      wrapEvents: (bus) => ({
        ...bus,
        head: async (...args) => {
          await gate?.wait;
          return bus.head(...args);
        },
      }),
    });
  });
  afterAll(() => gated?.close());

  it('gives its slot back: the account can still open streams after more such departures than the cap', async () => {
    const gatedBase = await baseUrlOf(gated);
    const actor = await createActor(gated);
    for (let i = 0; i < MAX_STREAMS_PER_ACCOUNT + 2; i++) {
      let open = () => {};
      gate = { wait: new Promise<void>((resolve) => (open = resolve)), open: () => open() };
      const controller = new AbortController();
      const request = fetch(`${gatedBase}/api/v1/events`, { headers: headersOf(actor), signal: controller.signal }).catch(() => undefined);
      // The request is in the server's hands (waiting on the gate) before the client leaves.
      await new Promise((resolve) => setTimeout(resolve, 30));
      controller.abort();
      await request;
      await new Promise((resolve) => setTimeout(resolve, 30));
      gate.open();
    }
    gate = undefined;
    await expect
      .poll(async () => {
        const response = await fetch(`${gatedBase}/api/v1/events`, { headers: headersOf(actor) });
        const status = response.status;
        await response.body?.cancel();
        return status;
      })
      .toBe(200);
  });
});
