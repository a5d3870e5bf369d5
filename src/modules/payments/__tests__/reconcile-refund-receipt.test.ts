import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createActor, ctxOf } from '../../../../test/support/actors.ts';
import { createStripeTestApp, type StripeTestApp } from '../../../../test/support/stripe.ts';
import { payments } from '../../../db/schema/index.ts';
import { DomainError } from '../../../lib/errors.ts';
import { paymentProcessors } from '../../../runtime/payment-processors.ts';
import { verifyLedger } from '../../ledger/index.ts';
import type { PaymentDeps } from '../deps.ts';
import { FIRST_CHECK_AFTER_MS, REFRESH_GAP_MS, reconcileStripePayments } from '../reconcile-stripe.ts';
import { refundPayment } from '../refund-payment.ts';

let s: StripeTestApp;
let deps: PaymentDeps;
beforeAll(async () => {
  s = await createStripeTestApp();
  deps = await paymentProcessors(s.t.config);
});
afterAll(() => s?.close());

const MINUTE = 60_000;
const get = (actor: Actor, url: string) => s.t.app.inject({ method: 'GET', url, headers: { authorization: actor.bearer } });
const post = (actor: Actor, url: string) => s.t.app.inject({ method: 'POST', url, headers: { authorization: actor.bearer } });
const balance = async (actor: Actor) => (await get(actor, '/api/v1/me')).json().balance.available as number;
const payment = async (actor: Actor, id: string) => (await get(actor, `/api/v1/payments/${id}`)).json();
const reconcile = () => reconcileStripePayments(ctxOf(s.t, 'system'), deps);
const sessionReads = (sessionId: string) =>
  s.fake.requests.filter((r) => r.method === 'GET' && r.path === `/v1/checkout/sessions/${sessionId}`).length;

/** A customer who opened a Checkout page for a 300-credit, 10.00 USD package; the Stripe session's id. */
async function startedCheckout(actor?: Actor) {
  const customer = actor ?? (await createActor(s.t));
  const { paymentId } = (await s.checkout(customer, await s.sell())).json();
  const sessionId = [...s.fake.sessions.values()].find((session) => session.client_reference_id === paymentId)?.id as string;
  return { actor: customer, paymentId, sessionId };
}

/** Paid at Stripe and its webhook delivered: 300 credits. */
async function paidCheckout() {
  const started = await startedCheckout();
  const done = s.fake.complete(started.sessionId);
  await s.deliver(s.fake.event('checkout.session.completed', done.session));
  return { ...started, paymentIntent: done.paymentIntent };
}

