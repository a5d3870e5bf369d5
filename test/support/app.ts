import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { type Config, testConfig } from '../../src/config.ts';
import { buildApp, type HttpTimeouts } from '../../src/http/app.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { type SecretKeys, secretKeys } from '../../src/lib/secrets.ts';
import type { LimitStore } from '../../src/limits/port.ts';
import { SharedLimits } from '../../src/limits/shared-limits.ts';
import { loadCurrentPolicy, type Policy } from '../../src/modules/privacy/index.ts';
import type { EventBus } from '../../src/runtime/event-bus.ts';
import { createMetrics, type Metrics } from '../../src/runtime/metrics.ts';
import { type OrderServices, startOrderServices } from '../../src/runtime/order-services.ts';
import { VERSION } from '../../src/version.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  clock: ManualClock;
  config: Config;
  metrics: Metrics;
  lifecycle: { draining: boolean };
  keys: SecretKeys;
  policy: Policy;
  log: Logger;
  orders: OrderServices;
  /** The app's rate limiters (`limits.flush()` sends this instance's hits to the shared store at once). */
  limits: SharedLimits;
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-key-test-secret-key-0123456789';

/** The real app on a fresh database, with a manual clock and a silent (or captured) logger. */
export async function createTestApp(
  options: {
    env?: Record<string, string>;
    log?: Logger;
    database?: TestDatabase;
    clock?: ManualClock;
    /** How often idle event streams get a heartbeat (default 15 s). */
    eventHeartbeatMs?: number;
    /** How long an event stream's client may stay behind before it is cut off (default 30 s). */
    eventStreamStallMs?: number;
    /** How long a request may take to arrive (default: the service's, HTTP_TIMEOUTS). */
    httpTimeouts?: HttpTimeouts;
    /** Wrap the event bus the app uses (to watch what the event stream asks of it). */
    wrapEvents?: (bus: EventBus) => EventBus;
    /** Add up the rate limits in this store, as the instances of one deployment do (default: the app counts alone). */
    limitStore?: LimitStore;
    /** How often the limits flush to `limitStore` (default: the service's). */
    limitFlushMs?: number;
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  // The sandbox's own SMS would arrive on a timer; tests deliver SMS explicitly unless they ask otherwise.
  const config = testConfig({ SANDBOX_SMS_DELAY_MS: '600000', ...options.env });
  const clock = options.clock ?? new ManualClock('2026-06-01T12:00:00.000Z');
  const metrics = createMetrics({ version: VERSION, database, defaultMetrics: false, clock });
  const lifecycle = { draining: false };
  const keys = secretKeys(TEST_SECRET);
  const policy = await loadCurrentPolicy(database.db, config, clock);
  const log = options.log ?? pino({ level: 'silent' });
  const orders = await startOrderServices({ config, database, clock, log, keys, metrics });
  const limits = new SharedLimits({
    store: options.limitStore,
    clock,
    keys,
    log,
    flushIntervalMs: options.limitFlushMs,
    onFailure: (kind) => metrics.rateLimitSyncFailures.inc({ store: kind }),
  });
  const app = await buildApp({
    config,
    database,
    clock,
    log,
    metrics,
    version: VERSION,
    lifecycle,
    keys,
    policy,
    activations: orders.activations,
    events: options.wrapEvents ? options.wrapEvents(orders.events) : orders.events,
    sandbox: orders.sandbox !== undefined,
    eventHeartbeatMs: options.eventHeartbeatMs,
    eventStreamStallMs: options.eventStreamStallMs,
    httpTimeouts: options.httpTimeouts,
    limits,
  });
  return {
    app,
    database,
    clock,
    config,
    metrics,
    lifecycle,
    keys,
    policy,
    log,
    orders,
    limits,
    close: async () => {
      await app.close();
      await orders.close();
      if (!options.database) await database.destroy();
    },
  };
}
