import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { LimitHits, LimitStore } from '../port.ts';
import { redisLimitStore } from '../redis-store.ts';

const MINUTE = 60_000;
const at = Date.parse('2026-06-01T12:00:00.000Z');
/** A limiter name of this run's own: runs on one Redis never see each other's counts. */
const limiter = `test-${process.pid}-${Date.now().toString(36)}`;
const row = (key: string, hits: number, start = at): LimitHits => ({ limiter, key, window: start / MINUTE, hits, endsAt: start + MINUTE });

const redisUrl = process.env.TEST_REDIS_URL;
const stores: LimitStore[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
});

describe.skipIf(!redisUrl)('the Redis limit store (TEST_REDIS_URL is not set: skipped)', () => {
  const url = redisUrl as string;

  it('adds every row of a flush in one pipeline and answers each total in the order asked', async () => {
    const a = await redisLimitStore(url);
    const b = await redisLimitStore(url);
    stores.push(a, b);
    // The client connects in the background; a flush before it has is refused, as while Redis is away.
    await expect
      .poll(() =>
        a.add([row('k0', 0)], at).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
    await expect
      .poll(() =>
        b.add([row('k0', 0)], at).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
    expect(await a.add([row('k1', 3), row('k2', 1)], at)).toEqual([3, 1]);
    expect(await b.add([row('k2', 4), row('k1', 1), row('k1', 2, at + MINUTE)], at)).toEqual([5, 4, 2]);
  });

  it('lets Redis expire each count a little after its window ends', async () => {
    const client = new Redis(url);
    try {
      const ttl = await client.pttl(`otpbox:rl:${limiter}:${at / MINUTE}:k1`);
      expect(ttl).toBeGreaterThan(MINUTE);
      expect(ttl).toBeLessThanOrEqual(MINUTE + 5_000);
    } finally {
      client.disconnect();
    }
  });
});

describe('a Redis that does not answer', () => {
  it('refuses a flush at once instead of queueing it (the limiters count locally meanwhile)', async () => {
    const errors: Error[] = [];
    // Port 1 on loopback: nothing listens there.
    const store = await redisLimitStore('redis://127.0.0.1:1', { onError: (error) => errors.push(error) });
    stores.push(store);
    await expect(store.add([row('k1', 1)], at)).rejects.toThrow();
    await expect.poll(() => errors.length).toBeGreaterThan(0);
  });
});
