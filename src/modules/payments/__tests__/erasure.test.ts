import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf, GOOD_PASSWORD, signUp } from '../../../../test/support/actors.ts';
import { createStripeTestApp, type StripeTestApp } from '../../../../test/support/stripe.ts';
import { accounts, auditLog, payments, subscriptions } from '../../../db/schema/index.ts';
import { erasureDeps } from '../../../runtime/erasure-deps.ts';
import { paymentProcessors } from '../../../runtime/payment-processors.ts';
import { completeErasures, ERASURE_FORCE_DAYS } from '../../privacy/index.ts';
import type { PaymentDeps } from '../deps.ts';
import { endPaymentsOfErasedAccounts } from '../end-for-erasure.ts';

/**
 * An erased account's card payments end at Stripe (ADR 27 addendum): after the erasure nobody can
 * receive credits, so no renewal may charge the card again and no open payment page may take money.
 */
let s: StripeTestApp;
let deps: PaymentDeps;
beforeAll(async () => {
  s = await createStripeTestApp();
  deps = await paymentProcessors(s.t.config);
});
afterAll(() => s?.close());

const DAY = 86_400_000;
const json = { 'content-type': 'application/json' };
const erase = (cookie: string) =>
  s.t.app.inject({
    method: 'POST',
    url: '/api/v1/privacy/delete',
    headers: { ...json, cookie },
    payload: { confirm: true, password: GOOD_PASSWORD },
  });
const runErasureJob = (batch?: number) => completeErasures(ctxOf(s.t, 'system'), erasureDeps(s.t.orders.activations, deps), { batch });
const runSafetyNet = () => endPaymentsOfErasedAccounts(ctxOf(s.t, 'system'), deps);
const checkout = (cookie: string, pkg: string) =>
  s.t.app.inject({
    method: 'POST',
    url: '/api/v1/payments/checkout',
    headers: { ...json, cookie },
    payload: { package: pkg, method: 'card' },
  });
const sessionOf = (paymentId: string) => [...s.fake.sessions.values()].find((session) => session.client_reference_id === paymentId);

/** A signed-up customer with a paid monthly card plan (its webhook delivered) and a Checkout page left open. */
async function customerWithPlanAndOpenPage() {
  const me = await signUp(s.t);
  const plan = (await checkout(me.cookie, await s.sell({ interval: 'month' }))).json();
  const done = s.fake.complete(sessionOf(plan.paymentId)?.id as string);
  expect((await s.deliver(s.fake.event('checkout.session.completed', done.session))).statusCode).toBe(200);
  const subscriptionRef = (done.subscription as { id: string }).id;
  const open = (await checkout(me.cookie, await s.sell())).json();
  const sessionId = sessionOf(open.paymentId)?.id as string;
  expect(s.fake.sessions.get(sessionId)?.status).toBe('open');
  return { me, subscriptionRef, openPaymentId: open.paymentId as string, sessionId };
}

const planRow = async (ref: string) => (await s.t.database.db.select().from(subscriptions).where(eq(subscriptions.processorRef, ref)))[0];
const paymentRow = async (id: string) => (await s.t.database.db.select().from(payments).where(eq(payments.id, id)))[0];
const subscriptionAt = (ref: string) => s.fake.requests.filter((r) => r.method === 'DELETE' && r.path === `/v1/subscriptions/${ref}`);