describe('payments whose webhook never came', () => {
  it('are read back from Stripe by the reconciler and credited once; the late webhook changes nothing', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    s.fake.complete(sessionId); // paid at Stripe; the webhook is lost
    await reconcile();
    expect((await payment(actor, paymentId)).status).toBe('created'); // too soon: the webhook may still come

    s.t.clock.advance(FIRST_CHECK_AFTER_MS + MINUTE);
    await reconcile();
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'paid', credits: 300 });
    expect(await balance(actor)).toBe(300);

    // Settled: no more reads; the webhook arriving after all credits nothing more.
    const reads = sessionReads(sessionId);
    s.t.clock.advance(60 * MINUTE);
    await reconcile();
    expect(sessionReads(sessionId)).toBe(reads);
    const late = await s.deliver(s.fake.event('checkout.session.completed', s.fake.sessions.get(sessionId) as Record<string, unknown>));
    expect(late.statusCode).toBe(200);
    expect(await balance(actor)).toBe(300);
    expect((await verifyLedger(s.t.database.db, s.t.clock.now())).violations).toEqual([]);
  });

  it('reads an abandoned page back less and less often, and calls it failed once Stripe says it expired', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    s.t.clock.advance(FIRST_CHECK_AFTER_MS + MINUTE); // 11 minutes old
    await reconcile();
    expect(sessionReads(sessionId)).toBe(1);
    s.t.clock.advance(4 * MINUTE); // 15: read at 11, next at 22
    await reconcile();
    expect(sessionReads(sessionId)).toBe(1);
    s.t.clock.advance(8 * MINUTE); // 23
    await reconcile();
    expect(sessionReads(sessionId)).toBe(2);
    expect((await payment(actor, paymentId)).status).toBe('created');

    s.fake.expire(sessionId);
    s.t.clock.advance(60 * MINUTE);
    await reconcile();
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'failed', failureReason: 'the payment page expired', receipt: null });
    expect(await balance(actor)).toBe(0);
  });

  it('stops a run when Stripe is down, and the next run catches up', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    s.fake.complete(sessionId);
    s.t.clock.advance(FIRST_CHECK_AFTER_MS + MINUTE);
    s.fake.setMode('down');
    try {
      expect(await reconcile()).toMatchObject({ unavailable: true, changed: 0 });
    } finally {
      s.fake.setMode('normal');
    }
    expect((await payment(actor, paymentId)).status).toBe('created');
    s.t.clock.advance(30 * MINUTE);
    expect((await reconcile()).changed).toBeGreaterThanOrEqual(1);
    expect((await payment(actor, paymentId)).status).toBe('paid');
  });

  it('are read back at once when the customer comes back from the payment page (POST …/refresh), at most every few seconds', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    const still = await post(actor, `/api/v1/payments/${paymentId}/refresh`);
    expect(still.statusCode, still.body).toBe(200);
    expect(still.json().status).toBe('created'); // still on the payment page: nothing to say yet
    s.fake.complete(sessionId);
    const soon = await post(actor, `/api/v1/payments/${paymentId}/refresh`);
    expect(soon.json().status).toBe('created'); // asked a moment ago: Stripe is not asked again yet
    expect(sessionReads(sessionId)).toBe(1);
    s.t.clock.advance(REFRESH_GAP_MS);
    const paid = await post(actor, `/api/v1/payments/${paymentId}/refresh`);
    expect(paid.json()).toMatchObject({ status: 'paid', credits: 300, receipt: `/api/v1/payments/${paymentId}/receipt` });
    expect(await balance(actor)).toBe(300);

    const other = await createActor(s.t);
    expect((await post(other, `/api/v1/payments/${paymentId}/refresh`)).statusCode).toBe(404);
  });
});

describe('partial refunds', () => {
  it('take credits back in proportion, leave the payment paid until all is refunded, and refuse more than is left', async () => {
    const { actor, paymentId, paymentIntent } = await paidCheckout();
    const ctx = ctxOf(s.t, 'cli');
    const quarter = await refundPayment(ctx, deps, paymentId, 'one number did not work', { amountMinor: 250 });
    expect(quarter).toMatchObject({ refundedMinor: 250, creditsMoved: -75 });
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'paid', refunded: 250 });
    expect(await balance(actor)).toBe(225);
    const sent = s.fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
    expect(sent.at(-1)).toMatchObject({
      body: { payment_intent: paymentIntent, amount: '250' },
      headers: { 'idempotency-key': `otpbox-refund-${paymentId}-from-0` },
    });

    // Stripe's own charge.refunded for the same refund says nothing new.
    await s.deliver(s.fake.event('charge.refunded', s.fake.chargeOf(paymentIntent)));
    expect(await balance(actor)).toBe(225);

    const tooMuch = refundPayment(ctx, deps, paymentId, 'x', { amountMinor: 751 });
    await expect(tooMuch).rejects.toThrow(DomainError);
    await expect(tooMuch).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { max: 750 } });

    const rest = await refundPayment(ctx, deps, paymentId, 'the rest');
    expect(rest).toMatchObject({ refundedMinor: 750, creditsMoved: -225 });
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'refunded', refunded: 1000 });
    expect(await balance(actor)).toBe(0);
    expect((await verifyLedger(s.t.database.db, s.t.clock.now())).violations).toEqual([]);
  });
});

