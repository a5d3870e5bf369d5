import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createActor, uniqueEmail, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { openPostgres } from '../../db/client.ts';
import type { LimitStore } from '../../limits/port.ts';
import { postgresLimitStore } from '../../limits/postgres-store.ts';
import { redisLimitStore } from '../../limits/redis-store.ts';

/**
 * Rate limits across instances (ADR 43): two apps on one database, each with its own pool and its own
 * limiters, share their counts through the store. Requests go in rounds of `PER_ROUND` on each app at
 * once, then both flush (as their flushers would within 200 ms): an instance can miss at most one round
 * of the other's hits, so at most `LIMIT + 2 × PER_ROUND` are admitted where two apps counting alone
 * would admit `2 × LIMIT`.
 */
const LIMIT = 20;
/** Above the sign-in limit (30 a minute per address), which is tested through the same apps. */
const PUBLIC_LIMIT = 40;
const PER_ROUND = 4;
const ROUNDS = 12;
const ENV = { API_RATE_LIMIT: String(LIMIT), PUBLIC_RATE_LIMIT: String(PUBLIC_LIMIT), ORDER_RATE_LIMIT: '0' };

const code = (response: LightMyRequestResponse) => (response.statusCode === 429 ? response.json().error.code : undefined);

/** Rounds of requests on both apps; how many were not refused by a rate limit (code `RATE_LIMITED`). */
async function admittedInRounds(apps: TestApp[], send: (t: TestApp) => Promise<LightMyRequestResponse>): Promise<number> {
  let admitted = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const answers = await Promise.all(apps.flatMap((t) => Array.from({ length: PER_ROUND }, () => send(t))));
    admitted += answers.filter((answer) => code(answer) !== 'RATE_LIMITED').length;
    for (const t of apps) await t.limits.flush();
  }
  return admitted;
}

/** A second instance: the same database through a pool of its own, the same clock, its own limiters. */
async function secondInstance(
  first: TestApp,
  store: (database: TestDatabase) => LimitStore | Promise<LimitStore> | undefined,
  env: Record<string, string> = ENV,
) {
  const pool = await openPostgres({ url: first.database.url as string, poolMax: 5, timeoutMs: 10_000 });
  const database: TestDatabase = { ...pool, url: first.database.url, destroy: () => pool.close() };
  const second = await createTestApp({ env, database, clock: first.clock, limitStore: await store(database) });
  return {
    second,
    close: async () => {
      await second.close();
      await pool.close();
    },
  };
}

/** Until the store takes a flush (a Redis client connects in the background). */
const untilAnswers = (store: LimitStore) =>
  vi.waitFor(() => store.add([{ limiter: 'probe', key: 'probe', window: 0, hits: 0, endsAt: 1 }], 0), { timeout: 5_000 });

