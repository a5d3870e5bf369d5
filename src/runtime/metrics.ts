import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/client.ts';
import { type Clock, systemClock } from '../lib/clock.ts';
import { type PaymentTotals, paymentTotals } from '../modules/payments/index.ts';
import { gatewayUpStates } from '../modules/pool/index.ts';
import { countOpenRequests, type RequestCounts } from '../modules/privacy/index.ts';
import { RequestDurations } from './request-durations.ts';

/** Prometheus metrics. A registry per process (not prom-client's global one), so tests can build many apps. */
export interface Metrics {
  registry: Registry;
  httpDuration: RequestDurations;
  jobRuns: Counter<'job' | 'outcome'>;
  providerCalls: Counter<'provider' | 'method' | 'outcome'>;
  providerCallDuration: Histogram<'provider' | 'method'>;
  /** 0 closed, 1 half-open, 2 open. */
  providerCircuit: Gauge<'provider'>;
  /** Our balance at each provider, in units of its currency. */
  providerBalance: Gauge<'provider' | 'currency'>;
  /** 1 while the balance is below the provider's low-balance threshold. */
  providerLowBalance: Gauge<'provider'>;
  providerOffers: Gauge<'provider'>;
  /** Deliveries to `/webhooks/gateways/{name}`: accepted, replay, bad_signature, stale, malformed. */
  gatewayDeliveries: Counter<'gateway' | 'outcome'>;
  /** SMS from the operator's own gateways by where they went: order, late, unmatched, duplicate. */
  gatewaySms: Counter<'gateway' | 'outcome'>;
  /** Event streams cut off because their client was not reading (http/sse.ts), by stream (account, staff) and reason (stalled, cap). */
  eventStreamsCut: Counter<'stream' | 'reason'>;
  eventStreamsRefused: Counter<'stream'>;
  /** Flushes of the shared rate limits that failed, by store (each instance then counts its own hits: ADR 43). */
  rateLimitSyncFailures: Counter<'store'>;
}

