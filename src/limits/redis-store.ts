import type { Redis, RedisOptions } from 'ioredis';
import type { LimitHits, LimitStore } from './port.ts';

/** Key of one window's count; Redis expires it a little after the window ends. */
const keyOf = (row: LimitHits) => `otpbox:rl:${row.limiter}:${row.window}:${row.key}`;
/** Kept this long past the window's end, so an instance whose clock is a little behind still finds it. */
const EXPIRY_SLACK_MS = 5_000;

/**
 * The shared counts in Redis (REDIS_URL): one pipeline per flush, INCRBY and PEXPIRE for each window.
 * Nothing waits for Redis: a command sent while it is away fails at once (no offline queue) and the
 * limiters count locally until it is back, the client reconnecting in the background.
 */
export async function redisLimitStore(url: string, options: { onError?: (error: Error) => void } = {}): Promise<LimitStore> {
  // Loaded only when REDIS_URL is set: a deployment without Redis never loads the client.
  const { Redis: Client } = await import('ioredis');
  const settings: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    // A Redis that takes a command and never answers fails the flush too, rather than holding it forever.
    commandTimeout: 2_000,
    // Back off to one attempt every 5 s while Redis is down.
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  };
  const client: Redis = new Client(url, settings);
  // Without a listener an unreachable Redis would crash the process; failures are reported by the flusher.
  client.on('error', (error: Error) => options.onError?.(error));
  client.connect().catch(() => {});
  return {
    kind: 'redis',
    async add(rows: readonly LimitHits[], now: number) {
      const pipeline = client.pipeline();
      for (const row of rows) {
        const key = keyOf(row);
        pipeline.incrby(key, row.hits);
        pipeline.pexpire(key, Math.max(1, row.endsAt - now) + EXPIRY_SLACK_MS);
      }
      const results = (await pipeline.exec()) ?? [];
      return rows.map((_, i) => {
        const [error, total] = results[2 * i] ?? [new Error('redis: no answer for a count')];
        if (error) throw error;
        return Number(total);
      });
    },
    // Redis expires every window by itself.
    sweep: async () => 0,
    async close() {
      client.disconnect();
    },
  };
}
