import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSmsActivate } from '../../../../test/fakes/sms-activate-server.ts';
import { createActor, ctxOf, newDeviceCredentials } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { connectSmsActivate } from '../../../../test/support/providers.ts';
import { queryRows } from '../../../db/client.ts';
import { TTC_COLUMNS } from '../../../db/schema/index.ts';
import { expireDue, pollUpstream } from '../../activations/index.ts';
import { COMPACT_AFTER_MS, compactStats } from '../compact.ts';
import { TTC_BUCKET_STARTS_S, ttcBucket } from '../histogram.ts';

/**
 * The overview's rollups (migration 0021's triggers) against a direct count over the raw rows, after
 * a scripted mix of orders, sign-ups and payments; the backfill gives the same figures, twice.
 */

const ENV = {
  ORDER_RATE_LIMIT: '0',
  PROVIDER_TIMEOUT_MS: '2000',
  CANCEL_MIN_S: '120',
  ACTIVATION_TTL_S: '1200',
  MAX_ACTIVE_ACTIVATIONS: '100',
};
let t: TestApp;
let fake: FakeSmsActivate;
let closeFake: () => Promise<void>;
const onPostgres = !!process.env.TEST_DATABASE_URL;

beforeAll(async () => {
  t = await createTestApp({ env: ENV });
  const connected = await connectSmsActivate(t, 'alpha', {
    prices: [
      { country: 187, service: 'tg', cost: '0.50', count: 1000 },
      { country: 187, service: 'wa', cost: '0.75', count: 1000 },
      { country: 6, service: 'tg', cost: '0.20', count: 1000 },
    ],
  });
  fake = connected.fake;
  closeFake = connected.close;
});
afterAll(async () => {
  await closeFake?.();
  await t?.close();
});

const upstreamIdOf = async (id: string) =>
  (await queryRows<{ upstream_id: string }>(t.database.db, sql`select upstream_id from activations where id = ${id}`))[0]?.upstream_id ??
  '';
const poll = () => pollUpstream(ctxOf(t), t.orders.activations, t.clock.now());
const sweep = () => expireDue(ctxOf(t), t.orders.activations, t.clock.now());

type Key = string;
interface Figures {
  completed: number;
  cancelled: number;
  expired: number;
  failed: number;
  revenue: number;
  cost: number;
  released: number;
  ttc: number[];
}
const empty = (): Figures => ({
  completed: 0,
  cancelled: 0,
  expired: 0,
  failed: 0,
  revenue: 0,
  cost: 0,
  released: 0,
  ttc: TTC_COLUMNS.map(() => 0),
});

/** The order figures as the rollup holds them, the stripes added together. */
async function rolledUpOrders(): Promise<Map<Key, Figures>> {
  const rows = await queryRows<Record<string, string | number | Date>>(
    t.database.db,
    sql`select dimension, hour, value, currency, sum(completed)::int as completed, sum(cancelled)::int as cancelled,
               sum(expired)::int as expired, sum(failed)::int as failed, sum(revenue)::int as revenue,
               sum(cost_micros)::int as cost, sum(released)::int as released,
               ${sql.raw(TTC_COLUMNS.map((c) => `sum(${c})::int as ${c}`).join(', '))}
        from stats_orders group by 1, 2, 3, 4`,
  );
  const figures = new Map<Key, Figures>();
  for (const row of rows) {
    const key = `${row.dimension}|${new Date(row.hour as string).toISOString()}|${row.value}|${row.currency}`;
    const f: Figures = {
      completed: Number(row.completed),
      cancelled: Number(row.cancelled),
      expired: Number(row.expired),
      failed: Number(row.failed),
      revenue: Number(row.revenue),
      cost: Number(row.cost),
      released: Number(row.released),
      ttc: TTC_COLUMNS.map((c) => Number(row[c])),
    };
    if (f.completed + f.cancelled + f.expired + f.failed > 0) figures.set(key, f);
  }
  return figures;
}

