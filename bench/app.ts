import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { testConfig } from '../src/config.ts';
import { type Database, openMemoryPglite, openPostgres } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { buildApp } from '../src/http/app.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/logger.ts';
import { secretKeys } from '../src/lib/secrets.ts';
import { openSharedLimits } from '../src/limits/open.ts';
import { loadCurrentPolicy } from '../src/modules/privacy/index.ts';
import { createMetrics } from '../src/runtime/metrics.ts';
import { startOrderServices } from '../src/runtime/order-services.ts';
import { VERSION } from '../src/version.ts';
import { withDatabase } from '../test/support/pg-url.ts';

/**
 * The real app in this process, on in-memory PGlite or on a new database on BENCH_DATABASE_URL's server, with
 * the service's default settings except where a benchmark overrides them.
 */
export async function benchApp(env: Record<string, string> = {}, options: { localLimits?: boolean } = {}) {
  const url = process.env.BENCH_DATABASE_URL;
  // A database of its own on that server, dropped at the end: accounts left by an earlier run would
  // make sign-up fail, and the benchmark time refusals.
  const fresh = url ? await freshDatabase(url) : undefined;
  const config = testConfig({ API_RATE_LIMIT: '1000000', ...env });
  // As `otpbox start` opens it: each statement bound, and each answer under a deadline (ADRs 50, 51).
  const database: Database = fresh
    ? await openPostgres({ url: fresh.url, poolMax: 10, timeoutMs: 10_000, statementTimeoutMs: config.dbStatementTimeoutMs })
    : await openMemoryPglite();
  await migrateDatabase(database);
  const policy = await loadCurrentPolicy(database.db, config, systemClock);
  const keys = secretKeys('bench-secret-key-bench-secret-key-0123456789');
  // As in production: the service's logger at info (its lines written, to /dev/null, synchronously like
  // standard output), and the per-account rate limiter on (with a limit no benchmark reaches).
  const log = createLogger({ level: 'info', version: VERSION, destination: pino.destination('/dev/null') });
  const orders = await startOrderServices({ config, database, clock: systemClock, log, keys });
  const metrics = createMetrics({ version: VERSION, database, defaultMetrics: false });
  // As `otpbox start` does: on PostgreSQL the rate limits are shared through it (REDIS_URL: through Redis);
  // `localLimits` counts them in this process only, as every instance did before ADR 43.
  const limits = options.localLimits ? undefined : await openSharedLimits({ config, database, clock: systemClock, keys, log, metrics });
  const app = await buildApp({
    config,
    database,
    clock: systemClock,
    log,
    metrics,
    limits,
    version: VERSION,
    keys,
    policy,
    activations: orders.activations,
    events: orders.events,
    sandbox: orders.sandbox !== undefined,
  });
  await app.ready();
  const close = async () => {
    await app.close();
    await orders.close();
    await database.close();
    await fresh?.drop();
  };
  // For benchmarks that drive the domain directly (an SMS arriving, as a provider push would).
  Object.assign(app, {
    otpboxOrders: orders.activations,
    otpboxEvents: orders.events,
    otpboxProviders: orders.providers,
    otpboxCtx: { db: database.db, clock: systemClock, config, keys, log },
  });
  return { app, database, policy, engine: url ? 'postgres' : 'pglite', close, databaseUrl: fresh?.url };
}

async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `otpbox_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  return { url: withDatabase(serverUrl, name), drop: () => admin(`drop database if exists ${name} with (force)`) };
}
