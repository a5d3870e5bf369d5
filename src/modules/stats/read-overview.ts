import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import { TTC_COLUMNS } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { timeToCode } from './histogram.ts';
import type { Granularity, OverviewView } from './schemas.ts';

const STEP_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };
/** The most buckets one answer holds (83 days by the hour, 5 years by the day). */
export const MAX_BUCKETS = 2000;

export interface OverviewRange {
  from?: Date;
  to?: Date;
  granularity: Granularity;
}

type Num = string | number;
const n = (value: Num | null | undefined): number => Number(value ?? 0);

interface OutcomeSums {
  completed: Num;
  cancelled: Num;
  expired: Num;
  failed: Num;
}

const SUMS = sql.raw(
  ['completed', 'cancelled', 'expired', 'failed'].map((c) => `sum(${c})::int as ${c}`).join(', ') +
    ', sum(revenue)::text as revenue, sum(cost_micros)::text as cost_micros, sum(released)::text as released',
);
const TTC_SUMS = sql.raw(TTC_COLUMNS.map((c) => `sum(${c})::int as ${c}`).join(', '));

/**
 * The console's overview of [from, to) in hours or UTC days (ADR 33): every figure read from the
 * rollups the triggers keep (stats_*), never from the orders themselves — a handful of grouped reads
 * whose size grows with the range and the number of providers, services and countries, not with the
 * number of orders. Bounds are rounded out to whole buckets.
 */
