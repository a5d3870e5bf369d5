import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import type { Ctx } from '../src/modules/context.ts';
import { grantCredits } from '../src/modules/ledger/index.ts';
import { benchApp } from './app.ts';
import { freshDatabase, pgbenchInit, pgbenchRun } from './ledger.ts';
import { percentile, type Row } from './lib.ts';
import { measured, sampleWaits } from './waits.ts';

/**
 * Requests per second of `request`, 16 in flight, for `seconds`. Each client lets the event loop turn
 * between its requests, as a server's requests arrive from I/O: an injected request resolves through
 * promises alone, and a loop of them never reaches the phase where the setImmediate callbacks that
 * release each request run — they pile up (a gigabyte in a few seconds) and garbage collection, not
 * the code measured, takes most of the time.
 */
async function throughput(request: () => Promise<unknown>, seconds: number): Promise<number> {
  let count = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < end) {
        await request();
        count++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  return count / seconds;
}

/**
 * Several request kinds measured in alternating half-second slices (after a warm-up of each), so that
 * a neighbour's load on a shared machine weighs on all of them alike instead of on whichever ran last.
 */
export async function interleaved<T extends (() => Promise<unknown>)[]>(
  requests: [...T],
  seconds: number,
): Promise<{ [K in keyof T]: number }> {
  for (const request of requests) await throughput(request, 2);
  const totals = requests.map(() => 0);
  const slices = Math.max(2, Math.round(seconds / 0.5));
  for (let slice = 0; slice < slices; slice++) {
    for (const [i, request] of requests.entries()) totals[i] = (totals[i] ?? 0) + (await throughput(request, 0.5)) * 0.5;
  }
  return totals.map((total) => total / (slices * 0.5)) as { [K in keyof T]: number };
}

/**
 * Polling: GET /api/v1/activations/{id} with an API key, against a bare Fastify route returning the
 * same JSON (the floor: the framework alone). Clients poll hard; peers rate-limit polling because
 * theirs is expensive.
 */
export async function pollingBenchmark(seconds = 5): Promise<Row[]> {
  const env = { ORDER_RATE_LIMIT: '0', SANDBOX_SMS_DELAY_MS: '600000' };
  const { app, policy, engine, close } = await benchApp(env);
  // On PostgreSQL the API limits are shared through the database (ADR 43): the same poll on an app whose
  // limits count locally, measured in the same slices, shows what sharing costs the hot path.
  const local = engine === 'postgres' ? await benchApp(env, { localLimits: true }) : undefined;
  try {
    const { id, headers, body } = await polledOrder(app, policy);
    const localOrder = local ? await polledOrder(local.app, local.policy) : undefined;

    const bare = Fastify();
    bare.get('/api/v1/activations/:id', async () => body);
    await bare.ready();
    const poll = () => app.inject({ method: 'GET', url: `/api/v1/activations/${id}`, headers });
    const pollLocal = () =>
      local?.app.inject({ method: 'GET', url: `/api/v1/activations/${localOrder?.id}`, headers: localOrder?.headers }) ?? Promise.resolve();
    const [bareRps, appRps, localRps] = await interleaved(
      [() => bare.inject({ method: 'GET', url: `/api/v1/activations/${id}` }), poll, ...(local ? [pollLocal] : [])],
      seconds,
    );
    await bare.close();
    const rows: Row[] = [
      { name: 'bare Fastify route, same JSON (baseline)', value: bareRps, unit: 'req/s', ratio: 1 },
      {
        name: `GET /api/v1/activations/{id} by API key (${engine})`,
        value: appRps,
        unit: 'req/s',
        ratio: appRps / bareRps,
        note: 'goal ≥ 0.75×',
      },
    ];
    if (localRps !== undefined)
      rows.push({
        name: 'the same, its rate limits counted in this process only (before ADR 43)',
        value: localRps,
        unit: 'req/s',
        ratio: localRps / bareRps,
        note: `shared limits: ${(appRps / localRps).toFixed(2)}× of this`,
      });
    return rows;
  } finally {
    await local?.close();
    await close();
  }
}

/** An order with its code, polled by API key: its id, the key's headers, and the JSON a poll answers. */
async function polledOrder(app: Awaited<ReturnType<typeof benchApp>>['app'], policy: { version: string }) {
  const signup = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email: 'poll@example.com', password: 'benchmark passphrase 2026', ageConfirmed: true, policyVersion: policy.version },
  });
  const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const key = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'bench' } })).json()
    .key as string;
  const headers = { authorization: `Bearer ${key}` };
  await app.inject({ method: 'POST', url: '/api/v1/sandbox/credits', headers, payload: { amount: 1000 } });
  const order = await app.inject({ method: 'POST', url: '/api/v1/activations', headers, payload: { service: 'tg', country: 'ID' } });
  const id = order.json().id as string;
  await app.inject({ method: 'POST', url: '/api/v1/sandbox/sms', headers, payload: { activationId: id, text: 'Telegram code: 12345' } });
  const body = (await app.inject({ method: 'GET', url: `/api/v1/activations/${id}`, headers })).json();
  return { id, headers, body };
}

/**
 * SMS arrival → the event received by a live client: the app listens on a real port, a client reads
 * /api/v1/events over HTTP, and each sample delivers an SMS through the same code path as a provider
 * push and times until the client has parsed the `sms.received` event.
 */
