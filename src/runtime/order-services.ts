import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { jobDefinitions, ORDER_JOBS } from '../jobs/registry.ts';
import type { JobDefinition } from '../jobs/scheduler.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretKeys } from '../lib/secrets.ts';
import type { ActivationDeps } from '../modules/activations/index.ts';
import { EphemeralTexts, receiveSms } from '../modules/activations/index.ts';
import type { CatalogChange } from '../modules/catalog/index.ts';
import { ProviderCatalog } from '../modules/catalog/index.ts';
import { forgetAccountKey } from '../modules/keyring/index.ts';
import type { PaymentDeps } from '../modules/payments/index.ts';
import { ProviderRuntime } from '../modules/providers/index.ts';
import { SandboxProvider } from '../provider-clients/sandbox/provider.ts';
import { type EventBus, startEventBus } from './event-bus.ts';
import type { Metrics } from './metrics.ts';
import { paymentProcessors } from './payment-processors.ts';

export interface OrderServices {
  activations: ActivationDeps;
  providers: ProviderRuntime;
  events: EventBus;
  sandbox: SandboxProvider | undefined;
  jobs: JobDefinition[];
  close(): Promise<void>;
}

/**
 * Everything orders need, built once by the composition root (and by tests and benchmarks the same
 * way): the providers and their catalog, the ephemeral SMS texts, the event bus, and the jobs.
 */
export async function startOrderServices(options: {
  config: Config;
  database: Database;
  clock: Clock;
  log: Logger;
  keys: SecretKeys;
  metrics?: Metrics;
  /** The card and bitcoin processors (the erasure job ends an erased account's card payments); default: the configured ones. */
  payments?: PaymentDeps;
}): Promise<OrderServices> {
  const { config, database, clock, log, keys, metrics } = options;
  const payments = options.payments ?? (await paymentProcessors(config));
  const ephemeral = new EphemeralTexts();
  const catalog = new ProviderCatalog(config, log.child({ component: 'catalog' }));
  const providers = new ProviderRuntime({
    config,
    db: database.db,
    clock,
    log: log.child({ component: 'providers' }),
    keys,
    catalog,
    metrics,
  });
  const activations: ActivationDeps = { catalog, ephemeral, providers };
  const ctx = { db: database.db, clock, config, keys, log };

  // The sandbox exists unless SANDBOX=off: in `auto` it sells only while no upstream provider does,
  // and stays to finish its own orders once one does.
  let sandbox: SandboxProvider | undefined;
  if (config.sandbox !== 'off') {
    sandbox = new SandboxProvider({
      smsDelayMs: config.sandboxSmsDelayMs,
      deliver: (sms) =>
        receiveSms(ctx, activations, {
          target: { provider: 'sandbox', upstreamId: sms.upstreamId },
          text: sms.text,
          providerCode: sms.code,
          messageId: sms.messageId,
          source: 'sandbox',
        }),
      onError: (error) => log.warn({ err: error }, 'sandbox SMS could not be delivered'),
    });
    providers.attachSandbox(sandbox);
  }
  // The catalog as the last sync left it: selling starts at once, the sync job refreshes it.
  await providers.load();
  await catalog.refresh(clock.now());
  const events = await startEventBus(database, log.child({ component: 'events' }));
  const stopCatalogListener = events.onCatalogChange((what) => {
    void providers
      .reload(what === 'providers' || what === 'offers' || what === 'rules' ? (what as CatalogChange) : '*')
      .catch((error) => log.warn({ err: error, what }, 'could not reload the catalog'));
  });
  // An account's unwrapped data key leaves the cache when another instance destroys it (ADR 28).
  const stopKeyDrops = events.onAuthChange(forgetAccountKey);
  return {
    activations,
    providers,
    events,
    sandbox,
    jobs: jobDefinitions(ORDER_JOBS, { ctx: { clock, config, keys, log }, activations, providers, catalog, payments }),
    close: async () => {
      stopCatalogListener();
      stopKeyDrops();
      await providers.close();
      sandbox?.close();
      await events.close();
    },
  };
}
