import { randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RevenueCatSampleName, revenueCatSample } from '../../../../test/fakes/revenuecat-events.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { auditLog, ledgerAccounts, payments, processedWebhookEvents, subscriptions } from '../../../db/schema/index.ts';
import { type RevenueCatFact, readRevenueCatWebhook } from '../../../payment-clients/revenuecat/index.ts';
import { balanceOf, captureHold, holdCredits, verifyLedger } from '../../ledger/index.ts';
import { acceptStoreEvent } from '../app-store.ts';
import { addPackage } from '../packages.ts';
import { listSubscriptions, STORE_SUBSCRIPTION_PAGES } from '../subscriptions.ts';
import { clock, customer, markErased, paymentsCtx } from './support.ts';

let database: TestDatabase;
let ctx: ReturnType<typeof paymentsCtx>;
beforeAll(async () => {
  database = await createTestDatabase();
  ctx = paymentsCtx(database);
});
afterAll(() => database?.destroy());

const production = { sandboxSells: false, demoCreditsCap: 2000 };
const sandboxOn = { sandboxSells: true, demoCreditsCap: 2000 };
const unique = () => randomUUID().slice(0, 8);
/** A documented sample, made this test's own (ids, user, product), read as RevenueCat's webhook is. */
function fact(name: RevenueCatSampleName, overrides: Record<string, string | number | null | string[] | undefined>): RevenueCatFact {
  const reading = readRevenueCatWebhook(revenueCatSample(name, { id: randomUUID(), ...overrides }));
  if (!reading.ok) throw new Error(reading.message);
  return reading.fact;
}
/** A customer with a weekly plan (100 credits a week) and a one-off pack (500 credits), each sold through the stores. */
async function shop() {
  const accountId = await customer(database);
  const tag = unique();
  const plan = await addPackage(ctx, {
    code: `weekly-${tag}`,
    credits: 100,
    priceMinor: 499,
    currency: 'USD',
    interval: 'month',
    storeProductId: `com.otpbox.weekly.${tag}`,
  });
  const pack = await addPackage(ctx, {
    code: `pack-${tag}`,
    credits: 500,
    priceMinor: 2599,
    currency: 'USD',
    storeProductId: `com.otpbox.pack.${tag}`,
  });
  const original = `1000${Math.floor(Math.random() * 1e10)}`;
  /** The plan's events for this customer: `transaction_id` defaults to the original one. */
  const planEvent = (name: RevenueCatSampleName, more: Record<string, string | number | null | string[] | undefined> = {}) =>
    fact(name, {
      app_user_id: accountId,
      original_app_user_id: accountId,
      aliases: [accountId],
      product_id: plan.storeProductId,
      original_transaction_id: original,
      transaction_id: original,
      environment: 'PRODUCTION',
      store: 'APP_STORE',
      ...more,
    });
  return { accountId, plan, pack, original, planEvent };
}
const available = async (accountId: string) => (await balanceOf(database.db, accountId)).available;
const paymentsOf = (accountId: string) => database.db.select().from(payments).where(eq(payments.accountId, accountId)).orderBy(payments.id);
const subscriptionOf = async (original: string) =>
  (
    await database.db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.processor, 'revenuecat'), eq(subscriptions.processorRef, original)))
  )[0];
const handled = async (eventId: string) =>
  (await database.db.select({ n: count() }).from(processedWebhookEvents).where(eq(processedWebhookEvents.eventId, eventId)))[0]?.n;

