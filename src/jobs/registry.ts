import type { Config } from '../config.ts';
import type { ActivationDeps } from '../modules/activations/index.ts';
import { expireDue, pollUpstream, reconcileUpstream, runProviderTasks, type Suspects } from '../modules/activations/index.ts';
import type { ProviderCatalog } from '../modules/catalog/index.ts';
import type { Ctx } from '../modules/context.ts';
import { voidAllDemoCredits } from '../modules/ledger/index.ts';
import type { MailTransport } from '../modules/mail/index.ts';
import { endPaymentsOfErasedAccounts, expireBitcoinQuotes, type PaymentDeps, reconcileStripePayments } from '../modules/payments/index.ts';
import { checkGatewayHeartbeats } from '../modules/pool/index.ts';
import { completeErasures } from '../modules/privacy/index.ts';
import { type ProviderRuntime, syncCatalog } from '../modules/providers/index.ts';
import { runRentalPeriods } from '../modules/rentals/index.ts';
import { compactStats, type JobSchedule } from '../modules/stats/index.ts';
import { deliverDueWebhooks } from '../modules/webhooks/index.ts';
import { erasureDeps } from '../runtime/erasure-deps.ts';
import { deliverPendingEmail } from './email-delivery.ts';
import { markAbandonedRuns } from './job-runs-housekeeping.ts';
import { purgeRetained } from './retention.ts';
import type { JobDefinition } from './scheduler.ts';

/**
 * Every periodic job, in one place: its name, its schedule and its handler (the handler's work lives
 * in its module, exported through the module's index.ts). The scheduler (scheduler.ts) runs each slot
 * once across all instances. Process jobs need only the database and the mail transport; order jobs
 * need the order services (runtime/order-services.ts), which take theirs from here too.
 */

/** What every job is given besides its run's context: the process's context without a database. */
export type JobCtx = Omit<Ctx, 'db'>;

export interface ProcessJobDeps {
  ctx: JobCtx;
  mail: MailTransport;
}

export interface PaymentJobDeps {
  ctx: JobCtx;
  payments: PaymentDeps;
}

export interface OrderJobDeps {
  ctx: JobCtx;
  activations: ActivationDeps;
  /** For the erasure job: an erased account's card payments end at the processor. */
  payments: PaymentDeps;
  providers: ProviderRuntime;
  catalog: ProviderCatalog;
}

export interface JobEntry<Deps> {
  name: string;
  /** The slot length: the job runs once per slot, whichever instance claims it first. */
  everyMs: number | ((config: Config) => number);
  /** Abort the run's signal after this long (default: the slot length). */
  timeoutMs?: number | ((config: Config) => number);
  /** Called once when the jobs are built; returns what each run does. */
  handler(deps: Deps): JobDefinition['run'];
}

const HOUR = 60 * 60_000;

/** An order sweep's handler: the verb on the run's database, the order services, and the run's time. */
const orderSweep =
  (verb: (ctx: Ctx, deps: ActivationDeps, now: Date) => Promise<Record<string, number>>) =>
  ({ ctx, activations }: OrderJobDeps): JobDefinition['run'] =>
  ({ db, now }) =>
    verb({ ...ctx, db }, activations, now);

export const PROCESS_JOBS: readonly JobEntry<ProcessJobDeps>[] = [
  // Runs of crashed instances are marked abandoned (their records are purged by retention).
  { name: 'job-runs-housekeeping', everyMs: HOUR, handler: () => markAbandonedRuns },
  // Rows and columns past the retention the privacy data map declares for them, with the periods in force.
  {
    name: 'retention',
    everyMs: HOUR,
    timeoutMs: 10 * 60_000,
    handler:
      ({ ctx }) =>
      (run) =>
        purgeRetained(ctx.config, run),
  },
  // The overview's rollups: the stripes of past hours folded into one row per key (ADR 33).
  {
    name: 'stats-compaction',
    everyMs: 10 * 60_000,
    handler:
      () =>
      ({ db, now }) =>
        compactStats(db, now),
  },
  // Own gateways not heard from go down (their numbers out of stock); cooled numbers back in stock.
  {
    name: 'gateway-health',
    everyMs: 60_000,
    handler:
      ({ ctx }) =>
      ({ db, now }) =>
        checkGatewayHeartbeats({ ...ctx, db, actor: 'system' }, now),
  },
  // Rentals of pool numbers: periods that ended captured, rentals renewed (autoRenew, if the balance allows) or ended (ADR 42).
  {
    name: 'rental-periods',
    everyMs: 60_000,
    timeoutMs: 5 * 60_000,
    handler:
      ({ ctx }) =>
      ({ db, now }) =>
        runRentalPeriods({ ...ctx, db, actor: 'system' }, now),
  },
  // Queued e-mail, retried with back-off.
  {
    name: 'email-delivery',
    everyMs: 5_000,
    timeoutMs: 60_000,
    handler:
      ({ ctx, mail }) =>
      ({ db, now, log }) =>
        deliverPendingEmail(db, ctx.keys, mail, now, log),
  },
];