/** The same figures counted here, from the orders themselves (hour and bucket computed in TypeScript). */
async function countedOrders(): Promise<Map<Key, Figures>> {
  const rows = await queryRows<{
    provider: string;
    service: string;
    country: string;
    status: string;
    sandbox: boolean;
    price: string;
    provider_cost: string | null;
    provider_currency: string | null;
    ended_at: string | Date | null;
    updated_at: string | Date;
    created_at: string | Date;
    received_at: string | Date | null;
  }>(t.database.db, sql`select * from activations where status in ('completed', 'cancelled', 'expired', 'failed')`);
  const figures = new Map<Key, Figures>();
  for (const order of rows) {
    const ended = new Date(order.ended_at ?? order.updated_at);
    const hour = new Date(Math.floor(ended.getTime() / 3_600_000) * 3_600_000).toISOString();
    for (const [dimension, value] of [
      ['provider', order.provider],
      ['service', order.service],
      ['country', order.country],
    ]) {
      const key = `${dimension}|${hour}|${value}|${order.provider_currency ?? ''}`;
      const f = figures.get(key) ?? empty();
      const status = order.status as 'completed' | 'cancelled' | 'expired' | 'failed';
      f[status]++;
      if (!order.sandbox && status === 'completed') {
        f.revenue += Number(order.price);
        f.cost += Number(order.provider_cost ?? 0);
      }
      if (!order.sandbox && status !== 'completed') f.released += Number(order.price);
      if (status === 'completed' && order.received_at) {
        const seconds = (new Date(order.received_at).getTime() - new Date(order.created_at).getTime()) / 1000;
        f.ttc[ttcBucket(seconds)] = (f.ttc[ttcBucket(seconds)] ?? 0) + 1;
      }
      figures.set(key, f);
    }
  }
  return figures;
}

const sorted = (map: Map<Key, Figures>) => Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));