describe('RevenueCat purchases', () => {
  it('credits an initial purchase to the account named by app_user_id, once per event and once per store transaction', async () => {
    const { accountId, plan, original, planEvent } = await shop();
    const initial = planEvent('initialPurchase');
    expect(await acceptStoreEvent(ctx, initial, production)).toEqual({ kind: 'applied', paymentId: expect.any(String), creditsMoved: 100 });
    expect(await acceptStoreEvent(ctx, initial, production)).toEqual({ kind: 'duplicate' });
    // Another event about the same store transaction finds the payment and its credit.
    const resent = planEvent('initialPurchase');
    expect(await acceptStoreEvent(ctx, resent, production)).toMatchObject({ kind: 'applied', creditsMoved: 0 });
    expect(await available(accountId)).toBe(100);
    const [payment] = await paymentsOf(accountId);
    expect(payment).toMatchObject({
      method: 'app_store',
      processor: 'revenuecat',
      processorRef: original,
      status: 'paid',
      credits: 100,
      amountMinor: 499,
      currency: 'USD',
      packageId: plan.id,
    });
    expect(await subscriptionOf(original)).toMatchObject({
      id: payment?.subscriptionId,
      accountId,
      packageId: plan.id,
      status: 'active',
      cancelAtPeriodEnd: false,
      firstPaymentId: payment?.id,
      currentPeriodEnd: new Date(1659331174000),
    });
    // The customer is shown where to manage it: the App Store's subscriptions page.
    expect(await listSubscriptions(database.db, accountId)).toEqual([
      expect.objectContaining({ processor: 'revenuecat', store: 'app_store', manageUrl: STORE_SUBSCRIPTION_PAGES.app_store }),
    ]);
  });

  it('shows a Google Play plan with the Play Store as where it is managed', async () => {
    const { accountId, planEvent } = await shop();
    await acceptStoreEvent(ctx, planEvent('initialPurchase', { store: 'PLAY_STORE' }), production);
    expect(await listSubscriptions(database.db, accountId)).toEqual([
      expect.objectContaining({ store: 'play_store', manageUrl: 'https://play.google.com/store/account/subscriptions' }),
    ]);
  });

  it('finds the account by an alias, credits a one-off Play purchase, and renewals credit each period', async () => {
    const { accountId, pack, original, planEvent } = await shop();
    const oneOff = fact('nonRenewingPurchase', {
      app_user_id: '$RCAnonymousID:0f0f0f',
      original_app_user_id: '$RCAnonymousID:0f0f0f',
      aliases: ['$RCAnonymousID:0f0f0f', accountId],
      product_id: pack.storeProductId,
      transaction_id: `GPA.${unique()}`,
      store: 'PLAY_STORE',
    });
    expect(await acceptStoreEvent(ctx, oneOff, production)).toMatchObject({ kind: 'applied', creditsMoved: 500 });
    await acceptStoreEvent(ctx, planEvent('initialPurchase'), production);
    const renewal = planEvent('renewal', { transaction_id: `${original}-2`, expiration_at_ms: 1659935974000 });
    expect(await acceptStoreEvent(ctx, renewal, production)).toMatchObject({ kind: 'applied', creditsMoved: 100 });
    expect(await available(accountId)).toBe(700);
    expect((await paymentsOf(accountId)).map((p) => [p.method, p.subscriptionId !== null])).toEqual([
      ['play_store', false],
      ['app_store', true],
      ['app_store', true],
    ]);
    expect(await subscriptionOf(original)).toMatchObject({ currentPeriodEnd: new Date(1659935974000) });
  });

  it('turns auto-renewal off and on, marks billing issues and expiry, and records product changes', async () => {
    const { original, planEvent } = await shop();
    await acceptStoreEvent(ctx, planEvent('initialPurchase', { event_timestamp_ms: 1_000 }), production);
    await acceptStoreEvent(ctx, planEvent('cancellation', { event_timestamp_ms: 2_000 }), production);
    expect(await subscriptionOf(original)).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    await acceptStoreEvent(ctx, planEvent('uncancellation', { event_timestamp_ms: 3_000 }), production);
    await acceptStoreEvent(ctx, planEvent('billingIssue', { event_timestamp_ms: 4_000 }), production);
    expect(await subscriptionOf(original)).toMatchObject({ status: 'past_due', cancelAtPeriodEnd: false });
    const change = planEvent('productChange', { event_timestamp_ms: 5_000 });
    expect(await acceptStoreEvent(ctx, change, production)).toMatchObject({ kind: 'applied', paymentId: null });
    await acceptStoreEvent(ctx, planEvent('expiration', { event_timestamp_ms: 6_000 }), production);
    const row = await subscriptionOf(original);
    expect(row).toMatchObject({ status: 'cancelled' });
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.accountId, row?.accountId ?? ''));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['subscription.product_change', 'subscription.expired', 'subscription.billing_issue']),
    );
    expect(audit.find((a) => a.action === 'subscription.product_change')?.details).toMatchObject({
      newProduct: 'com.revenuecat.myapp.yearly',
    });
  });

  it('takes a refunded purchase back as Stripe refunds do: spent credits leave the wallet in debt and restricted', async () => {
    const { accountId, original, planEvent } = await shop();
    await acceptStoreEvent(ctx, planEvent('initialPurchase'), production);
    // 60 of the 100 credits are spent on a number.
    const hold = await holdCredits(ctx, {
      accountId,
      amount: 60,
      reason: 'a number',
      idempotencyKey: `spend:${accountId}`,
      expiresAt: new Date(clock.now().getTime() + 60_000),
    });
    await captureHold(ctx, { holdId: hold.transfer.id, reason: 'code', idempotencyKey: `spend:${accountId}:capture` });
    const refund = planEvent('refund');
    expect(await acceptStoreEvent(ctx, refund, production)).toMatchObject({ kind: 'applied', creditsMoved: -100 });
    expect(await acceptStoreEvent(ctx, planEvent('refund'), production)).toMatchObject({ kind: 'applied', creditsMoved: 0 });
    expect(await available(accountId)).toBe(-60);
    expect(await paymentsOf(accountId)).toEqual([
      expect.objectContaining({ processorRef: original, status: 'refunded', creditsReversed: 100 }),
    ]);
    const [wallet] = await database.db
      .select({ inDebt: ledgerAccounts.inDebt, restrictedAt: ledgerAccounts.restrictedAt })
      .from(ledgerAccounts)
      .where(and(eq(ledgerAccounts.ownerAccountId, accountId), eq(ledgerAccounts.purse, 'credits')));
    expect(wallet).toEqual({ inDebt: true, restrictedAt: expect.any(Date) });
  });

  it('answers unknown app users and products as unmatched, recording nothing (a resend after fixing them is handled)', async () => {
    const { accountId, planEvent } = await shop();
    const nobody = planEvent('initialPurchase', { app_user_id: 'someone-else', original_app_user_id: 'someone-else', aliases: [] });
    expect(await acceptStoreEvent(ctx, nobody, production)).toMatchObject({
      kind: 'unmatched',
      reason: expect.stringContaining('no otpbox account'),
    });
    const unknownProduct = planEvent('initialPurchase', { product_id: 'com.otpbox.never-sold' });
    expect(await acceptStoreEvent(ctx, unknownProduct, production)).toMatchObject({
      kind: 'unmatched',
      reason: expect.stringContaining('no package'),
    });
    const amazon = planEvent('initialPurchase', { store: 'AMAZON' });
    expect(await acceptStoreEvent(ctx, amazon, production)).toMatchObject({ kind: 'unmatched' });
    expect(await handled(nobody.eventId)).toBe(0);
    expect(await handled(unknownProduct.eventId)).toBe(0);
    expect(await paymentsOf(accountId)).toEqual([]);
    expect(await available(accountId)).toBe(0);
  });

  it('answers a purchase for an erased account as unmatched: nobody could use its credits, the store must refund it', async () => {
    const { accountId, planEvent } = await shop();
    await markErased(database, accountId);
    const late = planEvent('initialPurchase');
    expect(await acceptStoreEvent(ctx, late, production)).toMatchObject({
      kind: 'unmatched',
      reason: expect.stringContaining(`its account ${accountId} was erased`),
    });
    expect(await handled(late.eventId)).toBe(0);
    expect(await paymentsOf(accountId)).toEqual([]);
    expect(await available(accountId)).toBe(0);
  });

  it('takes sandbox events only while the sandbox sells, as demo credits that never buy a real number', async () => {
    const { accountId, planEvent } = await shop();
    const sandbox = planEvent('initialPurchase', { environment: 'SANDBOX' });
    expect(await acceptStoreEvent(ctx, sandbox, production)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('sandbox') });
    expect(await handled(sandbox.eventId)).toBe(0);
    expect(await available(accountId)).toBe(0);
    // A purchase in the store's sandbox cost nobody anything: demo credits (the sandbox's play money), once.
    expect(await acceptStoreEvent(ctx, sandbox, sandboxOn)).toMatchObject({ kind: 'applied', paymentId: null, creditsMoved: 0 });
    expect(await acceptStoreEvent(ctx, sandbox, sandboxOn)).toMatchObject({ kind: 'applied' });
    expect(await available(accountId)).toBe(0);
    expect((await balanceOf(database.db, accountId, 'demo')).available).toBe(100);
    expect(await paymentsOf(accountId)).toEqual([]);
    // Beyond the account's demo cap, nothing more is given, and the event is acknowledged.
    const large = planEvent('renewal', { environment: 'SANDBOX' });
    expect(await acceptStoreEvent(ctx, large, { sandboxSells: true, demoCreditsCap: 150 })).toMatchObject({ kind: 'ignored' });
    expect((await balanceOf(database.db, accountId, 'demo')).available).toBe(100);
    expect(await acceptStoreEvent(ctx, fact('subscriptionPaused', {}), production)).toMatchObject({ kind: 'ignored' });
    const test = readRevenueCatWebhook({ api_version: '1.0', event: { id: randomUUID(), type: 'TEST' } });
    if (!test.ok) throw new Error(test.message);
    expect(await acceptStoreEvent(ctx, test.fact, production)).toMatchObject({ kind: 'ignored' });
  });

  it('moves subscriptions to the account a TRANSFER names', async () => {
    const { accountId, original, planEvent } = await shop();
    await acceptStoreEvent(ctx, planEvent('initialPurchase'), production);
    const other = await customer(database);
    const moved = fact('transfer', { transferred_from: [accountId], transferred_to: ['$RCAnonymousID:1', other] });
    expect(await acceptStoreEvent(ctx, moved, production)).toMatchObject({ kind: 'applied' });
    expect(await subscriptionOf(original)).toMatchObject({ accountId: other });
    // Credits already given stay with the account that bought them.
    expect(await available(accountId)).toBe(100);
    const lost = fact('transfer', { transferred_from: [accountId], transferred_to: ['nobody-we-know'] });
    expect(await acceptStoreEvent(ctx, lost, production)).toMatchObject({ kind: 'unmatched' });
  });
});

