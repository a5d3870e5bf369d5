import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBlockonomics, randomTxid, startFakeBlockonomics } from '../../../../test/fakes/blockonomics-server.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { accountEvents, bitcoinPayments, ledgerTransfers, payments } from '../../../db/schema/index.ts';
import { createBlockonomicsClient } from '../../../payment-clients/blockonomics/index.ts';
import { balanceOf, verifyLedger } from '../../ledger/index.ts';
import { acceptBitcoinCallback, startBitcoinCheckout } from '../bitcoin.ts';
import type { PaymentDeps } from '../deps.ts';
import { BITCOIN_QUOTE_GRACE_MS, expireBitcoinQuotes } from '../expire-bitcoin-quotes.ts';
import { aPackage, clock, customer, markErased, paymentsCtx } from './support.ts';

let database: TestDatabase;
let fake: FakeBlockonomics;
let ctx: ReturnType<typeof paymentsCtx>;
let deps: PaymentDeps;
beforeAll(async () => {
  database = await createTestDatabase();
  ctx = paymentsCtx(database);
  // USD 50,000 a bitcoin: USD 10.00 is 20,000 satoshis.
  fake = await startFakeBlockonomics({ prices: { USD: 50_000, EUR: 40_000, XAF: null } });
  deps = { bitcoin: createBlockonomicsClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey }) };
});
afterAll(async () => {
  await fake?.close();
  await database?.destroy();
});

const available = async (accountId: string) => (await balanceOf(database.db, accountId)).available;
const paymentRow = async (id: string) => (await database.db.select().from(payments).where(eq(payments.id, id)))[0];
const quoteRow = async (id: string) => (await database.db.select().from(bitcoinPayments).where(eq(bitcoinPayments.paymentId, id)))[0];
const purchases = (paymentId: string) =>
  database.db
    .select()
    .from(ledgerTransfers)
    .where(sql`${ledgerTransfers.metadata}->>'paymentId' = ${paymentId}`)
    .orderBy(ledgerTransfers.id);
const eventsOf = async (accountId: string) =>
  (await database.db.select().from(accountEvents).where(eq(accountEvents.accountId, accountId)).orderBy(accountEvents.seq)).map((e) => ({
    type: e.type,
    status: (e.payload as { status?: string }).status,
  }));

/** A customer with a bitcoin checkout of a 300-credit, USD 10.00 pack. */
async function checkout(options: { credits?: number; priceMinor?: number } = {}) {
  const accountId = await customer(database);
  const pkg = await aPackage(ctx, { credits: options.credits ?? 300, priceMinor: options.priceMinor ?? 1000 });
  const answer = await startBitcoinCheckout(ctx, deps, { accountId, packageCode: pkg.code });
  return { accountId, pkg, answer };
}
const callback = (address: string, status: 0 | 1 | 2, satoshis: number, txid: string, rbf = false) => ({
  address,
  status,
  satoshis,
  txid,
  rbf,
});