async function rolledUpAccounts() {
  return queryRows<{ hour: string; kind: string; created: number }>(
    t.database.db,
    sql`select to_char(hour at time zone 'UTC', 'YYYY-MM-DD HH24') as hour, kind, sum(created)::int as created
        from stats_accounts group by 1, 2 having sum(created) <> 0 order by 1, 2`,
  );
}
async function countedAccounts() {
  return queryRows<{ hour: string; kind: string; created: number }>(
    t.database.db,
    sql`select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24') as hour, kind, count(*)::int as created
        from accounts group by 1, 2 order by 1, 2`,
  );
}
async function rolledUpPayments() {
  return queryRows<Record<string, unknown>>(
    t.database.db,
    sql`select to_char(hour at time zone 'UTC', 'YYYY-MM-DD HH24') as hour, method, status, currency, sum(payments)::int as payments,
               sum(amount_minor)::int as amount, sum(credits)::int as credits, sum(refunded_minor)::int as refunded
        from stats_payments group by 1, 2, 3, 4 having sum(payments) <> 0 order by 1, 2, 3, 4`,
  );
}
async function countedPayments() {
  return queryRows<Record<string, unknown>>(
    t.database.db,
    sql`select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24') as hour, method, status, currency, count(*)::int as payments,
               sum(amount_minor)::int as amount, sum(credits)::int as credits, sum(refunded_minor)::int as refunded
        from payments group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
  );
}

async function expectRollupsToMatch() {
  expect(sorted(await rolledUpOrders())).toEqual(sorted(await countedOrders()));
  expect(await rolledUpAccounts()).toEqual(await countedAccounts());
  expect(await rolledUpPayments()).toEqual(await countedPayments());
}

async function insertPayment(accountId: string, id: string, method: string, amount: number, at: Date) {
  await t.database.db.execute(sql`insert into payments (id, account_id, package_id, method, processor, status, credits, amount_minor, currency, created_at, updated_at)
    values (${id}, ${accountId}, 'pkg_stats', ${method}, ${method === 'bitcoin' ? 'blockonomics' : 'stripe'}, 'created', ${amount * 10}, ${amount}, 'USD', ${at.toISOString()}, ${at.toISOString()})`);
}

describe('the overview rollups', () => {
  it('equal a direct count of ended orders, accounts and payments after a mix of codes, cancels, expiries, failures, sign-ups and refunds', async () => {
    const a = api(t, await fundedActor(t, 100_000));
    const place = async (service = 'tg', country = 'US') => {
      const response = await a.order({ service, country });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id as string;
    };

    // Codes: delivered upstream, polled in, finished (and one completed by the sweep).
    const withCodes = [await place('tg', 'US'), await place('wa', 'US'), await place('tg', 'ID')];
    t.clock.advance(7_000);
    for (const id of withCodes) fake.deliverSms(await upstreamIdOf(id), { text: 'Your code: 51234', code: '51234' });
    t.clock.advance(2_000);
    expect(await poll()).toMatchObject({ sms: 3 });
    expect((await a.action(withCodes[0] as string, 'finish')).statusCode).toBe(200);
    expect((await a.action(withCodes[1] as string, 'finish')).statusCode).toBe(200);

    // Cancelled after the window; expired without a code; the third code order completed by the sweep.
    const toCancel = [await place('tg', 'US'), await place('tg', 'ID')];
    const toExpire = await place('wa', 'US');
    t.clock.advance(121_000);
    for (const id of toCancel) expect((await a.action(id, 'cancel')).statusCode).toBe(200);
    // An hour later (another bucket): the rest end at their deadline.
    t.clock.advance(3_600_000);
    await sweep();
    const statuses = await queryRows<{ status: string }>(
      t.database.db,
      sql`select status from activations where id in (${sql.join(
        [toExpire, withCodes[2] as string].map((id) => sql`${id}`),
        sql`, `,
      )}) order by status`,
    );
    expect(statuses.map((s) => s.status)).toEqual(['completed', 'expired']);

    // A failure: the provider has no number to sell at the moment of buying.
    fake.setMode('no_numbers');
    expect((await a.order({ service: 'tg', country: 'US' })).statusCode).toBe(409);
    fake.setMode('normal');

    // Sign-ups of both kinds, and a device account upgraded to e-mail (it moves to its new kind).
    await createActor(t);
    const device = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/device',
      payload: {
        ...newDeviceCredentials(),
        platform: 'android',
        osVersion: '14',
        model: 'Pixel',
        appVersion: '1.0',
        ageConfirmed: true,
        policyVersion: t.policy.version,
      },
    });
    expect(device.statusCode, device.body).toBe(201);
    const upgraded = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/device',
      payload: {
        ...newDeviceCredentials(),
        platform: 'ios',
        osVersion: '17',
        model: 'iPhone',
        appVersion: '1.0',
        ageConfirmed: true,
        policyVersion: t.policy.version,
      },
    });
    await t.database.db.execute(sql`update accounts set kind = 'email' where id = ${upgraded.json().accountId}`);

    // Payments: created, paid, refunded in part and in full, failed — by two methods.
    const payer = await createActor(t);
    await t.database.db.execute(sql`insert into credit_packages (id, code, credits, price_minor, currency, created_at, updated_at)
      values ('pkg_stats', 'stats', 1000, 999, 'USD', now(), now()) on conflict do nothing`);
    const now = t.clock.now();
    await insertPayment(payer.accountId, 'pay_s1', 'card', 999, now);
    await insertPayment(payer.accountId, 'pay_s2', 'card', 999, now);
    await insertPayment(payer.accountId, 'pay_s3', 'bitcoin', 500, now);
    await insertPayment(payer.accountId, 'pay_s4', 'card', 999, new Date(now.getTime() - 86_400_000));
    await t.database.db.execute(sql`update payments set status = 'paid', paid_at = now() where id in ('pay_s1', 'pay_s2', 'pay_s4')`);
    await t.database.db.execute(sql`update payments set refunded_minor = 300 where id = 'pay_s1'`);
    await t.database.db.execute(
      sql`update payments set status = 'refunded', refunded_minor = 999, refunded_at = now() where id = 'pay_s2'`,
    );
    await t.database.db.execute(sql`update payments set status = 'failed', failed_at = now() where id = 'pay_s3'`);

    const orders = await countedOrders();
    const total = (status: keyof Figures) =>
      [...orders.entries()].filter(([key]) => key.startsWith('provider|')).reduce((sum, [, f]) => sum + (f[status] as number), 0);
    expect([total('completed'), total('cancelled'), total('expired'), total('failed')]).toEqual([3, 2, 1, 1]);
    expect(total('revenue')).toBeGreaterThan(0);
    expect(total('cost')).toBeGreaterThan(0);
    await expectRollupsToMatch();
  });

  it('counts orders that end at the same moment on many connections (PostgreSQL: concurrent transactions)', async () => {
    const actors = await Promise.all(Array.from({ length: 8 }, () => fundedActor(t, 100_000)));
    const ids = await Promise.all(
      actors.map(async (actor) => {
        const placed: string[] = [];
        for (let i = 0; i < 4; i++) placed.push((await api(t, actor).order({ service: 'tg', country: i % 2 ? 'ID' : 'US' })).json().id);
        return placed;
      }),
    );
    t.clock.advance(121_000);
    const results = await Promise.all(actors.flatMap((actor, i) => (ids[i] ?? []).map((id) => api(t, actor).action(id, 'cancel'))));
    expect(results.map((r) => r.statusCode)).toEqual(results.map(() => 200));
    if (onPostgres) {
      const stripes = await queryRows<{ n: number }>(t.database.db, sql`select count(distinct stripe)::int as n from stats_orders`);
      expect(stripes[0]?.n).toBeGreaterThan(1);
    }
    await expectRollupsToMatch();
  });

  it('compaction folds the stripes of past hours into stripe 0 and changes no figure', async () => {
    const before = [sorted(await rolledUpOrders()), await rolledUpAccounts(), await rolledUpPayments()];
    // Hours younger than two hours keep their stripes (transactions in flight may still write them).
    const recentStripes = async () =>
      (
        await queryRows<{ n: number }>(
          t.database.db,
          sql`select count(*)::int as n from stats_orders where stripe <> 0 and hour >= ${new Date(t.clock.now().getTime() - COMPACT_AFTER_MS).toISOString()}::timestamptz`,
        )
      )[0]?.n;
    const stripedBefore = await recentStripes();
    const recent = await compactStats(t.database.db, t.clock.now());
    expect(await recentStripes()).toBe(stripedBefore);
    const later = await compactStats(t.database.db, new Date(t.clock.now().getTime() + 3 * 3_600_000));
    expect(later.folded).toBeGreaterThanOrEqual(stripedBefore ?? 0);
    expect(recent.folded).toBeGreaterThanOrEqual(0);
    for (const table of ['stats_orders', 'stats_accounts', 'stats_payments']) {
      const rows = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from ${sql.raw(table)} where stripe <> 0`);
      expect(rows[0]?.n, table).toBe(0);
    }
    expect([sorted(await rolledUpOrders()), await rolledUpAccounts(), await rolledUpPayments()]).toEqual(before);
  });

  it('the backfill computes the same figures from the rows, and again the same when run twice', async () => {
    const before = [sorted(await rolledUpOrders()), await rolledUpAccounts(), await rolledUpPayments()];
    await t.database.db.execute(sql`select otpbox_stats_rebuild()`);
    expect([sorted(await rolledUpOrders()), await rolledUpAccounts(), await rolledUpPayments()]).toEqual(before);
    const stripes = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from stats_orders where stripe <> 0`);
    expect(stripes[0]?.n).toBe(0);
    await t.database.db.execute(sql`select otpbox_stats_rebuild()`);
    expect([sorted(await rolledUpOrders()), await rolledUpAccounts(), await rolledUpPayments()]).toEqual(before);
  });

  it('buckets times to code in SQL exactly as histogram.ts does', async () => {
    const probes = TTC_BUCKET_STARTS_S.flatMap((start) => [start, start - 0.001, start + 0.5]).filter((s) => s >= 0);
    probes.push(0, 1e6);
    const rows = await queryRows<{ seconds: number; bucket: number }>(
      t.database.db,
      sql`select s::float8 as seconds, otpbox_ttc_bucket(s::float8) as bucket from unnest(${`{${probes.join(',')}}`}::float8[]) s`,
    );
    for (const row of rows) expect(row.bucket, `${row.seconds} s`).toBe(ttcBucket(Number(row.seconds)));
  });
});
