import path from 'node:path';
import { type Database, openPostgres } from '../../../src/db/client.ts';
import { migrateDatabase } from '../../../src/db/migrate.ts';
import { ManualClock } from '../../../src/lib/clock.ts';
import { addPackage } from '../../../src/modules/payments/index.ts';
import type { FakeSmsActivate } from '../../fakes/sms-activate-server.ts';
import { type FakeStripe, startFakeStripe } from '../../fakes/stripe-server.ts';
import { type Actor, ctxOf } from '../../support/actors.ts';
import { createTestApp, TEST_SECRET } from '../../support/app.ts';
import { fundedActor } from '../../support/orders.ts';
import { connectSmsActivate } from '../../support/providers.ts';
import { freePort, runCli, type SpawnedServer, spawnServer, tempDir, waitUntilReady } from '../../support/spawn.ts';
import { STRIPE_WEBHOOK_SECRET } from '../../support/stripe.ts';
import { type PrivateCluster, startPrivateCluster } from './cluster.ts';

/**
 * Several `otpbox start` processes on one PostgreSQL database of a private cluster, as an operator
 * runs them behind a load balancer: an upstream provider (the fake SMS-Activate server) sells their
 * numbers and delivers SMS, a fake Stripe takes card top-ups, and customers with API keys and credits
 * are ready to order.
 */
export interface Fleet {
  cluster: PrivateCluster;
  databaseUrl: string;
  /** The test's own connection, for reading the final state. */
  database: Database;
  instances: Instance[];
  upstream: FakeSmsActivate;
  pushToken: string;
  stripe: FakeStripe;
  /** The package customers buy with a card: its code and the credits it gives. */
  topUp: { code: string; credits: number };
  customers: Actor[];
  /** The credits each customer was given before the storm. */
  startingCredits: number;
  /** `otpbox <args>` run against the fleet's database, as an operator on one of its hosts would. */
  otpbox(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export interface Instance {
  name: string;
  url: string;
  server: SpawnedServer;
  alive: boolean;
  /** SIGKILL: no shutdown, no cleanup, connections cut mid-request. */
  kill9(): Promise<void>;
}

export const ORDER = { service: 'tg', country: 'US' } as const;

export async function startFleet(options: {
  instances: number;
  customers: number;
  startingCredits: number;
  log: (line: string) => void;
}): Promise<Fleet> {
  const undo: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const step of undo.reverse()) await step().catch(() => {});
  };
  try {
    const cluster = await startPrivateCluster(options.log);
    undo.push(() => cluster.destroy());
    const databaseUrl = await cluster.createDatabase('otpbox_faults');
    const database = await openPostgres({ url: databaseUrl, poolMax: 4, timeoutMs: 10_000 });
    undo.push(() => database.close());
    await migrateDatabase(database);

    // The set-up an operator and the customers do before the storm, through the same modules.
    const clock = new ManualClock(Date.now());
    const setup = await createTestApp({ database: { ...database, url: databaseUrl, destroy: async () => {} }, clock });
    let upstream: FakeSmsActivate;
    let pushToken: string;
    let customers: Actor[];
    const topUp = { code: 'faults-topup', credits: 300 };
    try {
      const connected = await connectSmsActivate(setup, 'alpha', {
        // Enough balance upstream for every order of a storm: the provider never says NO_BALANCE.
        balance: '100000',
        prices: [{ country: 187, service: ORDER.service, cost: '0.50', count: 100_000 }],
      });
      upstream = connected.fake;
      pushToken = connected.pushToken;
      undo.push(() => connected.close());
      await addPackage(ctxOf(setup, 'cli'), { code: topUp.code, credits: topUp.credits, priceMinor: 500, currency: 'USD' });
      customers = [];
      // A few at a time: each sign-up hashes a password, which is most of the set-up's time.
      while (customers.length < options.customers) {
        const batch = Math.min(5, options.customers - customers.length);
        customers.push(...(await Promise.all(Array.from({ length: batch }, () => fundedActor(setup, options.startingCredits)))));
      }
    } finally {
      await setup.close();
    }
    const stripe = await startFakeStripe();
    undo.push(() => stripe.close());

    const env = {
      DATABASE_URL: databaseUrl,
      SECRET_KEY: TEST_SECRET,
      SANDBOX: 'off',
      LOG_LEVEL: 'warn',
      CANCEL_MIN_S: '0',
      DB_POOL_MAX: '8',
      SHUTDOWN_TIMEOUT_MS: '2000',
      PROVIDER_TIMEOUT_MS: '5000',
      // The customer-protection limits are not under test: a storm would hit them by design.
      MAX_ACTIVE_ACTIVATIONS: '10000',
      ORDER_RATE_LIMIT: '0',
      API_RATE_LIMIT: '0',
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET,
      STRIPE_API_BASE: stripe.baseUrl,
    };
    const folder = await tempDir('otpbox-fleet-');
    undo.push(() => folder.remove());
    const instances: Instance[] = [];
    for (let i = 0; i < options.instances; i++) {
      const port = await freePort();
      const server = spawnServer({ ...env, PORT: String(port), DATA_DIR: path.join(folder.path, `instance-${i}`) });
      const instance: Instance = {
        name: String.fromCharCode(65 + i),
        url: server.url,
        server,
        alive: true,
        async kill9() {
          instance.alive = false;
          server.kill('SIGKILL');
          await server.exited;
        },
      };
      undo.push(async () => {
        server.kill('SIGKILL');
        await server.exited;
      });
      instances.push(instance);
    }
    await Promise.all(instances.map((instance) => waitUntilReady(instance.server, 90_000)));
    options.log(`${instances.length} instances ready: ${instances.map((i) => `${i.name} ${i.url}`).join(', ')}`);

    return {
      cluster,
      databaseUrl,
      database,
      instances,
      upstream,
      pushToken,
      stripe,
      topUp,
      customers,
      startingCredits: options.startingCredits,
      otpbox: (args) => runCli(args, { DATABASE_URL: databaseUrl, SECRET_KEY: TEST_SECRET, DATA_DIR: folder.path, LOG_LEVEL: 'warn' }),
      close: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Every instance's output, for a failure message; without the sign-up e-mail written to the log for want of SMTP. */
export const fleetOutput = (fleet: Fleet) =>
  fleet.instances
    .map((instance) => {
      const lines = instance.server.output().split('\n');
      const exit = instance.server.child.exitCode ?? instance.server.child.signalCode;
      return `--- instance ${instance.name}${exit === null ? '' : ` (exited: ${exit})`}\n${lines
        .filter((line) => !line.includes('"component":"mail"'))
        .slice(-40)
        .join('\n')}`;
    })
    .join('\n');