describe('refunds asked at the same moment', () => {
  it('two partial refunds of different amounts from the same view: Stripe refunds one, the other is refused (409), and what otpbox records is what Stripe refunded', async () => {
    const { actor, paymentId, paymentIntent } = await paidCheckout();
    const ctx = ctxOf(s.t, 'cli');
    // Both operators saw nothing refunded: whether the second asks while the first runs or after it has
    // finished, it is refused, never made on top of a refund its operator did not know of.
    const results = await Promise.allSettled([
      refundPayment(ctx, deps, paymentId, 'first operator', { amountMinor: 100, refundedBefore: 0 }),
      refundPayment(ctx, deps, paymentId, 'second operator', { amountMinor: 150, refundedBefore: 0 }),
    ]);
    const done = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(done).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
    const refundedAtStripe = (s.fake.chargeOf(paymentIntent) as { amount_refunded: number }).amount_refunded;
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'paid', refunded: refundedAtStripe });
    expect([100, 150]).toContain(refundedAtStripe);
    // The same refund asked twice is still one refund: the second click is answered the same refund when
    // it comes while the first runs, and refused (409) when it comes after the first has finished.
    const again = await Promise.allSettled(
      [1, 2].map(() => refundPayment(ctx, deps, paymentId, 'double click', { amountMinor: 50, refundedBefore: refundedAtStripe })),
    );
    const made = again.flatMap((r) => (r.status === 'fulfilled' ? [r.value.refundId] : []));
    expect(made.length).toBeGreaterThanOrEqual(1);
    expect(new Set(made).size).toBe(1);
    for (const r of again) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    expect((s.fake.chargeOf(paymentIntent) as { amount_refunded: number }).amount_refunded).toBe(refundedAtStripe + 50);
    expect(await payment(actor, paymentId)).toMatchObject({ refunded: refundedAtStripe + 50 });
    expect((await verifyLedger(s.t.database.db, s.t.clock.now())).violations).toEqual([]);
  });

  it('a refund asked from an old view is refused (409) once the payment has been refunded since, one after the other too', async () => {
    const { actor, paymentId, paymentIntent } = await paidCheckout();
    const ctx = ctxOf(s.t, 'cli');
    await refundPayment(ctx, deps, paymentId, 'first operator', { amountMinor: 100, refundedBefore: 0 });
    await expect(refundPayment(ctx, deps, paymentId, 'second operator', { amountMinor: 150, refundedBefore: 0 })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { refunded: 100 },
    });
    expect((s.fake.chargeOf(paymentIntent) as { amount_refunded: number }).amount_refunded).toBe(100);
    // From the current view it is made; without a view (the CLI), from the total read then.
    await refundPayment(ctx, deps, paymentId, 'second operator', { amountMinor: 150, refundedBefore: 100 });
    await refundPayment(ctx, deps, paymentId, 'cli', { amountMinor: 10 });
    expect((s.fake.chargeOf(paymentIntent) as { amount_refunded: number }).amount_refunded).toBe(260);
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'paid', refunded: 260 });
  });
});

describe('GET /api/v1/payments/{id}/receipt', () => {
  it('answers a receipt of a paid payment — seller, item, amount, reference, refunds — and 409 before it is paid', async () => {
    const { actor, paymentId, paymentIntent } = await paidCheckout();
    const receipt = await get(actor, `/api/v1/payments/${paymentId}/receipt`);
    expect(receipt.statusCode, receipt.body).toBe(200);
    const [row] = await s.t.database.db.select().from(payments).where(eq(payments.id, paymentId));
    expect(receipt.json()).toEqual({
      number: paymentId,
      issuedAt: row?.paidAt?.toISOString(),
      seller: { name: s.t.config.operatorName, contact: s.t.config.operatorContact ?? null, website: s.t.config.publicUrl },
      customer: actor.accountId,
      description: expect.stringContaining('300 credits'),
      package: expect.any(String),
      credits: 300,
      amount: 1000,
      currency: 'USD',
      method: 'card',
      status: 'paid',
      reference: paymentIntent,
      refunded: 0,
      refundedAt: null,
      bitcoin: null,
    });
    expect(receipt.body).not.toContain(actor.email as string);

    await refundPayment(ctxOf(s.t, 'cli'), deps, paymentId, 'goodwill', { amountMinor: 100 });
    expect((await get(actor, `/api/v1/payments/${paymentId}/receipt`)).json()).toMatchObject({ refunded: 100, status: 'paid' });

    const { paymentId: unpaid } = await startedCheckout(actor);
    const early = await get(actor, `/api/v1/payments/${unpaid}/receipt`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('CONFLICT');
    const other = await createActor(s.t);
    expect((await get(other, `/api/v1/payments/${paymentId}/receipt`)).statusCode).toBe(404);
  });
});
