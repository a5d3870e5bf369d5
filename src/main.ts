import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { executeCommand } from './commands/execute.ts';
import type { CommandContext } from './commands/types.ts';
import type { Config } from './config.ts';
import { type Database, openPglite, openPostgres, pgliteDir } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { initPglite } from './db/pglite-init.ts';
import { buildApp } from './http/app.ts';
import { jobDefinitions, PAYMENT_JOBS, PROCESS_JOBS } from './jobs/registry.ts';
import { Scheduler } from './jobs/scheduler.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { newId } from './lib/ids.ts';
import { createLogger } from './lib/logger.ts';
import { loadOrCreateSecret, type SecretKeys, secretKeys } from './lib/secrets.ts';
import { openSharedLimits } from './limits/open.ts';
import { hashExistingNumbers } from './modules/activations/index.ts';
import { sealExistingData } from './modules/keyring/index.ts';
import { mailTransport } from './modules/mail/index.ts';
import { loadCurrentPolicy } from './modules/privacy/index.ts';
import { type AdminChannel, startAdminChannel } from './runtime/admin-channel.ts';
import { acquireDataDirLock, type DataDirLock } from './runtime/data-dir-lock.ts';
import { type GatewayLinks, startGatewayLinks } from './runtime/gateway-links.ts';
import { checkSecretKey } from './runtime/instance-settings.ts';
import { createMetrics } from './runtime/metrics.ts';
import { startOrderServices } from './runtime/order-services.ts';
import { paymentProcessors } from './runtime/payment-processors.ts';
import { loosenedWarning, makeDataDirPrivate, PRIVATE_UMASK } from './runtime/private-data-dir.ts';
import { type StartupSteps, startupSteps } from './runtime/startup-steps.ts';
import { VERSION } from './version.ts';

/**
 * The composition root: config → data folder → database → app → jobs. The only place that decides
 * which adapters are real; everything below receives its dependencies.
 */
export interface RunningServer {
  app: FastifyInstance;
  url: string;
  database: Database;
  scheduler: Scheduler;
  log: Logger;
  /** Graceful stop: drain, finish in-flight requests, commands and jobs (bounded), close the database. */
  stop(reason?: string): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  clock?: Clock;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  process.umask(PRIVATE_UMASK);
  const log = options.log ?? createLogger({ level: config.logLevel, version: VERSION });
  const clock = options.clock ?? systemClock;
  const instanceId = newId('ins');
  const steps = startupSteps({ timeoutMs: config.dbOpenTimeoutMs, log });
  const undo: (() => Promise<unknown>)[] = [];
  const unwind = async () => {
    for (const step of undo.reverse()) await step().catch((error) => log.error({ err: error }, 'cleanup step failed'));
  };

