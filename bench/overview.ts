import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.ts';
import { createApiKey, createStaffAccount } from '../src/modules/accounts/index.ts';
import type { Ctx } from '../src/modules/context.ts';
import { readOverview } from '../src/modules/stats/index.ts';
import { benchApp } from './app.ts';
import { freshDatabase } from './ledger.ts';
import { percentile, type Row } from './lib.ts';

const ORDERS = Number(process.env.BENCH_OVERVIEW_ORDERS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_OVERVIEW_SAMPLES ?? 30);
const DAY_MS = 86_400_000;

const SERVICES = [
  'tg',
  'wa',
  'go',
  'fb',
  'ig',
  'tw',
  'vi',
  'wb',
  'ds',
  'am',
  'mm',
  'ub',
  'ot',
  'nf',
  'tn',
  'lf',
  'ya',
  'ma',
  'ka',
  'dr',
  'oi',
  'bw',
  'mb',
  'sn',
  'ts',
  'av',
  'kt',
  'qq',
  'li',
  'hw',
];
const COUNTRIES = [
  'US',
  'GB',
  'ID',
  'IN',
  'BR',
  'RU',
  'UA',
  'KZ',
  'PH',
  'VN',
  'TH',
  'MY',
  'NG',
  'KE',
  'ZA',
  'EG',
  'MX',
  'CO',
  'AR',
  'CL',
  'PL',
  'DE',
  'FR',
  'ES',
  'TR',
];
const PROVIDERS = ['alpha', 'beta', 'gamma', 'delta'];
const list = (values: string[]) => sql.raw(`array[${values.map((v) => `'${v}'`).join(', ')}]`);

/**
 * The staff overview (ADR 33) over a PostgreSQL holding ORDERS orders of the last 90 days (default a
 * million, 30 services × 25 countries × 4 providers, a mix of outcomes and times to code), with
 * accounts and payments beside them. The rows are written by generate_series with the triggers off
 * (session_replication_role = replica), then their rollups by the migration's own backfill
 * (`otpbox_stats_rebuild()`). Measured: p50/p99 of the overview over 30 days by the hour and 90 days by
 * the day, against a `select 1` round trip and an authenticated bare read in the same run. Goal: < 200 ms.
 */
