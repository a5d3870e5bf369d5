import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretKeys } from '../lib/secrets.ts';

/** Where a request came from, for security events and throttles. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

/**
 * What every domain verb receives: the database (or the open transaction to join), the clock, the
 * configuration, the derived keys, a logger, and where the request came from.
 */
export interface Ctx {
  db: Executor;
  clock: Clock;
  config: Config;
  keys: SecretKeys;
  log: Logger;
  meta?: RequestMeta;
  /** Who acts when it is not the account itself: a staff account id, or `cli`. */
  actor?: string;
}

/** The same context bound to a transaction. */
export const withDb = (ctx: Ctx, db: Executor): Ctx => ({ ...ctx, db });
