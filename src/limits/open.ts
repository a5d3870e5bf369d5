import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { redactUrl } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretKeys } from '../lib/secrets.ts';
import type { Metrics } from '../runtime/metrics.ts';
import type { LimitStore } from './port.ts';
import { postgresLimitStore } from './postgres-store.ts';
import { redisLimitStore } from './redis-store.ts';
import { SharedLimits } from './shared-limits.ts';

/**
 * Where this deployment's instances add up their rate-limit hits: Redis when REDIS_URL is set, else
 * the PostgreSQL of DATABASE_URL, else nowhere (the embedded database serves one instance only).
 */
export async function openLimitStore(config: Config, database: Database, log: Logger): Promise<LimitStore | undefined> {
  if (config.redisUrl) {
    const url = redactUrl(config.redisUrl);
    return redisLimitStore(config.redisUrl, { onError: (error) => log.debug({ err: error, url }, 'redis connection error') });
  }
  if (database.engine === 'postgres') return postgresLimitStore(database.db);
  return undefined;
}

export async function openSharedLimits(deps: {
  config: Config;
  database: Database;
  clock: Clock;
  keys: SecretKeys;
  log: Logger;
  metrics: Metrics;
}): Promise<SharedLimits> {
  const store = await openLimitStore(deps.config, deps.database, deps.log);
  return new SharedLimits({
    store,
    clock: deps.clock,
    keys: deps.keys,
    log: deps.log.child({ component: 'rate-limits' }),
    onFailure: (kind) => deps.metrics.rateLimitSyncFailures.inc({ store: kind }),
  });
}