export const PAYMENT_JOBS: readonly JobEntry<PaymentJobDeps>[] = [
  // Card payments whose webhook never came, read back from Stripe (spaced out by each payment's age).
  {
    name: 'stripe-reconcile',
    everyMs: 60_000,
    handler:
      ({ ctx, payments }) =>
      ({ db, signal }) =>
        reconcileStripePayments({ ...ctx, db, actor: 'system' }, payments, { signal }),
  },
  // Erased accounts whose card plan or payment page is still open at Stripe (a webhook that came after the
  // erasure, or Stripe out of reach until day 28): ended now, so nothing charges them (ADR 27).
  {
    name: 'erased-account-payments',
    everyMs: 5 * 60_000,
    handler:
      ({ ctx, payments }) =>
      ({ db, clock, signal }) =>
        endPaymentsOfErasedAccounts({ ...ctx, db, clock, actor: 'system' }, payments, { signal }),
  },
  // Bitcoin quotes that ran out with nothing sent: failed, so nobody waits on them.
  {
    name: 'bitcoin-quote-expiry',
    everyMs: 5 * 60_000,
    handler:
      ({ ctx }) =>
      ({ db, signal }) =>
        expireBitcoinQuotes({ ...ctx, db, actor: 'system' }, { signal }),
  },
];

export const ORDER_JOBS: readonly JobEntry<OrderJobDeps>[] = [
  // An order ends within seconds of its deadline, whatever instance runs it.
  {
    name: 'activation-expiry',
    everyMs: 2_000,
    timeoutMs: 60_000,
    handler: orderSweep(expireDue),
  },
  // What orders owe their providers (set status, finish, cancel), retried.
  {
    name: 'provider-tasks',
    everyMs: 2_000,
    timeoutMs: 120_000,
    handler: orderSweep(runProviderTasks),
  },
  // Codes from polled providers show within seconds of arriving upstream.
  {
    name: 'provider-poll',
    everyMs: 1_000,
    timeoutMs: 60_000,
    handler:
      ({ ctx, activations, providers }) =>
      ({ db, now }) =>
        pollUpstream({ ...ctx, db }, activations, now, { pushes: (name) => providers.pushes(name) }),
  },
  // Orders interrupted while being bought, and numbers bought upstream that no order knows.
  {
    name: 'provider-reconcile',
    everyMs: 15_000,
    timeoutMs: 60_000,
    handler: ({ ctx, activations }) => {
      const suspects: Suspects = new Map();
      return ({ db, now }) => reconcileUpstream({ ...ctx, db }, activations, now, suspects);
    },
  },
  // Providers' prices, stock and balances; the sandbox's offers.
  {
    name: 'catalog-sync',
    everyMs: (config) => config.catalogSyncIntervalS * 1000,
    timeoutMs: (config) => Math.max(120_000, config.catalogSyncIntervalS * 1000),
    handler:
      ({ providers, catalog }) =>
      ({ now }) =>
        syncCatalog(providers, catalog, now),
  },
  // A code reaches the customer's endpoint within seconds of arriving.
  {
    name: 'webhook-delivery',
    everyMs: 2_000,
    // A backstop only: a run stops claiming after its budget and each attempt has its own timeout.
    timeoutMs: 10 * 60_000,
    handler:
      ({ ctx }) =>
      ({ db, now, signal }) =>
        deliverDueWebhooks({ ...ctx, db }, now, { signal }),
  },
  // While the sandbox does not sell, demo wallets' available credits are voided.
  {
    name: 'demo-credits-void',
    everyMs: 60_000,
    handler:
      ({ ctx, catalog }) =>
      async ({ db, clock, signal }) =>
        catalog.sandboxSells ? { voided: 0 } : voidAllDemoCredits({ ...ctx, db, clock, actor: 'system' }, signal),
  },
  // Erasures that had to wait (an order being bought, an upstream cancellation not yet acknowledged),
  // finished as soon as they can be and always within 30 days (ADR 27).
  {
    name: 'erasure-completion',
    everyMs: 5 * 60_000,
    handler: ({ ctx, activations, payments }) => {
      const deps = erasureDeps(activations, payments);
      return ({ db, clock, signal }) => completeErasures({ ...ctx, db, clock }, deps, { signal });
    },
  },
];

/** The scheduler's definitions of these jobs, their handlers given what they need. */
export function jobDefinitions<Deps extends { ctx: JobCtx }>(entries: readonly JobEntry<Deps>[], deps: Deps): JobDefinition[] {
  const { config } = deps.ctx;
  const resolve = (value: number | ((config: Config) => number)) => (typeof value === 'number' ? value : value(config));
  return entries.map((entry) => ({
    id: entry.name,
    everyMs: resolve(entry.everyMs),
    ...(entry.timeoutMs === undefined ? {} : { timeoutMs: resolve(entry.timeoutMs) }),
    run: entry.handler(deps),
  }));
}

/** Every job of the three lists with its slot length under `config`, for the staff's jobs page. */
export function jobSchedules(config: Config): JobSchedule[] {
  const entries: readonly JobEntry<never>[] = [...PROCESS_JOBS, ...PAYMENT_JOBS, ...ORDER_JOBS] as readonly JobEntry<never>[];
  return entries.map((entry) => ({
    name: entry.name,
    intervalMs: typeof entry.everyMs === 'function' ? entry.everyMs(config) : entry.everyMs,
  }));
}