export async function sseLatencyBenchmark(samples = 300): Promise<Row[]> {
  const WARM_UP = 30;
  const { app, policy, engine, close } = await benchApp({ ORDER_RATE_LIMIT: '0', SANDBOX_SMS_DELAY_MS: '600000' });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const signup = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: 'sse@example.com', password: 'benchmark passphrase 2026', ageConfirmed: true, policyVersion: policy.version },
    });
    const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const key = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'bench' } })).json()
      .key as string;
    const headers = { authorization: `Bearer ${key}` };
    await app.inject({ method: 'POST', url: '/api/v1/sandbox/credits', headers, payload: { amount: 1000 } });
    const id = (await app.inject({ method: 'POST', url: '/api/v1/activations', headers, payload: { service: 'tg', country: 'ID' } })).json()
      .id as string;

    const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { headers });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const waitFor = async (code: string) => {
      for (;;) {
        if (buffer.includes(`"code":"${code}"`)) {
          buffer = '';
          return;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value);
      }
    };
    const { receiveSms } = await import('../src/modules/activations/index.ts');
    const deps = (app as unknown as { otpboxOrders: Parameters<typeof receiveSms>[1] }).otpboxOrders;
    const ctx = (app as unknown as { otpboxCtx: Parameters<typeof receiveSms>[0] }).otpboxCtx;
    const latencies: number[] = [];
    // The first messages after start-up compile the path and prepare its statements: a warm-up of
    // WARM_UP samples is not counted, as the other benchmarks warm up before they measure.
    for (let i = 0; i < WARM_UP + samples; i++) {
      const code = String(100000 + i);
      const started = performance.now();
      await receiveSms(ctx, deps, { target: { activationId: id }, text: `Telegram code: ${code}`, source: 'sandbox' });
      await waitFor(code);
      if (i >= WARM_UP) latencies.push(performance.now() - started);
    }
    await reader.cancel();
    return [
      { name: `SMS → SSE event, p50 (${engine})`, value: percentile(latencies, 50), unit: 'ms' },
      { name: `SMS → SSE event, p99 (${engine})`, value: percentile(latencies, 99), unit: 'ms', note: 'goal < 15 ms' },
    ];
  } finally {
    await close();
  }
}

/**
 * Orders created per second on PostgreSQL (8 customers ordering in parallel through the API, sandbox
 * provider), against pgbench TPC-B with 8 clients on the same server in the same run. The two run in
 * alternating two-second slices (after a warm-up), so that a neighbour's load on the shared machine
 * weighs on both alike instead of on whichever phase it happened to overlap.
 */
export async function ordersBenchmark(seconds = Number(process.env.BENCH_SECONDS ?? 10)): Promise<Row[]> {
  const pgbenchUrl = await freshDatabase('otpbox_bench_pgbench');
  pgbenchInit(pgbenchUrl);
  process.env.BENCH_DATABASE_URL = await freshDatabase('otpbox_bench_orders');
  const { app, policy, close, database, databaseUrl } = await benchApp({
    ORDER_RATE_LIMIT: '0',
    MAX_ACTIVE_ACTIVATIONS: '10000',
    SANDBOX_SMS_DELAY_MS: '600000',
    DB_POOL_MAX: '10',
  });
  delete process.env.BENCH_DATABASE_URL;
  const waits = await sampleWaits(databaseUrl);
  try {
    const ctx = (app as unknown as { otpboxCtx: Ctx }).otpboxCtx;
    const customers: Record<string, string>[] = [];
    for (let i = 0; i < 8; i++) {
      const signup = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/signup',
        payload: {
          email: `orders-${i}@example.com`,
          password: 'benchmark passphrase 2026',
          ageConfirmed: true,
          policyVersion: policy.version,
        },
        remoteAddress: `10.2.0.${i + 1}`,
      });
      const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const key = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'bench' } })).json()
        .key as string;
      const headers = { authorization: `Bearer ${key}` };
      // Credits, as a paying customer has (demo credits are capped, and are not what production spends).
      const accountId = signup.json().accountId as string;
      await grantCredits(ctx, { accountId, amount: 100_000_000, reason: 'bench', idempotencyKey: `bench:${accountId}` });
      customers.push(headers);
    }
    const ordersPerSecond = async (slice: number): Promise<number> => {
      let orders = 0;
      const end = performance.now() + slice * 1000;
      await Promise.all(
        customers.map(async (headers) => {
          while (performance.now() < end) {
            const response = await app.inject({
              method: 'POST',
              url: '/api/v1/activations',
              headers,
              payload: { service: 'tg', country: 'ID' },
            });
            if (response.statusCode !== 201) throw new Error(`order failed: ${response.body}`);
            orders++;
          }
        }),
      );
      return orders / slice;
    };
    await ordersPerSecond(2);
    // The planner's statistics, as a running server's autovacuum keeps them (and as pgbench -i leaves
    // its own tables): a fresh table without any makes it read an account's whole last hour per order.
    await database.db.execute(sql`vacuum analyze`);
    const slices = Math.max(2, Math.round(seconds / 2));
    let tpsTotal = 0;
    let ordersTotal = 0;
    for (let slice = 0; slice < slices; slice++) {
      tpsTotal += await measured(
        waits,
        'pgbench transaction',
        () => pgbenchRun(pgbenchUrl, 2),
        (tps) => tps * 2,
        false,
      );
      ordersTotal += await measured(
        waits,
        'order',
        () => ordersPerSecond(2),
        (rate) => rate * 2,
      );
    }
    const tps = tpsTotal / slices;
    const perSecond = ordersTotal / slices;
    return [
      { name: 'pgbench TPC-B, 8 clients (baseline)', value: tps, unit: 'tps', ratio: 1 },
      {
        name: 'orders created, 8 customers (PostgreSQL)',
        value: perSecond,
        unit: 'orders/s',
        ratio: perSecond / tps,
        note: 'goal ≥ 0.35×',
      },
      ...((await waits?.finish()) ?? []),
    ];
  } finally {
    await waits?.finish();
    await close();
  }
}
