import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBlockonomics, randomTxid, startFakeBlockonomics } from '../../../../test/fakes/blockonomics-server.ts';
import { postRevenueCatWebhook, type RevenueCatSampleName, revenueCatSample } from '../../../../test/fakes/revenuecat-events.ts';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../../test/support/database.ts';
import { ledgerTransfers, payments, subscriptions } from '../../../db/schema/index.ts';
import { createBlockonomicsClient } from '../../../payment-clients/blockonomics/index.ts';
import { balanceOf, verifyLedger } from '../../ledger/index.ts';
import { startBitcoinCheckout } from '../bitcoin.ts';
import { addPackage } from '../packages.ts';
import { customer } from './support.ts';

/**
 * Exactly once, under what processors really do: every delivery of a processor's events repeated 50
 * times, shuffled, and sent over HTTP 20 at a time to the running app. The credits must be those of
 * one delivery of each, and the ledger must verify. Only PostgreSQL runs deliveries in parallel
 * (PGlite has one connection and serialises everything), so this runs there only.
 */
const SECRET = 'exactly-once-callback-secret-0123456789';
const AUTH = 'Bearer exactly-once-revenuecat-0123456789';
const REPLAYS = 50;
const PARALLEL = 20;

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Run every task, `PARALLEL` at a time, and collect their answers. */
async function inParallel<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++] as () => Promise<T>;
        results.push(await task());
      }
    }),
  );
  return results;
}