describe.skipIf(!onPostgres())('rate limits across two instances sharing PostgreSQL (concurrency: PostgreSQL only)', () => {
  let a: TestApp;
  let b: TestApp;
  let closeB: () => Promise<void>;
  beforeAll(async () => {
    const database = await createTestDatabase();
    a = await createTestApp({ env: ENV, database, limitStore: postgresLimitStore(database.db) });
    ({ second: b, close: closeB } = await secondInstance(a, (db) => postgresLimitStore(db.db)));
  });
  afterAll(async () => {
    await closeB?.();
    await a?.close();
    await a?.database.destroy();
  });

  it(`API_RATE_LIMIT=${LIMIT} per account holds across both: between ${LIMIT} and ${LIMIT + 2 * PER_ROUND} admitted of ${2 * PER_ROUND * ROUNDS}`, async () => {
    const actor = await createActor(a);
    const admitted = await admittedInRounds([a, b], (t) =>
      t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: actor.bearer } }),
    );
    expect(admitted).toBeGreaterThanOrEqual(LIMIT);
    expect(admitted).toBeLessThanOrEqual(LIMIT + 2 * PER_ROUND);
  });

  it('an instance announces what is left after the other instance’s hits (RateLimit header)', async () => {
    const actor = await createActor(a);
    const me = (t: TestApp) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: actor.bearer } });
    for (let i = 0; i < 5; i++) await me(a);
    await a.limits.flush();
    // B has not counted this account yet: it knows only its own hit until its next flush.
    expect((await me(b)).headers.ratelimit).toMatch(/^"api";r=19;t=\d+$/);
    await b.limits.flush();
    expect((await me(b)).headers.ratelimit).toMatch(/^"api";r=13;t=\d+$/);
  });

  it(`PUBLIC_RATE_LIMIT=${PUBLIC_LIMIT} per client address holds across both`, async () => {
    const ip = uniqueIp();
    const admitted = await admittedInRounds([a, b], (t) => t.app.inject({ method: 'GET', url: '/api/v1/services', remoteAddress: ip }));
    expect(admitted).toBeGreaterThanOrEqual(PUBLIC_LIMIT);
    expect(admitted).toBeLessThanOrEqual(PUBLIC_LIMIT + 2 * PER_ROUND);
  });

  it('the sign-in limit per address (30 a minute) holds across both', async () => {
    const ip = uniqueIp();
    let admitted = 0;
    for (let round = 0; round < 6; round++) {
      const answers = await Promise.all(
        [a, b].flatMap((t) =>
          Array.from({ length: 4 }, () =>
            t.app.inject({
              method: 'POST',
              url: '/api/v1/auth/login',
              remoteAddress: ip,
              payload: { email: uniqueEmail('guess'), password: 'not the password at all' },
            }),
          ),
        ),
      );
      admitted += answers.filter((answer) => code(answer) !== 'RATE_LIMITED').length;
      await a.limits.flush();
      await b.limits.flush();
    }
    // 48 attempts; alone, each instance would have let 30 through (up to 48 in all).
    expect(admitted).toBeGreaterThanOrEqual(30);
    expect(admitted).toBeLessThanOrEqual(30 + 2 * 4);
  });

  it.each([
    {
      limit: 'MAX_ACTIVE_ACTIVATIONS=3',
      env: { MAX_ACTIVE_ACTIVATIONS: '3' } as Record<string, string>,
      created: 3,
      refusal: 'TOO_MANY_ACTIVE',
    },
    { limit: 'ORDER_RATE_LIMIT=4', env: { ORDER_RATE_LIMIT: '4' } as Record<string, string>, created: 4, refusal: 'ORDER_RATE_LIMITED' },
  ])('the order limit $limit (counted in the database) holds across both: $created of 10 concurrent orders', async (limit) => {
    const env = { ...ENV, API_RATE_LIMIT: '0', ...limit.env };
    const first = await createTestApp({ env, database: a.database });
    const { second, close } = await secondInstance(first, () => undefined, env);
    try {
      const price = first.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
      const buyer = await fundedActor(first, price * 20);
      const answers = await Promise.all([first, second].flatMap((t) => Array.from({ length: 5 }, () => api(t, buyer).order())));
      expect(answers.filter((answer) => answer.statusCode === 201)).toHaveLength(limit.created);
      expect(new Set(answers.filter((answer) => answer.statusCode !== 201).map(code))).toEqual(new Set([limit.refusal]));
    } finally {
      await close();
      await first.close();
    }
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
describe.skipIf(!onPostgres() || !redisUrl)(
  'rate limits across two instances sharing Redis (needs TEST_REDIS_URL and PostgreSQL: skipped)',
  () => {
    let a: TestApp;
    let b: TestApp;
    let closeB: () => Promise<void>;
    beforeAll(async () => {
      const stores = [await redisLimitStore(redisUrl as string), await redisLimitStore(redisUrl as string)] as const;
      // The clients connect in the background; until then a flush fails and each app counts alone.
      for (const store of stores) await untilAnswers(store);
      a = await createTestApp({ env: ENV, limitStore: stores[0] });
      ({ second: b, close: closeB } = await secondInstance(a, () => stores[1]));
    });
    afterAll(async () => {
      await closeB?.();
      await a?.close();
    });

    it(`API_RATE_LIMIT=${LIMIT} per account holds across both`, async () => {
      const actor = await createActor(a);
      const admitted = await admittedInRounds([a, b], (t) =>
        t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: actor.bearer } }),
      );
      expect(admitted).toBeGreaterThanOrEqual(LIMIT);
      expect(admitted).toBeLessThanOrEqual(LIMIT + 2 * PER_ROUND);
    });
  },
);

describe('a store that does not answer', () => {
  let t: TestApp;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    // Port 1 on loopback: nothing listens there.
    t = await createTestApp({ env: ENV, log: pino({ level: 'warn' }, sink), limitStore: await redisLimitStore('redis://127.0.0.1:1') });
  });
  afterAll(() => t?.close());

  it('fails open to local counting: requests are served, the limit holds on this instance, a warning and a metric say so', async () => {
    const actor = await createActor(t);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: actor.bearer } });
      statuses.push(response.statusCode);
      if (i % 5 === 0) await t.limits.flush();
    }
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(statuses.slice(LIMIT)).toEqual(Array(5).fill(429));
    const metrics = await t.metrics.registry.metrics();
    expect(metrics).toMatch(/otpbox_rate_limit_sync_failures_total\{store="redis",service="otpbox"\} [1-9]/);
    const warnings = lines.filter((line) => String(line.msg).includes('does not answer'));
    expect(warnings).toHaveLength(1);
  });
});
