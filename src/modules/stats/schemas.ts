import { z } from 'zod';
import { Timestamp } from '../../lib/api-schemas.ts';

/** The response schemas of the staff overview and jobs routes; the module's view types are inferred from them. */

export const GRANULARITIES = ['hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const count = z.number().int();
const credits = z.number().int().describe('Credits');

export const TimeToCode = z
  .object({
    p50: count.describe('Seconds from the order to its code: median'),
    p90: count.describe('Seconds: 90th percentile'),
    p99: count.describe('Seconds: 99th percentile'),
  })
  .meta({ id: 'TimeToCode', description: 'Estimated from a fixed histogram: within one bucket of the exact value (ADR 33)' });

const Outcomes = {
  completed: count.describe('Orders that ended with a code'),
  cancelled: count,
  expired: count.describe('Ended without a code at the deadline'),
  failed: count.describe('No number could be bought'),
};

const Arrival = {
  codeRate: z.number().nullable().describe('Orders with a code among those that got a number (completed, cancelled, expired); null: none'),
  timeToCode: TimeToCode.nullable(),
};

export const OverviewBucket = z
  .object({
    at: Timestamp.describe('Start of the hour or UTC day'),
    ...Outcomes,
    revenue: credits.describe('Credits captured by orders that ended with a code (sandbox orders excluded)'),
    providerCost: credits.describe('What their providers charged, in credits at the providers’ current rates'),
    margin: credits.describe('revenue − providerCost'),
    released: credits.describe('Credits given back by orders that ended without a code'),
    newAccounts: z.object({ email: count, device: count }),
  })
  .meta({ id: 'OverviewBucket' });

export const DimensionFigures = z
  .object({ value: z.string().describe('Provider name, service code or country code'), ...Outcomes, ...Arrival })
  .meta({ id: 'DimensionFigures' });

export const Overview = z
  .object({
    from: Timestamp,
    to: Timestamp.describe('Exclusive'),
    granularity: z.enum(GRANULARITIES),
    series: z.array(OverviewBucket).describe('One entry per bucket, empty ones included'),
    totals: z.object({
      ...Outcomes,
      ...Arrival,
      revenue: credits,
      providerCost: credits,
      margin: credits,
      released: credits,
      newAccounts: z.object({ email: count, device: count }),
    }),
    providers: z.array(DimensionFigures),
    services: z.array(DimensionFigures),
    countries: z.array(DimensionFigures),
    costs: z
      .array(
        z.object({
          provider: z.string(),
          currency: z.string(),
          micros: z.number().int().describe('Micro-units of the currency'),
          credits: z.number().int().nullable().describe('null: no rate for this currency any more (not in providerCost)'),
        }),
      )
      .describe('Provider costs of the period as charged'),
    refunds: z.object({
      orders: z.object({
        cancelled: count,
        expired: count,
        failed: count,
        credits: credits.describe('Credits given back to customers by these orders'),
      }),
      payments: z.array(
        z.object({
          currency: z.string(),
          refunded: count.describe('Payments now refunded in full'),
          refundedMinor: z.number().int().describe('Refunded amount in the currency’s minor unit, partial refunds included'),
        }),
      ),
    }),
    payments: z
      .array(
        z.object({
          at: Timestamp,
          method: z.string(),
          status: z.string(),
          currency: z.string(),
          payments: count,
          amountMinor: z.number().int(),
          credits,
          refundedMinor: z.number().int(),
        }),
      )
      .describe(
        'Payments created on each UTC day of the range (by day whatever the granularity), by method and current status (non-empty groups only)',
      ),
    balances: z.array(
      z.object({
        provider: z.string(),
        currency: z.string(),
        balanceMicros: z.number().int().nullable(),
        balanceAt: Timestamp.nullable(),
        lowBalanceMicros: z.number().int(),
        low: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'Overview' });
export type OverviewView = z.infer<typeof Overview>;

export const JobRun = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'abandoned']),
    instanceId: z.string(),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    durationMs: z.number().int().nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'JobRun' });

export const JobList = z
  .object({
    jobs: z.array(
      z.object({
        name: z.string(),
        intervalMs: z.number().int().describe('How often it runs (its slot length)'),
        runs: z.array(JobRun).describe('The latest runs, newest first'),
      }),
    ),
  })
  .meta({ id: 'JobList' });
export type JobListView = z.infer<typeof JobList>;