export async function readOverview(ctx: Ctx, range: OverviewRange): Promise<OverviewView> {
  const step = STEP_MS[range.granularity];
  const end = range.to ?? ctx.clock.now();
  const to = new Date(Math.ceil(end.getTime() / step) * step);
  const from = new Date(Math.floor((range.from ?? new Date(to.getTime() - 30 * STEP_MS.day)).getTime() / step) * step);
  const buckets = (to.getTime() - from.getTime()) / step;
  if (buckets <= 0) throw new DomainError('VALIDATION_FAILED', '`from` must be before `to`.');
  if (buckets > MAX_BUCKETS) {
    // Days are the coarsest granularity: past that, only a shorter range helps.
    const advice = range.granularity === 'day' ? 'use a shorter range' : 'use a shorter range or granularity=day';
    throw new DomainError(
      'VALIDATION_FAILED',
      `At most ${MAX_BUCKETS} ${range.granularity === 'day' ? 'days' : 'buckets'} (this range has ${buckets}): ${advice}.`,
      { buckets },
    );
  }
  const g = range.granularity;
  const within = sql`hour >= ${from.toISOString()}::timestamptz and hour < ${to.toISOString()}::timestamptz`;

  const [byProvider, byDimension, accounts, payments, providers] = await Promise.all([
    queryRows<OutcomeSums & { at: string | Date; provider: string; currency: string; revenue: Num; cost_micros: Num; released: Num }>(
      ctx.db,
      sql`select date_trunc(${g}, hour, 'UTC') as at, value as provider, currency, ${SUMS}
          from stats_orders where dimension = 'provider' and ${within} group by 1, 2, 3`,
    ),
    queryRows<OutcomeSums & { dimension: string; value: string } & Record<string, Num>>(
      ctx.db,
      sql`select dimension, value, ${SUMS}, ${TTC_SUMS} from stats_orders where ${within} group by 1, 2`,
    ),
    queryRows<{ at: string | Date; kind: string; created: Num }>(
      ctx.db,
      sql`select date_trunc(${g}, hour, 'UTC') as at, kind, sum(created)::int as created
          from stats_accounts where ${within} group by 1, 2`,
    ),
    queryRows<{
      at: string | Date;
      method: string;
      status: string;
      currency: string;
      payments: Num;
      amount_minor: Num;
      credits: Num;
      refunded_minor: Num;
    }>(
      ctx.db,
      // By UTC day whatever the granularity: methods × statuses by the hour would be thousands of entries.
      sql`select date_trunc('day', hour, 'UTC') as at, method, status, currency, sum(payments)::int as payments,
                 sum(amount_minor)::text as amount_minor, sum(credits)::text as credits, sum(refunded_minor)::text as refunded_minor
          from stats_payments where ${within} group by 1, 2, 3, 4 having sum(payments) <> 0 order by 1, 2, 3, 4`,
    ),
    queryRows<{
      name: string;
      currency: string;
      credits_per_unit_micros: Num | null;
      balance_micros: Num | null;
      balance_at: string | Date | null;
      low_balance_micros: Num;
    }>(
      ctx.db,
      sql`select name, currency, credits_per_unit_micros, balance_micros, balance_at, low_balance_micros
          from providers order by name`,
    ),
  ]);

  // Provider costs in credits, at each provider's rate (CREDITS_PER_USD for USD without one).
  const rates = new Map(
    providers.map((p) => [
      p.name,
      { currency: p.currency, micros: p.credits_per_unit_micros === null ? null : n(p.credits_per_unit_micros) },
    ]),
  );
  const rateOf = (provider: string, currency: string): number | null => {
    const known = rates.get(provider);
    if (known && known.currency === currency && known.micros) return known.micros;
    return currency === 'USD' ? ctx.config.creditsPerUsd * 1_000_000 : null;
  };
  const inCredits = (micros: number, rate: number): number =>
    Number((BigInt(micros) * BigInt(rate) + 500_000_000_000n) / 1_000_000_000_000n);

  const series = Array.from({ length: buckets }, (_, i) => ({
    at: new Date(from.getTime() + i * step),
    completed: 0,
    cancelled: 0,
    expired: 0,
    failed: 0,
    revenue: 0,
    providerCost: 0,
    margin: 0,
    released: 0,
    newAccounts: { email: 0, device: 0 },
  }));
  const bucketOf = (at: string | Date) => series[Math.round((new Date(at).getTime() - from.getTime()) / step)];
  const costs = new Map<string, { provider: string; currency: string; micros: number; credits: number | null }>();
  for (const row of byProvider) {
    const bucket = bucketOf(row.at);
    if (!bucket) continue;
    bucket.completed += n(row.completed);
    bucket.cancelled += n(row.cancelled);
    bucket.expired += n(row.expired);
    bucket.failed += n(row.failed);
    bucket.revenue += n(row.revenue);
    bucket.released += n(row.released);
    const micros = n(row.cost_micros);
    if (micros === 0) continue;
    const rate = rateOf(row.provider, row.currency);
    const credits = rate === null ? null : inCredits(micros, rate);
    if (credits !== null) bucket.providerCost += credits;
    const key = `${row.provider}\u0000${row.currency}`;
    const cost = costs.get(key) ?? { provider: row.provider, currency: row.currency, micros: 0, credits: rate === null ? null : 0 };
    cost.micros += micros;
    if (cost.credits !== null && credits !== null) cost.credits += credits;
    costs.set(key, cost);
  }
  for (const row of accounts) {
    const bucket = bucketOf(row.at);
    if (bucket && (row.kind === 'email' || row.kind === 'device')) bucket.newAccounts[row.kind] += n(row.created);
  }
  for (const bucket of series) bucket.margin = bucket.revenue - bucket.providerCost;

  const dimensions = { provider: [], service: [], country: [] } as Record<string, OverviewView['providers']>;
  const overall = Array.from({ length: TTC_COLUMNS.length }, () => 0);
  for (const row of byDimension) {
    const histogram = TTC_COLUMNS.map((c) => n(row[c]));
    if (row.dimension === 'provider') {
      histogram.forEach((count, i) => {
        overall[i] = (overall[i] ?? 0) + count;
      });
    }
    dimensions[row.dimension]?.push(figures(row.value, row, histogram));
  }
  const byOrders = (a: { value: string; completed: number; cancelled: number; expired: number; failed: number }, b: typeof a) =>
    b.completed + b.cancelled + b.expired + b.failed - (a.completed + a.cancelled + a.expired + a.failed) || a.value.localeCompare(b.value);

  const sum = (pick: (bucket: (typeof series)[number]) => number) => series.reduce((total, bucket) => total + pick(bucket), 0);
  const totalOutcomes = {
    completed: sum((b) => b.completed),
    cancelled: sum((b) => b.cancelled),
    expired: sum((b) => b.expired),
    failed: sum((b) => b.failed),
  };
  const refundedPayments = new Map<string, { currency: string; refunded: number; refundedMinor: number }>();
  for (const row of payments) {
    const entry = refundedPayments.get(row.currency) ?? { currency: row.currency, refunded: 0, refundedMinor: 0 };
    if (row.status === 'refunded') entry.refunded += n(row.payments);
    entry.refundedMinor += n(row.refunded_minor);
    if (entry.refunded > 0 || entry.refundedMinor > 0) refundedPayments.set(row.currency, entry);
  }

  return {
    from,
    to,
    granularity: g,
    series,
    totals: {
      ...totalOutcomes,
      ...arrival(totalOutcomes, overall),
      revenue: sum((b) => b.revenue),
      providerCost: sum((b) => b.providerCost),
      margin: sum((b) => b.margin),
      released: sum((b) => b.released),
      newAccounts: { email: sum((b) => b.newAccounts.email), device: sum((b) => b.newAccounts.device) },
    },
    providers: (dimensions.provider ?? []).sort(byOrders),
    services: (dimensions.service ?? []).sort(byOrders),
    countries: (dimensions.country ?? []).sort(byOrders),
    costs: [...costs.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.currency.localeCompare(b.currency)),
    refunds: {
      orders: {
        cancelled: totalOutcomes.cancelled,
        expired: totalOutcomes.expired,
        failed: totalOutcomes.failed,
        credits: sum((b) => b.released),
      },
      payments: [...refundedPayments.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    },
    payments: payments.map((row) => ({
      at: new Date(row.at),
      method: row.method,
      status: row.status,
      currency: row.currency,
      payments: n(row.payments),
      amountMinor: n(row.amount_minor),
      credits: n(row.credits),
      refundedMinor: n(row.refunded_minor),
    })),
    balances: providers.map((p) => ({
      provider: p.name,
      currency: p.currency,
      balanceMicros: p.balance_micros === null ? null : n(p.balance_micros),
      balanceAt: p.balance_at === null ? null : new Date(p.balance_at),
      lowBalanceMicros: n(p.low_balance_micros),
      low: p.balance_micros !== null && n(p.balance_micros) < n(p.low_balance_micros),
    })),
  };
}

function arrival(outcomes: { completed: number; cancelled: number; expired: number }, histogram: number[]) {
  const withNumber = outcomes.completed + outcomes.cancelled + outcomes.expired;
  return {
    codeRate: withNumber === 0 ? null : Math.round((outcomes.completed / withNumber) * 10_000) / 10_000,
    timeToCode: timeToCode(histogram),
  };
}

function figures(value: string, row: OutcomeSums, histogram: number[]) {
  const outcomes = { completed: n(row.completed), cancelled: n(row.cancelled), expired: n(row.expired), failed: n(row.failed) };
  return { value, ...outcomes, ...arrival(outcomes, histogram) };
}