describe('startBitcoinCheckout', () => {
  it('answers a new address, the package priced in BTC now, a BIP 21 URI and when the quote expires', async () => {
    const { answer, pkg } = await checkout();
    expect(answer).toEqual({
      paymentId: expect.stringMatching(/^pay_/),
      status: 'created',
      address: fake.issued.at(-1),
      amountBtc: '0.00020000',
      uri: `bitcoin:${fake.issued.at(-1)}?amount=0.00020000&message=${encodeURIComponent(`${pkg.code} (${answer.paymentId})`)}`,
      expiresAt: new Date(clock.now().getTime() + 10 * 60_000),
      replayed: false,
    });
    expect(await paymentRow(answer.paymentId)).toMatchObject({
      method: 'bitcoin',
      processor: 'blockonomics',
      processorRef: answer.address,
      checkoutUrl: answer.uri,
      status: 'created',
      credits: 300,
      amountMinor: 1000,
      currency: 'USD',
    });
    expect(await quoteRow(answer.paymentId)).toMatchObject({ expectedSatoshis: 20_000, quotedPrice: '50000', creditedCredits: 0 });
  });

  it('gives a repeated Idempotency-Key the same payment and address, and makes no new address for it', async () => {
    const accountId = await customer(database);
    const pkg = await aPackage(ctx);
    const first = await startBitcoinCheckout(ctx, deps, { accountId, packageCode: pkg.code, idempotencyKey: 'btc-key-1' });
    const issued = fake.issued.length;
    const again = await startBitcoinCheckout(ctx, deps, { accountId, packageCode: pkg.code, idempotencyKey: 'btc-key-1' });
    expect(again).toEqual({ ...first, replayed: true });
    expect(fake.issued.length).toBe(issued);
    const other = await startBitcoinCheckout(ctx, deps, { accountId, packageCode: pkg.code, idempotencyKey: 'btc-key-2' });
    expect(other.address).not.toBe(first.address);
  });

  it('refuses plans, unpriceable currencies and an unconfigured processor with PAYMENT_METHOD_UNAVAILABLE', async () => {
    const accountId = await customer(database);
    const plan = await aPackage(ctx, { interval: 'month' });
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error) => error.code,
      );
    expect(await code(startBitcoinCheckout(ctx, deps, { accountId, packageCode: plan.code }))).toBe('PAYMENT_METHOD_UNAVAILABLE');
    expect(await code(startBitcoinCheckout(ctx, {}, { accountId, packageCode: plan.code }))).toBe('PAYMENT_METHOD_UNAVAILABLE');
    const francs = await aPackage(ctx, { currency: 'XAF', priceMinor: 5000 });
    const issued = fake.issued.length;
    expect(await code(startBitcoinCheckout(ctx, deps, { accountId, packageCode: francs.code }))).toBe('PAYMENT_METHOD_UNAVAILABLE');
    // The price is read first: no address was spent on it, and without a key the payment failed.
    expect(fake.issued.length).toBe(issued);
    const [failed] = await database.db.select().from(payments).where(eq(payments.accountId, accountId));
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'no bitcoin address could be made' });
  });

  it('answers PAYMENT_PROCESSOR_UNAVAILABLE when Blockonomics fails, and a retry under the same key then succeeds', async () => {
    const accountId = await customer(database);
    const pkg = await aPackage(ctx);
    fake.failNext('new_address', { status: 503, body: { message: 'maintenance' } });
    const refused = await startBitcoinCheckout(ctx, deps, { accountId, packageCode: pkg.code, idempotencyKey: 'btc-retry' }).catch(
      (e) => e,
    );
    expect(refused.code).toBe('PAYMENT_PROCESSOR_UNAVAILABLE');
    const retried = await startBitcoinCheckout(ctx, deps, { accountId, packageCode: pkg.code, idempotencyKey: 'btc-retry' });
    expect(retried).toMatchObject({ status: 'created', replayed: false });
    const rows = await database.db.select().from(payments).where(eq(payments.accountId, accountId));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).toBe(retried.paymentId);
  });

  it('refuses an address Blockonomics already handed out for another payment', async () => {
    const { answer: first } = await checkout();
    fake.failNext('new_address', { status: 200, body: { address: first.address } });
    const accountId = await customer(database);
    const pkg = await aPackage(ctx);
    const refused = await startBitcoinCheckout(ctx, deps, { accountId, packageCode: pkg.code }).catch((e) => e);
    expect(refused.code).toBe('PAYMENT_PROCESSOR_UNAVAILABLE');
    expect((await paymentRow(first.paymentId))?.processorRef).toBe(first.address);
  });
});

describe('expireBitcoinQuotes', () => {
  it('fails a quote nothing was sent to an hour after it ended, leaves paid and pending ones alone, and money arriving later still credits', async () => {
    const abandoned = await checkout();
    const seen = await checkout();
    await acceptBitcoinCallback(ctx, callback(seen.answer.address, 0, 20_000, randomTxid()), 2);
    clock.set(new Date(abandoned.answer.expiresAt.getTime() + BITCOIN_QUOTE_GRACE_MS - 1000));
    await expireBitcoinQuotes(ctx);
    expect((await paymentRow(abandoned.answer.paymentId))?.status).toBe('created'); // within the grace
    clock.advance(2000);
    await expireBitcoinQuotes(ctx);
    expect(await paymentRow(abandoned.answer.paymentId)).toMatchObject({
      status: 'failed',
      failureReason: 'the quote expired before any bitcoin arrived',
    });
    expect((await paymentRow(seen.answer.paymentId))?.status).toBe('pending');
    expect((await expireBitcoinQuotes(ctx)).expired).toBe(0); // once

    // The customer paid after all: the confirmed money is credited at the quoted price.
    await acceptBitcoinCallback(ctx, callback(abandoned.answer.address, 2, 20_000, randomTxid()), 2);
    expect((await paymentRow(abandoned.answer.paymentId))?.status).toBe('paid');
    expect(await available(abandoned.accountId)).toBe(300);
  });
});