describe.skipIf(!onPostgres())('every credit exactly once under replays, disorder and concurrency (PostgreSQL)', () => {
  let database: TestDatabase;
  let fake: FakeBlockonomics;
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 30 });
    fake = await startFakeBlockonomics({ prices: { USD: 50_000 } });
    t = await createTestApp({
      database,
      env: {
        BLOCKONOMICS_API_KEY: fake.apiKey,
        BLOCKONOMICS_CALLBACK_SECRET: SECRET,
        BLOCKONOMICS_API_BASE: fake.baseUrl,
        REVENUECAT_WEBHOOK_AUTH: AUTH,
        DB_POOL_MAX: '30',
      },
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
    await database?.destroy();
  });
  const available = async (accountId: string) => (await balanceOf(database.db, accountId)).available;
  const creditsOf = async (paymentIds: string[]) =>
    database.db
      .select({
        paymentId: sql<string>`${ledgerTransfers.metadata}->>'paymentId'`,
        kind: ledgerTransfers.kind,
        amount: ledgerTransfers.amount,
      })
      .from(ledgerTransfers)
      .where(sql`${ledgerTransfers.metadata}->>'paymentId' in ${paymentIds}`);

  it('bitcoin: 50 replays of every callback of four payments, shuffled, 20 at a time, credit each payment once', async () => {
    const accountId = await customer(database);
    const pkg = await addPackage(ctxOf(t, 'cli'), {
      code: `btc-once-${randomUUID().slice(0, 6)}`,
      credits: 300,
      priceMinor: 1000,
      currency: 'USD',
    });
    const bitcoin = createBlockonomicsClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey });
    const checkout = () => startBitcoinCheckout(ctxOf(t), { bitcoin }, { accountId, packageCode: pkg.code });
    // 20,000 satoshis asked of each: paid at once; in two halves; underpaid by three quarters; paid with 5 more.
    const plans = [[20_000], [10_000, 10_000], [5_000], [15_000, 10_000]];
    const expected = [300, 300, 75, 300];
    const quotes = await Promise.all(plans.map(() => checkout()));
    const callbacks = plans.flatMap((amounts, i) =>
      amounts.flatMap((value) => {
        const txid = randomTxid();
        return ([0, 1, 2] as const).map((status) => ({ secret: SECRET, addr: quotes[i]?.address ?? '', status, value, txid }));
      }),
    );
    const url = `${base}/webhooks/blockonomics`;
    const deliveries = shuffled(
      callbacks.flatMap((callback) => Array.from({ length: REPLAYS }, () => () => fake.fireCallback(url, callback))),
    );
    const answers = await inParallel(deliveries);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);

    expect(await available(accountId)).toBe(expected.reduce((a, b) => a + b, 0));
    const credits = await creditsOf(quotes.map((q) => q.paymentId));
    for (const [i, quote] of quotes.entries()) {
      const mine = credits.filter((c) => c.paymentId === quote.paymentId);
      expect(mine.every((c) => c.kind === 'purchase')).toBe(true);
      expect(
        mine.reduce((sum, c) => sum + c.amount, 0),
        `payment ${i}`,
      ).toBe(expected[i]);
      const [row] = await database.db.select().from(payments).where(eq(payments.id, quote.paymentId));
      expect(row).toMatchObject({ status: 'paid', credits: expected[i] });
    }
    expect((await verifyLedger(database.db, t.clock.now())).violations).toEqual([]);
  });

  it('app stores: 50 replays of a subscription’s and a pack’s events, shuffled, 20 at a time, end as one in-order delivery does', async () => {
    const tag = randomUUID().slice(0, 6);
    const plan = await addPackage(ctxOf(t, 'cli'), {
      code: `rc-plan-${tag}`,
      credits: 100,
      priceMinor: 499,
      currency: 'USD',
      interval: 'month',
      storeProductId: `com.otpbox.plan.${tag}`,
    });
    const pack = await addPackage(ctxOf(t, 'cli'), {
      code: `rc-pack-${tag}`,
      credits: 500,
      priceMinor: 2599,
      currency: 'USD',
      storeProductId: `com.otpbox.pack.${tag}`,
    });
    /** One customer's events: a plan bought, renewed, cancelled and resumed, its renewal refunded, a billing issue, a pack. */
    const eventsFor = (accountId: string) => {
      const original = `orig-${randomUUID()}`;
      const event = (name: RevenueCatSampleName, at: number, more: Record<string, string | number | null> = {}) =>
        revenueCatSample(name, {
          id: randomUUID(),
          app_user_id: accountId,
          original_app_user_id: accountId,
          aliases: [accountId],
          product_id: plan.storeProductId,
          original_transaction_id: original,
          transaction_id: original,
          environment: 'PRODUCTION',
          store: 'APP_STORE',
          event_timestamp_ms: at,
          ...more,
        });
      return {
        original,
        events: [
          event('initialPurchase', 1_000, { expiration_at_ms: 1_700_000_000_000 }),
          // The same store transaction told again under another event id.
          event('initialPurchase', 1_001, { expiration_at_ms: 1_700_000_000_000 }),
          event('renewal', 2_000, { transaction_id: `${original}-2`, expiration_at_ms: 1_700_600_000_000 }),
          event('cancellation', 3_000, { expiration_at_ms: 1_700_600_000_000 }),
          event('uncancellation', 4_000, { expiration_at_ms: 1_700_600_000_000 }),
          event('billingIssue', 5_000),
          event('refund', 6_000, { transaction_id: `${original}-2` }),
          event('nonRenewingPurchase', 7_000, { product_id: pack.storeProductId, transaction_id: `pack-${original}`, store: 'PLAY_STORE' }),
        ],
      };
    };
    const url = `${base}/webhooks/revenuecat`;
    const stateOf = async (accountId: string, original: string) => {
      const rows = await database.db.select().from(payments).where(eq(payments.accountId, accountId));
      const [subscription] = await database.db
        .select()
        .from(subscriptions)
        .where(and(eq(subscriptions.processor, 'revenuecat'), eq(subscriptions.processorRef, original)));
      const credits = await creditsOf(rows.map((row) => row.id));
      return {
        available: await available(accountId),
        payments: rows
          .map((row) => ({
            ref: String(row.processorRef).replace(original, 'ORIGINAL'),
            method: row.method,
            status: row.status,
            reversed: row.creditsReversed,
            credited: credits.filter((c) => c.paymentId === row.id && c.kind === 'purchase').reduce((sum, c) => sum + c.amount, 0),
            takenBack: credits.filter((c) => c.paymentId === row.id && c.kind === 'chargeback').reduce((sum, c) => sum + c.amount, 0),
          }))
          .sort((a, b) => a.ref.localeCompare(b.ref)),
        subscription: subscription && {
          status: subscription.status,
          cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
          currentPeriodEnd: subscription.currentPeriodEnd,
        },
      };
    };

    // One delivery, in order.
    const calm = await customer(database);
    const inOrder = eventsFor(calm);
    for (const body of inOrder.events) expect((await postRevenueCatWebhook(url, body, AUTH)).status).toBe(200);
    const expected = await stateOf(calm, inOrder.original);
    expect(expected).toEqual({
      available: 600,
      payments: [
        { ref: 'ORIGINAL', method: 'app_store', status: 'paid', reversed: 0, credited: 100, takenBack: 0 },
        { ref: 'ORIGINAL-2', method: 'app_store', status: 'refunded', reversed: 100, credited: 100, takenBack: 100 },
        { ref: 'pack-ORIGINAL', method: 'play_store', status: 'paid', reversed: 0, credited: 500, takenBack: 0 },
      ],
      subscription: { status: 'past_due', cancelAtPeriodEnd: false, currentPeriodEnd: new Date(1_700_600_000_000) },
    });

    // Fifty deliveries of each, in any order, twenty at a time.
    const busy = await customer(database);
    const stormy = eventsFor(busy);
    const deliveries = shuffled(
      stormy.events.flatMap((body) => Array.from({ length: REPLAYS }, () => () => postRevenueCatWebhook(url, body, AUTH))),
    );
    const answers = await inParallel(deliveries);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const outcomes = answers.map((a) => JSON.parse(a.body).outcome as string);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(stormy.events.length);
    expect(await stateOf(busy, stormy.original)).toEqual(expected);
    expect((await verifyLedger(database.db, t.clock.now())).violations).toEqual([]);
  });
});
