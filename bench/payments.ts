import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../src/modules/context.ts';
import { addPackage } from '../src/modules/payments/index.ts';
import { type FakeStripe, startFakeStripe } from '../test/fakes/stripe-server.ts';
import { stripeDelivery } from '../test/support/stripe-events.ts';
import { benchApp } from './app.ts';
import { freshDatabase, pgbenchInit, pgbenchRun } from './ledger.ts';
import type { Row } from './lib.ts';

const WEBHOOK_SECRET = 'whsec_bench_payments_0123456789';
const CLIENTS = 8;

/**
 * Stripe webhook handling (issue 16): signed `checkout.session.completed` events per second, each for
 * a new paid Checkout Session, so each is the whole path — signature checked on the raw body, the
 * session read back from Stripe (a fake Stripe API on 127.0.0.1, in this process), the event claimed,
 * the payment's credit, its audit row and events — with 8 deliveries in flight, on PostgreSQL, against
 * pgbench TPC-B (8 clients) on the same server, the two measured in alternating 2-second slices.
 */
export async function paymentsBenchmark(seconds = Number(process.env.BENCH_SECONDS ?? 10)): Promise<Row[]> {
  const pgbenchUrl = await freshDatabase('otpbox_bench_pgbench');
  pgbenchInit(pgbenchUrl);
  const fake = await startFakeStripe();
  process.env.BENCH_DATABASE_URL = await freshDatabase('otpbox_bench_payments');
  const { app, policy, close, database } = await benchApp({
    STRIPE_SECRET_KEY: fake.secretKey,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: fake.baseUrl,
    DB_POOL_MAX: '10',
  });
  delete process.env.BENCH_DATABASE_URL;
  try {
    const ctx = (app as unknown as { otpboxCtx: Ctx }).otpboxCtx;
    await addPackage({ ...ctx, actor: 'bench' }, { code: 'bench', credits: 500, priceMinor: 499, currency: 'USD' });
    const customers: Record<string, string>[] = [];
    for (let i = 0; i < CLIENTS; i++) customers.push(await customer(app, policy.version, i));

    const slice = 2;
    const slices = Math.max(2, Math.round(seconds / slice));
    // Paid sessions waiting for their event: made before each slice, outside the time measured.
    const ready = async (count: number) => {
      const events: object[] = [];
      await Promise.all(
        customers.map(async (headers, c) => {
          for (let i = c; i < count; i += CLIENTS) events.push(await paidSessionEvent(app, fake, headers));
        }),
      );
      return events;
    };
    const deliver = async (events: object[]): Promise<number> => {
      let delivered = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let event = events.pop(); event; event = events.pop()) {
            const { payload, headers } = stripeDelivery(event, WEBHOOK_SECRET);
            const response = await app.inject({ method: 'POST', url: '/webhooks/stripe', payload, headers });
            if (response.statusCode !== 200 || response.json().outcome !== 'applied') throw new Error(`webhook failed: ${response.body}`);
            delivered++;
            await new Promise((resolve) => setImmediate(resolve));
          }
        }),
      );
      return delivered / ((performance.now() - started) / 1000);
    };

    await deliver(await ready(400));
    // The planner's statistics, as a running server's autovacuum keeps them.
    await database.db.execute(sql`vacuum analyze`);
    let perSlice = 1500;
    let tpsTotal = 0;
    let eventsTotal = 0;
    for (let i = 0; i < slices; i++) {
      tpsTotal += pgbenchRun(pgbenchUrl, slice);
      const rate = await deliver(await ready(perSlice));
      eventsTotal += rate;
      // About `slice` seconds of events next time.
      perSlice = Math.max(200, Math.round(rate * slice));
    }
    const tps = tpsTotal / slices;
    const perSecond = eventsTotal / slices;
    return [
      { name: 'pgbench TPC-B, 8 clients (baseline)', value: tps, unit: 'tps', ratio: 1 },
      {
        name: 'Stripe webhook events, signed, re-read from a local fake, 8 in flight (PostgreSQL)',
        value: perSecond,
        unit: 'events/s',
        ratio: perSecond / tps,
        note: 'goal ≥ 0.2×',
      },
    ];
  } finally {
    await close();
    await fake.close();
  }
}

async function customer(app: FastifyInstance, policyVersion: string, i: number): Promise<Record<string, string>> {
  const signup = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email: `payments-${i}@example.com`, password: 'benchmark passphrase 2026', ageConfirmed: true, policyVersion },
    remoteAddress: `10.3.0.${i + 1}`,
  });
  const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const key = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'bench' } })).json()
    .key as string;
  return { authorization: `Bearer ${key}` };
}

/** A checkout through the API, paid at the fake Stripe: the event Stripe would send about it. */
async function paidSessionEvent(app: FastifyInstance, fake: FakeStripe, headers: Record<string, string>): Promise<object> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/payments/checkout',
    headers,
    payload: { package: 'bench', method: 'card' },
  });
  if (response.statusCode !== 201) throw new Error(`checkout failed: ${response.body}`);
  const sessionId = new URL(response.json().url as string).pathname.split('/').pop() as string;
  return fake.event('checkout.session.completed', fake.complete(sessionId).session);
}