  try {
    const started = performance.now();
    let lock: DataDirLock | undefined;
    if (!config.databaseUrl) {
      lock = await steps.run('data-dir lock', () => acquireDataDirLock(config.dataDir));
      undo.push(() => lock?.release() ?? Promise.resolve());
    }
    // After the lock: a second process refused by it leaves the folder alone.
    const loosened = await steps.run('data folder', () => makeDataDirPrivate(config.dataDir));
    if (loosened.length > 0)
      log.warn({ dataDir: config.dataDir, loosened: loosened.slice(0, 20) }, loosenedWarning(config.dataDir, loosened));

    const secret = await steps.run('secret key', () => loadOrCreateSecret(config.dataDir, config.secretKey));
    if (secret.source === 'generated')
      log.warn({ file: `${config.dataDir}/secret.key` }, 'generated a new SECRET_KEY; back it up with the data');
    const keys = secretKeys(secret.secret);

    const mail = mailTransport(config, log);
    undo.push(async () => mail.close());

    const database = await openDatabase(config, lock, steps, log);
    undo.push(() => database.close());

    const { applied } = await steps.run('migrate', () => migrateDatabase(database));
    if (applied.length > 0) log.info({ applied }, 'applied database migrations');
    await steps.run('check secret key', () => checkSecretKey(database.db, keys, clock));
    // Plain personal values left by a version before the keyring are sealed once (ADR 28).
    const sealing = await steps.run('seal personal data', () => sealExistingData({ db: database.db, clock, config, keys, log }));
    if (!sealing.skipped) log.info({ sealed: sealing.sealed }, 'sealed personal data under the account keys');
    // Orders from before migration 0023 get the keyed hash of their number, so staff find them by it
    // (ADR 32). A large backlog gets half the step's bound here; the rest goes on after start, in batches.
    const hashing = { stopped: false, rest: Promise.resolve() };
    const budgetEnds = performance.now() + config.dbOpenTimeoutMs / 2;
    const numbersCtx = { db: database.db, clock, config, keys, log };
    const numbers = await steps.run('hash rented numbers', () =>
      hashExistingNumbers(numbersCtx, { stop: () => performance.now() > budgetEnds }),
    );
    if (numbers.hashed > 0 || !numbers.done)
      log.info({ hashed: numbers.hashed, done: numbers.done }, 'hashed the numbers of earlier orders');
    if (!numbers.done) {
      hashing.rest = hashExistingNumbers(numbersCtx, { stop: () => hashing.stopped })
        .then((rest) => log.info(rest, 'hashed the numbers of earlier orders'))
        .catch((error) => log.error({ err: error }, 'hashing the numbers of earlier orders failed; the next start goes on'));
    }
    const stopHashing = async () => {
      hashing.stopped = true;
      await hashing.rest;
    };
    undo.push(stopHashing);

    const metrics = createMetrics({ version: VERSION, database });
    const lifecycle = { draining: false };
    const scheduler = new Scheduler({ db: database.db, clock, log: log.child({ component: 'scheduler' }), instanceId, metrics });
    for (const job of jobDefinitions(PROCESS_JOBS, { ctx: { clock, config, keys, log }, mail })) scheduler.register(job);

    const policy = await steps.run('privacy policy', () => loadCurrentPolicy(database.db, config, clock));
    const payments = await steps.run('payment processors', () => paymentProcessors(config));
    for (const job of jobDefinitions(PAYMENT_JOBS, { ctx: { clock, config, keys, log }, payments })) scheduler.register(job);
    const orders = await steps.run('order services', () => startOrderServices({ config, database, clock, log, keys, metrics, payments }));
    undo.push(() => orders.close());
    for (const job of orders.jobs) scheduler.register(job);

    // Rate limits added up across instances: in Redis (REDIS_URL) or PostgreSQL; the embedded database
    // serves one instance, whose limiters count alone (ADR 43).
    const limits = await steps.run('shared rate limits', () => openSharedLimits({ config, database, clock, keys, log, metrics }));
    undo.push(() => limits.close());
    if (limits.store) log.info({ store: limits.store }, 'rate limits are shared by every instance through this store');
    const app = await steps.run('build app', () =>
      buildApp({
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
        events: orders.events,
        sandbox: orders.sandbox !== undefined,
        payments,
        limits,
      }),
    );
    undo.push(() => app.close());
    // The admin channel opens before the HTTP port: once /readyz answers, a CLI command is relayed
    // to this process rather than refused because the folder is locked.
    let channel: AdminChannel | undefined;
    if (lock) {
      const dataDir = lock.dataDir;
      channel = await steps.run('admin channel', () =>
        startAdminChannel({
          dataDir,
          execute: (relayed) =>
            executeCommand(relayed.argv, commandContext(config, database, clock, log, keys, 'server'), {
              stdin: relayed.stdin,
              stdout: relayed.stdout,
              stderr: relayed.stderr,
              env: relayed.env,
            }),
          onError: (error) => log.warn({ err: error }, 'admin channel connection failed'),
        }),
      );
      undo.push(() => channel?.close() ?? Promise.resolve());
    }

    await steps.run('listen', () =>
      app.listen({ port: config.port, host: config.host }).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? new ListenError(config.host, config.port, error.code)
          : error;
      }),
    );
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

    await steps.run('scheduler', () => scheduler.start());
    // The SMPP links this instance holds (one instance per gateway, ADR 39); none without SMPP gateways.
    const links: GatewayLinks = await steps.run('gateway links', () =>
      startGatewayLinks({ database, clock, config, keys, log, activations: orders.activations, events: orders.events, metrics }),
    );
    undo.push(() => links.close());
    await steps.finish();
    log.info(
      { url, engine: database.engine, dataDir: config.dataDir, instanceId, startupMs: Math.round(performance.now() - started) },
      `otpbox ${VERSION} listening on ${url}`,
    );

    let stopping: Promise<void> | undefined;
    const stop = (reason = 'stop requested') => {
      stopping ??= (async () => {
        log.info({ reason }, 'shutting down');
        lifecycle.draining = true;
        const budget = config.shutdownTimeoutMs;
        await channel?.close(budget);
        await scheduler.stop(budget);
        await app.close();
        await links.close();
        await orders.close();
        await stopHashing();
        await database.close();
        await lock?.release();
        log.info('shutdown complete');
      })();
      return stopping;
    };
    return { app, url, database, scheduler, log, stop };
  } catch (error) {
    await steps.finish();
    // A step that timed out may still hold what it opened: cleaning up is bounded too.
    await Promise.race([unwind(), new Promise((resolve) => setTimeout(resolve, config.dbOpenTimeoutMs).unref())]);
    throw error;
  }
}