describe('RevenueCat events out of order', () => {
  /** The account's payments, subscription and balance: what must not depend on the order. */
  async function stateOf(accountId: string, original: string, planId: string) {
    const rows = await paymentsOf(accountId);
    const subscription = await subscriptionOf(original);
    return {
      available: await available(accountId),
      payments: rows
        .map((p) => ({ ref: p.processorRef, status: p.status, credits: p.credits, reversed: p.creditsReversed }))
        .sort((a, b) => String(a.ref).localeCompare(String(b.ref))),
      subscription: subscription && {
        status: subscription.status,
        cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
        currentPeriodEnd: subscription.currentPeriodEnd,
        isThePlan: subscription.packageId === planId,
      },
    };
  }
  async function run(
    order: number[],
    build: (planEvent: Awaited<ReturnType<typeof shop>>['planEvent'], original: string) => RevenueCatFact[],
  ) {
    const { accountId, original, plan, planEvent } = await shop();
    const events = build(planEvent, original);
    for (const index of order) await acceptStoreEvent(ctx, events[index] as RevenueCatFact, production);
    return stateOf(accountId, original, plan.id);
  }
  const permutations = (n: number): number[][] =>
    n === 1 ? [[0]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));

  it('a refund before its purchase, a renewal before the initial purchase: every order ends where the in-order one does', async () => {
    const sequence = (planEvent: Awaited<ReturnType<typeof shop>>['planEvent'], original: string) => [
      planEvent('initialPurchase', { event_timestamp_ms: 1_000, expiration_at_ms: 1_700_000_000_000 }),
      planEvent('renewal', { transaction_id: `${original}-2`, event_timestamp_ms: 2_000, expiration_at_ms: 1_700_600_000_000 }),
      planEvent('cancellation', { event_timestamp_ms: 3_000, expiration_at_ms: 1_700_600_000_000 }),
      planEvent('refund', { transaction_id: `${original}-2`, event_timestamp_ms: 4_000 }),
    ];
    const inOrder = await run([0, 1, 2, 3], sequence);
    expect(inOrder).toMatchObject({
      available: 100,
      subscription: { status: 'active', cancelAtPeriodEnd: true, currentPeriodEnd: new Date(1_700_600_000_000) },
    });
    expect(inOrder.payments.map((p) => p.status)).toEqual(['paid', 'refunded']);
    for (const order of permutations(4).filter((p) => p.join() !== '0,1,2,3')) {
      const state = await run(order, sequence);
      expect({ ...state, order }).toEqual({ ...inOrder, payments: state.payments, order });
      expect(state.payments.map(({ status, credits, reversed }) => ({ status, credits, reversed }))).toEqual(
        inOrder.payments.map(({ status, credits, reversed }) => ({ status, credits, reversed })),
      );
    }
  });

  it('statements about status and auto-renewal keep the latest by RevenueCat’s time, whatever arrives first', async () => {
    const sequence = (planEvent: Awaited<ReturnType<typeof shop>>['planEvent']) => [
      planEvent('initialPurchase', { event_timestamp_ms: 1_000 }),
      planEvent('cancellation', { event_timestamp_ms: 2_000 }),
      planEvent('billingIssue', { event_timestamp_ms: 3_000 }),
      planEvent('uncancellation', { event_timestamp_ms: 4_000 }),
    ];
    const inOrder = await run([0, 1, 2, 3], sequence);
    expect(inOrder.subscription).toMatchObject({ status: 'past_due', cancelAtPeriodEnd: false });
    for (const order of permutations(4)) {
      const state = await run(order, sequence);
      expect({ subscription: state.subscription, available: state.available, order }).toEqual({
        subscription: inOrder.subscription,
        available: inOrder.available,
        order,
      });
    }
  });

  it('leaves a ledger that verifies', async () => {
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
  });
});