describe('acceptBitcoinCallback', () => {
  it('is pending at status 0, credits at the configured confirmations, once, with payment.updated events', async () => {
    const { accountId, answer } = await checkout();
    const txid = randomTxid();
    const seen = await acceptBitcoinCallback(ctx, callback(answer.address, 0, 20_000, txid), 2);
    expect(seen).toMatchObject({ kind: 'recorded', status: 'pending', creditsMoved: 0, changed: true });
    expect(await acceptBitcoinCallback(ctx, callback(answer.address, 1, 20_000, txid), 2)).toMatchObject({ creditsMoved: 0 });
    expect(await available(accountId)).toBe(0);
    expect(await acceptBitcoinCallback(ctx, callback(answer.address, 2, 20_000, txid), 2)).toMatchObject({
      status: 'paid',
      creditsMoved: 300,
    });
    // Blockonomics repeats itself: nothing more.
    for (const status of [2, 0, 1, 2] as const) {
      expect(await acceptBitcoinCallback(ctx, callback(answer.address, status, 20_000, txid), 2)).toMatchObject({ creditsMoved: 0 });
    }
    expect(await available(accountId)).toBe(300);
    expect(await paymentRow(answer.paymentId)).toMatchObject({ status: 'paid', credits: 300, paidAt: clock.now() });
    expect(await quoteRow(answer.paymentId)).toMatchObject({
      creditedCredits: 300,
      note: expect.stringContaining("the package's 300 credits"),
    });
    expect(await eventsOf(accountId)).toEqual([
      { type: 'payment.updated', status: 'pending' },
      { type: 'payment.updated', status: 'paid' },
      { type: 'balance.updated', status: undefined },
    ]);
    expect(await purchases(answer.paymentId)).toHaveLength(1);
  });

  it('bitcoin that arrives after the account was erased credits nobody, and the quote says to return it', async () => {
    const { accountId, answer } = await checkout();
    await markErased(database, accountId);
    const outcome = await acceptBitcoinCallback(ctx, callback(answer.address, 2, 20_000, randomTxid()), 2);
    expect(outcome).toMatchObject({ kind: 'recorded', creditsMoved: 0 });
    expect(await available(accountId)).toBe(0);
    expect(await purchases(answer.paymentId)).toEqual([]);
    expect(await quoteRow(answer.paymentId)).toMatchObject({ creditedCredits: 0, note: expect.stringContaining('return it to the payer') });
    expect(await eventsOf(accountId)).toEqual([]);
  });

  it('credits an underpayment in proportion and says so; the rest tops it up to the package, never beyond', async () => {
    const { accountId, answer } = await checkout();
    await acceptBitcoinCallback(ctx, callback(answer.address, 2, 10_000, randomTxid()), 2);
    expect(await available(accountId)).toBe(150);
    expect(await paymentRow(answer.paymentId)).toMatchObject({ status: 'paid', credits: 150 });
    const { note } = (await quoteRow(answer.paymentId)) ?? {};
    expect(note).toMatch(/^Underpaid: received 0\.00010000 BTC of 0\.00020000 BTC asked \(50\.00 %\), so 150 of the package's 300 credits/);
    expect((await purchases(answer.paymentId))[0]?.reason).toContain('Underpaid');

    await acceptBitcoinCallback(ctx, callback(answer.address, 2, 15_000, randomTxid()), 2);
    expect(await available(accountId)).toBe(300);
    expect(await paymentRow(answer.paymentId)).toMatchObject({ status: 'paid', credits: 300 });
    expect((await quoteRow(answer.paymentId))?.note).toMatch(/more than the 0\.00020000 BTC asked.*does not buy more credits/);
    expect((await purchases(answer.paymentId)).map((t) => t.amount)).toEqual([150, 150]);
  });

  it('still credits what arrives after the quote expired, at the quoted price', async () => {
    const { accountId, answer } = await checkout();
    clock.advance(3 * 60 * 60_000);
    await acceptBitcoinCallback(ctx, callback(answer.address, 2, 20_000, randomTxid()), 2);
    expect(await available(accountId)).toBe(300);
    expect((await quoteRow(answer.paymentId))?.note).toContain('Paid after the quote expired');
  });

  it('with 0 confirmations, credits unconfirmed money but not a replace-by-fee transaction until it confirms', async () => {
    const { accountId, answer } = await checkout();
    const txid = randomTxid();
    expect(await acceptBitcoinCallback(ctx, callback(answer.address, 0, 20_000, txid, true), 0)).toMatchObject({ creditsMoved: 0 });
    expect((await quoteRow(answer.paymentId))?.note).toContain('replace-by-fee');
    expect(await acceptBitcoinCallback(ctx, callback(answer.address, 1, 20_000, txid), 0)).toMatchObject({ creditsMoved: 300 });
    const other = await checkout();
    expect(await acceptBitcoinCallback(ctx, callback(other.answer.address, 0, 20_000, randomTxid()), 0)).toMatchObject({
      creditsMoved: 300,
    });
    expect(await available(accountId)).toBe(300);
  });

  it('knows no payment for an address it never handed out, and records nothing', async () => {
    const before = await database.db.select({ n: sql<number>`count(*)::int` }).from(payments);
    expect(await acceptBitcoinCallback(ctx, callback('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 2, 1, randomTxid()), 2)).toEqual({
      kind: 'unknown_address',
    });
    expect(await database.db.select({ n: sql<number>`count(*)::int` }).from(payments)).toEqual(before);
  });

  it('leaves a ledger that verifies', async () => {
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
  });
});