export async function overviewBenchmark(): Promise<Row[]> {
  process.env.BENCH_DATABASE_URL = await freshDatabase('otpbox_bench_overview');
  const { app, database, close } = await benchApp({});
  delete process.env.BENCH_DATABASE_URL;
  try {
    const ctx = (app as unknown as { otpboxCtx: Ctx }).otpboxCtx;
    const staff = await createStaffAccount(
      { ...ctx, actor: 'cli' },
      { email: 'bench-admin@example.com', password: 'benchmark passphrase 2026', role: 'admin' },
    );
    const key = await createApiKey(ctx, staff.accountId, 'bench');
    const headers = { authorization: `Bearer ${key.key}` };
    const now = Date.now();
    const start = new Date(now - 90 * DAY_MS).toISOString();

    const seedStarted = performance.now();
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`insert into accounts (id, kind, created_at, updated_at)
        select 'acc_bench_' || g, case when g % 3 = 0 then 'email' else 'device' end,
               ${start}::timestamptz + (g * interval '1 second' * 90 * 86400 / 50000), now()
        from generate_series(1, 50000) g`);
      // Only their kind and creation time count here: no e-mail, password or device is written.
      await tx.execute(sql`insert into activations (id, account_id, service, country, provider, upstream_id, price, provider_cost,
          provider_currency, status, sandbox, created_at, updated_at, expires_at, cancellable_at, received_at, ended_at)
        select 'act_bench_' || g, 'acc_bench_' || (1 + g % 50000),
               (${list(SERVICES)})[1 + g % ${SERVICES.length}], (${list(COUNTRIES)})[1 + (g / 7) % ${COUNTRIES.length}],
               (${list(PROVIDERS)})[1 + (g / 3) % ${PROVIDERS.length}], null, 20 + g % 80, 100000 + (g % 50) * 10000, 'USD',
               s.status, false, c.at, c.at + interval '5 minutes', c.at + interval '20 minutes', c.at + interval '2 minutes',
               case when s.status = 'completed' then c.at + (5 + (g::bigint * 7919) % 600) * interval '1 second' end,
               c.at + interval '5 minutes'
        from generate_series(1, ${ORDERS}) g,
             lateral (select ${start}::timestamptz + (g::double precision / ${ORDERS}) * interval '90 days' as at) c,
             lateral (select (array['completed', 'completed', 'completed', 'completed', 'cancelled', 'expired', 'expired', 'failed'])[1 + (g * 31) % 8] as status) s`);
      await tx.execute(sql`insert into credit_packages (id, code, credits, price_minor, currency, created_at, updated_at)
        values ('pkg_bench', 'bench', 1000, 999, 'USD', now(), now())`);
      await tx.execute(sql`insert into payments (id, account_id, package_id, method, processor, status, credits, amount_minor, currency, refunded_minor, created_at, updated_at)
        select 'pay_bench_' || g, 'acc_bench_' || (1 + g % 50000), 'pkg_bench', (array['card', 'bitcoin', 'app_store', 'play_store'])[1 + g % 4],
               'stripe', (array['paid', 'paid', 'paid', 'failed', 'created', 'refunded'])[1 + (g * 7) % 6], 1000, 999, 'USD',
               case when (g * 7) % 6 = 5 then 999 else 0 end, ${start}::timestamptz + (g * interval '1 second' * 90 * 86400 / 100000), now()
        from generate_series(1, 100000) g`);
    });
    const seededS = (performance.now() - seedStarted) / 1000;
    const backfillStarted = performance.now();
    await database.db.execute(sql`select otpbox_stats_rebuild()`);
    const backfillS = (performance.now() - backfillStarted) / 1000;
    await database.db.execute(sql`vacuum analyze`);
    const [rollupRows] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from stats_orders`);

    const selectOne = () => database.db.execute(sql`select 1`);
    const bareRead = () => app.inject({ method: 'GET', url: '/api/v1/admin/jobs?runs=1', headers });
    const iso = (ms: number) => new Date(ms).toISOString();
    const hourly = () =>
      app.inject({ method: 'GET', url: `/api/v1/admin/overview?granularity=hour&from=${iso(now - 30 * DAY_MS)}&to=${iso(now)}`, headers });
    const daily = () =>
      app.inject({ method: 'GET', url: `/api/v1/admin/overview?granularity=day&from=${iso(now - 90 * DAY_MS)}&to=${iso(now)}`, headers });
    const check = await daily();
    if (check.statusCode !== 200) throw new Error(`overview failed: ${check.body}`);
    const ordersSeen = ['completed', 'cancelled', 'expired', 'failed'].reduce((sum, k) => sum + (check.json().totals[k] as number), 0);

    const staffCtx = { ...ctx, db: database.db };
    const hourlyRead = () => readOverview(staffCtx, { from: new Date(now - 30 * DAY_MS), to: new Date(now), granularity: 'hour' });
    const timings = await sampled({ selectOne, bareRead, hourly, daily, hourlyRead }, SAMPLES);
    const base = percentile(timings.selectOne, 50);
    const row = (name: string, values: number[], p: number, note?: string): Row => ({
      name,
      value: percentile(values, p),
      unit: 'ms',
      ratio: percentile(values, p) / base,
      note,
    });
    return [
      { name: `seeded ${ORDERS.toLocaleString('en')} orders, 50,000 accounts, 100,000 payments`, value: seededS, unit: 's' },
      { name: `backfill (otpbox_stats_rebuild): ${rollupRows?.n ?? 0} rollup rows`, value: backfillS, unit: 's' },
      { name: 'orders the 90-day overview counts', value: ordersSeen, unit: 'orders' },
      row('select 1 round trip p50 (baseline)', timings.selectOne, 50),
      row('GET /api/v1/admin/jobs?runs=1 p50 (an authenticated small read)', timings.bareRead, 50),
      row('overview, 30 days by the hour, p50', timings.hourly, 50, 'goal < 200 ms'),
      row('overview, 30 days by the hour, p99', timings.hourly, 99, 'goal < 200 ms'),
      row('  of which the reads (readOverview, no HTTP), p50', timings.hourlyRead, 50),
      row('overview, 90 days by the day, p50', timings.daily, 50, 'goal < 200 ms'),
      row('overview, 90 days by the day, p99', timings.daily, 99, 'goal < 200 ms'),
    ];
  } finally {
    await close();
  }
}

/** Each request's latency in ms, `samples` times each after 3 warm-ups, the kinds taking turns. */
async function sampled<K extends string>(requests: Record<K, () => Promise<unknown>>, samples: number): Promise<Record<K, number[]>> {
  const kinds = Object.keys(requests) as K[];
  const times = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < samples + 3; i++) {
    for (const kind of kinds) {
      const started = performance.now();
      const answer = await requests[kind]();
      const elapsed = performance.now() - started;
      if ((answer as { statusCode?: number }).statusCode !== undefined && (answer as { statusCode: number }).statusCode !== 200) {
        throw new Error(`${kind} answered ${(answer as { statusCode: number }).statusCode}`);
      }
      if (i >= 3) times[kind].push(elapsed);
    }
  }
  return times;
}