/** The embedded database (created first on a fresh folder) or the PostgreSQL pool. */
async function openDatabase(config: Config, lock: DataDirLock | undefined, steps: StartupSteps, log: Logger): Promise<Database> {
  const timeoutMs = config.dbOpenTimeoutMs;
  if (!lock) {
    const url = config.databaseUrl as string;
    return steps.run('open database', () =>
      openPostgres({ url, poolMax: config.dbPoolMax, timeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs, log }),
    );
  }
  const dir = pgliteDir(lock);
  await steps.run('initialise database', () => initPglite(dir, { timeoutMs, log }));
  return steps.run('open database', () => openPglite({ ownership: lock, timeoutMs, log }));
}

export function commandContext(
  config: Config,
  database: Database,
  clock: Clock,
  log: Logger,
  keys: SecretKeys,
  via: CommandContext['via'],
): CommandContext {
  return { config, database, clock, log, keys, via };
}

/**
 * Exit cleanly on SIGTERM/SIGINT; a second signal, or a stop that overruns its budget, forces the exit.
 * Installed before start-up begins: a signal that arrives while the server is still starting waits for
 * the start to finish (or fail), then stops it gracefully.
 */
export function handleSignals(starting: Promise<RunningServer>, shutdownTimeoutMs: number): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`second ${signal}: exiting now\n`);
      process.exit(1);
    }
    received = true;
    const force = setTimeout(() => {
      process.stderr.write(`shutdown took longer than ${shutdownTimeoutMs} ms: exiting now\n`);
      process.exit(1);
    }, shutdownTimeoutMs + 2000);
    force.unref();
    starting
      .then((server) =>
        server
          .stop(signal)
          .then(() => process.exit(0))
          .catch((error) => {
            server.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          }),
      )
      // Start-up failed: it reports its own error and the process exits with it.
      .catch(() => {});
  };
  // Replace the entry script's "stop before start" handlers.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The server cannot listen where it was told to: the operator's to fix (another program, a port below 1024, a wrong HOST). */
export class ListenError extends Error {
  override name = 'ListenError';
  constructor(host: string, port: number, code: string) {
    const why =
      code === 'EADDRINUSE'
        ? 'another program already listens there: stop it, or set PORT to a free port'
        : code === 'EACCES'
          ? 'this user may not listen on that port (below 1024): set PORT to 1024 or above'
          : 'no network interface of this machine has that address: set HOST';
    super(`otpbox cannot listen on ${host}:${port}: ${why}.`);
  }
}