describe('erasing an account ends its card payments at Stripe', () => {
  it('cancels its card subscription at once and expires its open payment page, in the answer and the audit', async () => {
    const { me, subscriptionRef, openPaymentId, sessionId } = await customerWithPlanAndOpenPage();
    const answer = await erase(me.cookie);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().paymentsEnded).toEqual({ checkoutPagesExpired: 1, subscriptionsCancelled: 1 });

    // At Stripe: the page takes no payment, the plan renews no more (cancelled now, not at the period's end).
    expect(s.fake.sessions.get(sessionId)?.status).toBe('expired');
    expect(subscriptionAt(subscriptionRef)).toHaveLength(1);
    expect(subscriptionAt(subscriptionRef)[0]?.headers['idempotency-key']).toMatch(/^otpbox-erasure-cancel-pln_/);
    // Here: the plan is cancelled and the page's payment failed, as their events would have said.
    expect(await planRow(subscriptionRef)).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false });
    expect(await paymentRow(openPaymentId)).toMatchObject({ status: 'failed', failureReason: 'the payment page expired' });
    const audit = await s.t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.accountId, me.accountId), eq(auditLog.action, 'subscription.cancel')));
    expect(audit.map((row) => row.details)).toEqual([{ subscriptionId: (await planRow(subscriptionRef))?.id, reason: 'account erasure' }]);

    // Stripe's own events arriving afterwards change nothing.
    expect(
      (await s.deliver(s.fake.event('customer.subscription.deleted', { id: subscriptionRef, object: 'subscription' }))).statusCode,
    ).toBe(200);
    expect(
      (await s.deliver(s.fake.event('checkout.session.expired', s.fake.sessions.get(sessionId) as Record<string, unknown>))).statusCode,
    ).toBe(200);
    expect(await planRow(subscriptionRef)).toMatchObject({ status: 'cancelled' });
    // The job has nothing left to do.
    expect(await runErasureJob()).toEqual({ completed: 0, waiting: 0, failed: 0 });
  });

  it('with Stripe down, the erasure waits (202) and the erasure job ends the payments once Stripe answers', async () => {
    const { me, subscriptionRef, sessionId } = await customerWithPlanAndOpenPage();
    s.fake.setMode('down');
    try {
      const answer = await erase(me.cookie);
      expect(answer.statusCode).toBe(202);
      expect(answer.json()).toMatchObject({
        paymentsEnded: { checkoutPagesExpired: 0, subscriptionsCancelled: 0 },
        erasure: { completed: false },
      });
      expect(await runErasureJob()).toMatchObject({ completed: 0, waiting: 1 });
      const partial = await s.t.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.accountId, me.accountId), eq(auditLog.action, 'account.erasure_partial')));
      expect(partial.at(-1)?.details).toMatchObject({ paymentsWaiting: 2 });
    } finally {
      s.fake.setMode('normal');
    }
    expect(await runErasureJob()).toMatchObject({ completed: 1 });
    expect(s.fake.sessions.get(sessionId)?.status).toBe('expired');
    expect(await planRow(subscriptionRef)).toMatchObject({ status: 'cancelled' });
    const [account] = await s.t.database.db.select().from(accounts).where(eq(accounts.id, me.accountId));
    expect(account?.erasureCompletedAt).toBeInstanceOf(Date);
  });

  it('a plan the customer had cancelled at Stripe already (its event lost) is recorded as cancelled, and the erasure completes', async () => {
    const me = await signUp(s.t);
    const plan = (await checkout(me.cookie, await s.sell({ interval: 'month' }))).json();
    const done = s.fake.complete(sessionOf(plan.paymentId)?.id as string);
    expect((await s.deliver(s.fake.event('checkout.session.completed', done.session))).statusCode).toBe(200);
    const ref = (done.subscription as { id: string }).id;
    s.fake.cancelSubscription(ref); // in Stripe's portal; the webhook never came
    expect(await planRow(ref)).toMatchObject({ status: 'active' });

    const answer = await erase(me.cookie);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().paymentsEnded).toEqual({ checkoutPagesExpired: 0, subscriptionsCancelled: 0 });
    expect(await planRow(ref)).toMatchObject({ status: 'cancelled' });
  });

  it('a page paid just before the erasure stays paid, credits no one, and is not expired', async () => {
    const me = await signUp(s.t);
    const started = (await checkout(me.cookie, await s.sell())).json();
    const sessionId = sessionOf(started.paymentId)?.id as string;
    s.fake.complete(sessionId); // paid at Stripe; its webhook is still on its way
    const answer = await erase(me.cookie);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ paymentsEnded: { checkoutPagesExpired: 0 }, forfeited: { credits: 0 } });
    expect(s.fake.sessions.get(sessionId)?.status).toBe('complete');
    // Recorded as paid, read back from Stripe: the operator is told to refund it (the erased-account rule).
    expect(await paymentRow(started.paymentId)).toMatchObject({ status: 'paid' });
  });

  it('Stripe down for ERASURE_FORCE_DAYS: the erasure completes anyway, within its 30 days', async () => {
    const { me, subscriptionRef } = await customerWithPlanAndOpenPage();
    s.fake.setMode('down');
    try {
      expect((await erase(me.cookie)).statusCode).toBe(202);
      s.t.clock.advance(ERASURE_FORCE_DAYS * DAY);
      expect(await runErasureJob()).toMatchObject({ completed: 1 });
    } finally {
      s.fake.setMode('normal');
    }
    expect(await planRow(subscriptionRef)).toMatchObject({ status: 'active' });
    const [account] = await s.t.database.db.select().from(accounts).where(eq(accounts.id, me.accountId));
    expect(account?.erasureCompletedAt).toBeInstanceOf(Date);
    // Stripe back: the safety net ends the plan the forced erasure left open, and then has nothing to do.
    expect(await runSafetyNet()).toMatchObject({ accounts: 1, subscriptionsCancelled: 1, checkoutPagesExpired: 1, waiting: 0 });
    expect(await planRow(subscriptionRef)).toMatchObject({ status: 'cancelled' });
    expect(await runSafetyNet()).toMatchObject({ accounts: 0 });
  });

  it('a plan paid a moment before the erasure (its webhook still on its way) is cancelled in the same erasure', async () => {
    const me = await signUp(s.t);
    const plan = (await checkout(me.cookie, await s.sell({ interval: 'month' }))).json();
    const done = s.fake.complete(sessionOf(plan.paymentId)?.id as string);
    const ref = (done.subscription as { id: string }).id;
    const answer = await erase(me.cookie);
    expect(answer.statusCode).toBe(200);
    // The page's read-back records the plan; it is then cancelled at Stripe like any other.
    expect(answer.json().paymentsEnded).toEqual({ checkoutPagesExpired: 0, subscriptionsCancelled: 1 });
    expect(subscriptionAt(ref)).toHaveLength(1);
    expect(await planRow(ref)).toMatchObject({ status: 'cancelled' });
    // Its webhook, arriving now, records nothing that renews.
    expect((await s.deliver(s.fake.event('checkout.session.completed', done.session))).statusCode).toBe(200);
    expect(await planRow(ref)).toMatchObject({ status: 'cancelled' });
  });

  it('a plan recorded by a webhook after the erasure completed is cancelled by the safety net', async () => {
    const me = await signUp(s.t);
    const plan = (await checkout(me.cookie, await s.sell({ interval: 'month' }))).json();
    const sessionId = sessionOf(plan.paymentId)?.id as string;
    // The erasure finds the page open and expires it; yet Stripe took the payment meanwhile (a race at Stripe).
    expect((await erase(me.cookie)).statusCode).toBe(200);
    Object.assign(s.fake.sessions.get(sessionId) as object, { status: 'open' });
    const done = s.fake.complete(sessionId);
    expect((await s.deliver(s.fake.event('checkout.session.completed', done.session))).statusCode).toBe(200);
    const ref = (done.subscription as { id: string }).id;
    expect(await planRow(ref)).toMatchObject({ status: 'active' });
    expect(await runSafetyNet()).toMatchObject({ accounts: 1, subscriptionsCancelled: 1 });
    expect(await planRow(ref)).toMatchObject({ status: 'cancelled' });
    expect(subscriptionAt(ref)).toHaveLength(1);
  });

  it('a payment page Stripe does not know holds nothing back: the erasure completes at once', async () => {
    const me = await signUp(s.t);
    const started = (await checkout(me.cookie, await s.sell())).json();
    s.fake.sessions.delete(sessionOf(started.paymentId)?.id as string);
    const answer = await erase(me.cookie);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ paymentsEnded: { checkoutPagesExpired: 0 }, erasure: { completed: true } });
  });

  it('erasures that keep waiting do not hold back the ones behind them', async () => {
    const stuck = await customerWithPlanAndOpenPage();
    const later = await customerWithPlanAndOpenPage();
    s.fake.setMode('down');
    try {
      expect((await erase(stuck.me.cookie)).statusCode).toBe(202);
      s.t.clock.advance(60_000);
      expect((await erase(later.me.cookie)).statusCode).toBe(202);
      // One at a time: the job takes the least recently tried, so each run moves to the next.
      s.t.clock.advance(60_000);
      await runErasureJob(1);
      s.t.clock.advance(60_000);
      await runErasureJob(1);
      expect(subscriptionAt(stuck.subscriptionRef).length).toBeGreaterThan(1);
      expect(subscriptionAt(later.subscriptionRef).length).toBeGreaterThan(1);
    } finally {
      s.fake.setMode('normal');
    }
    // Stripe back, still one at a time: `later` is reached though `stuck` was deleted first.
    s.t.clock.advance(60_000);
    await runErasureJob(1);
    s.t.clock.advance(60_000);
    await runErasureJob(1);
    expect(await planRow(stuck.subscriptionRef)).toMatchObject({ status: 'cancelled' });
    expect(await planRow(later.subscriptionRef)).toMatchObject({ status: 'cancelled' });
  });
});