export function createMetrics(options: { version: string; database: Database; defaultMetrics?: boolean; clock?: Clock }): Metrics {
  const clock = options.clock ?? systemClock;
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'otpbox' });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'otpbox_' });

  new Gauge({
    name: 'otpbox_build_info',
    help: 'Version and database engine of this instance',
    labelNames: ['version', 'engine'],
    registers: [registry],
  }).set({ version: options.version, engine: options.database.engine }, 1);

  const pool = (name: string, help: string, pick: (s: ReturnType<Database['poolStats']>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(options.database.poolStats()));
      },
    });
  pool('otpbox_db_pool_connections', 'Database connections open', (s) => s.total);
  pool('otpbox_db_pool_idle', 'Database connections idle', (s) => s.idle);
  pool('otpbox_db_pool_waiting', 'Queries waiting for a database connection', (s) => s.waiting);
  pool('otpbox_db_pool_max', 'Database pool size limit', (s) => s.max);

  // Payments are counted in the database (every instance sees them all), read when scraped.
  const totals = { at: 0, rows: undefined as Promise<PaymentTotals[]> | undefined };
  const paymentTotalsNow = () => {
    // One query per scrape for both gauges.
    if (!totals.rows || Date.now() - totals.at > 1000) {
      totals.at = Date.now();
      totals.rows = paymentTotals(options.database.db).catch(() => []);
    }
    return totals.rows;
  };
  new Gauge({
    name: 'otpbox_payments',
    help: 'Payments by method and status',
    labelNames: ['method', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await paymentTotalsNow()) this.set({ method: row.method, status: row.status }, row.payments);
    },
  });
  new Gauge({
    name: 'otpbox_payment_credits_sold',
    help: 'Credits sold by payments that were paid, by method (before refunds and lost disputes)',
    labelNames: ['method'],
    registers: [registry],
    async collect() {
      this.reset();
      const byMethod = new Map<string, number>();
      for (const row of await paymentTotalsNow()) byMethod.set(row.method, (byMethod.get(row.method) ?? 0) + row.creditsSold);
      for (const [method, credits] of byMethod) this.set({ method }, credits);
    },
  });
  new Gauge({
    name: 'otpbox_payment_credits_taken_back',
    help: 'Credits taken back from payments by refunds and lost disputes, by method',
    labelNames: ['method'],
    registers: [registry],
    async collect() {
      this.reset();
      const byMethod = new Map<string, number>();
      for (const row of await paymentTotalsNow()) byMethod.set(row.method, (byMethod.get(row.method) ?? 0) + row.creditsTakenBack);
      for (const [method, credits] of byMethod) this.set({ method }, credits);
    },
  });

  // Rights requests waiting on staff (P11), and those past their 30 days: read when scraped, one query pair for both.
  const requests = { at: 0, rows: undefined as Promise<RequestCounts[]> | undefined };
  const requestCountsNow = () => {
    const now = clock.now();
    if (!requests.rows || now.getTime() - requests.at > 1000) {
      requests.at = now.getTime();
      requests.rows = countOpenRequests(options.database.db, now).catch(() => []);
    }
    return requests.rows;
  };
  const requestGauge = (name: string, help: string, pick: (row: RequestCounts) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['type'],
      registers: [registry],
      async collect() {
        this.reset();
        // Zero when there are none, so an alert on `> 0` has a series to read.
        this.set(0);
        for (const row of await requestCountsNow()) this.set({ type: row.type }, pick(row));
      },
    });
  requestGauge('otpbox_privacy_requests_open', 'Rights requests waiting on staff (open or in progress), by type', (row) => row.open);
  requestGauge(
    'otpbox_privacy_requests_overdue',
    'Rights requests waiting on staff past their due date (30 days), by type',
    (row) => row.overdue,
  );

  // Each own gateway, 1 while up (the database says, for every instance alike), read when scraped.
  new Gauge({
    name: 'otpbox_gateway_up',
    help: 'Your own SMS gateways: 1 while up, 0 while down or not heard from yet (its numbers leave the stock while down)',
    labelNames: ['gateway'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await gatewayUpStates(options.database.db).catch(() => [])) this.set({ gateway: row.gateway }, row.up ? 1 : 0);
    },
  });

  const eventStreamsCut = new Counter({
    name: 'otpbox_event_streams_cut_total',
    help: 'Event streams cut off because the client was not reading (it resumes with Last-Event-ID), by stream and reason (stalled: behind for 30 s; cap: 64 KiB waited)',
    labelNames: ['stream', 'reason'],
    registers: [registry],
  });
  // Every series exists from the start, so a rate() or an alert has something to read before the first cut.
  for (const stream of ['account', 'staff']) for (const reason of ['stalled', 'cap']) eventStreamsCut.inc({ stream, reason }, 0);
  const eventStreamsRefused = new Counter({
    name: 'otpbox_event_streams_refused_total',
    help: 'Event streams refused because the account already held its most on this instance (20), by stream',
    labelNames: ['stream'],
    registers: [registry],
  });
  for (const stream of ['account', 'staff']) eventStreamsRefused.inc({ stream }, 0);

  return {
    registry,
    httpDuration: new RequestDurations(
      'otpbox_http_request_duration_seconds',
      'HTTP request latency by route (the route pattern, never the raw URL)',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registry,
    ),
    jobRuns: new Counter({
      name: 'otpbox_job_runs_total',
      help: 'Periodic job runs by outcome',
      labelNames: ['job', 'outcome'],
      registers: [registry],
    }),
    providerCalls: new Counter({
      name: 'otpbox_provider_calls_total',
      help: 'Calls to upstream providers by outcome (ok, a failure kind, or circuit_open when not sent)',
      labelNames: ['provider', 'method', 'outcome'],
      registers: [registry],
    }),
    providerCallDuration: new Histogram({
      name: 'otpbox_provider_call_duration_seconds',
      help: 'Upstream provider call latency',
      labelNames: ['provider', 'method'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
      registers: [registry],
    }),
    providerCircuit: new Gauge({
      name: 'otpbox_provider_circuit_state',
      help: 'Circuit breaker per provider: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider'],
      registers: [registry],
    }),
    providerBalance: new Gauge({
      name: 'otpbox_provider_balance',
      help: 'Our balance at each upstream provider, in units of its currency',
      labelNames: ['provider', 'currency'],
      registers: [registry],
    }),
    providerLowBalance: new Gauge({
      name: 'otpbox_provider_low_balance',
      help: '1 while our balance at the provider is below its low-balance threshold',
      labelNames: ['provider'],
      registers: [registry],
    }),
    providerOffers: new Gauge({
      name: 'otpbox_provider_offers',
      help: 'Offers (service × country) each provider lists, as of its last sync',
      labelNames: ['provider'],
      registers: [registry],
    }),
    gatewayDeliveries: new Counter({
      name: 'otpbox_gateway_deliveries_total',
      help: 'Deliveries to /webhooks/gateways/{name} by outcome (accepted, replay, bad_signature, stale, malformed)',
      labelNames: ['gateway', 'outcome'],
      registers: [registry],
    }),
    rateLimitSyncFailures: new Counter({
      name: 'otpbox_rate_limit_sync_failures_total',
      help: 'Flushes of the shared rate limits the store did not take, by store (limits count per instance meanwhile)',
      labelNames: ['store'],
      registers: [registry],
    }),
    gatewaySms: new Counter({
      name: 'otpbox_gateway_sms_total',
      help: 'SMS received by your own gateways, by where they went (order, late, unmatched, duplicate)',
      labelNames: ['gateway', 'outcome'],
      registers: [registry],
    }),
    eventStreamsCut,
    eventStreamsRefused,
  };
}
