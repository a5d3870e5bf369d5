import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createActor, GOOD_PASSWORD, uniqueIp } from '../../../../test/support/actors.ts';
import { code } from '../../../../test/support/orders.ts';
import { createStripeTestApp, type StripeTestApp } from '../../../../test/support/stripe.ts';
import { stripeDelivery, stripeSignature } from '../../../../test/support/stripe-events.ts';
import { accountEvents, auditLog, ledgerAccounts, payments, processedWebhookEvents, subscriptions } from '../../../db/schema/index.ts';
import { verifyLedger } from '../../ledger/index.ts';

let s: StripeTestApp;
beforeAll(async () => {
  s = await createStripeTestApp();
});
afterAll(() => s?.close());

const get = (actor: Actor, url: string) => s.t.app.inject({ method: 'GET', url, headers: { authorization: actor.bearer } });
const balance = async (actor: Actor) => (await get(actor, '/api/v1/me')).json().balance.available as number;
const payment = async (actor: Actor, id: string) => (await get(actor, `/api/v1/payments/${id}`)).json();
const restricted = async (actor: Actor) => {
  const [wallet] = await s.t.database.db
    .select({ at: ledgerAccounts.restrictedAt })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.ownerAccountId, actor.accountId), eq(ledgerAccounts.purse, 'credits')));
  return wallet?.at != null;
};
/** A customer who opened a Checkout page for a 300-credit package; the Stripe session's id. */
async function startedCheckout(options: { interval?: 'month' | 'year' } = {}) {
  const actor = await createActor(s.t);
  const pkg = await s.sell({ credits: 300, priceMinor: 1000, interval: options.interval });
  const { paymentId } = (await s.checkout(actor, pkg)).json();
  const sessionId = [...s.fake.sessions.values()].find((session) => session.client_reference_id === paymentId)?.id as string;
  return { actor, paymentId, sessionId };
}
const ok = async (response: Awaited<ReturnType<StripeTestApp['deliver']>>) => {
  expect(response.statusCode, response.body).toBe(200);
  return response.json().outcome as string;
};

describe('POST /webhooks/stripe', () => {
  it('credits a completed, paid checkout once — read back from Stripe — and announces it', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    const { session } = s.fake.complete(sessionId);
    const event = s.fake.event('checkout.session.completed', session);
    expect(await ok(await s.deliver(event))).toBe('applied');
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'paid', paidAt: s.t.clock.now().toISOString() });
    expect(await balance(actor)).toBe(300);
    // The same event again, and another event saying the same: nothing more.
    expect(await ok(await s.deliver(event))).toBe('duplicate');
    expect(await ok(await s.deliver(s.fake.event('checkout.session.completed', session)))).toBe('applied');
    expect(await balance(actor)).toBe(300);
    const retrieved = s.fake.requests.filter((r) => r.method === 'GET' && r.path === `/v1/checkout/sessions/${sessionId}`);
    expect(retrieved.length).toBeGreaterThanOrEqual(2);
    const events = await s.t.database.db.select().from(accountEvents).where(eq(accountEvents.accountId, actor.accountId));
    expect(events.map((e) => e.type)).toEqual(['payment.updated', 'balance.updated']);
    expect(events[0]?.payload).toMatchObject({ id: paymentId, status: 'paid' });
  });

  it('money paid after the account was erased credits nobody: the payment is recorded paid, for the operator to refund', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    const signedIn = await s.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: actor.email, password: GOOD_PASSWORD },
      remoteAddress: uniqueIp(),
    });
    const cookie = signedIn.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const erased = await s.t.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/delete',
      headers: { cookie, 'content-type': 'application/json' },
      payload: { confirm: true, password: GOOD_PASSWORD },
    });
    expect(erased.statusCode, erased.body).toBe(200);
    const { session } = s.fake.complete(sessionId);
    expect(await ok(await s.deliver(s.fake.event('checkout.session.completed', session)))).toBe('applied');
    const [row] = await s.t.database.db.select().from(payments).where(eq(payments.id, paymentId));
    expect(row?.status).toBe('paid');
    // No credit on the erased account's wallet, no event for it; the audit row says why.
    const wallets = await s.t.database.db.select().from(ledgerAccounts).where(eq(ledgerAccounts.ownerAccountId, actor.accountId));
    expect(wallets.every((w) => Number(w.posted) === 0 && Number(w.pending) === 0)).toBe(true);
    expect(await s.t.database.db.select().from(accountEvents).where(eq(accountEvents.accountId, actor.accountId))).toEqual([]);
    const [audit] = await s.t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'payment.paid'), sql`${auditLog.details}->>'paymentId' = ${paymentId}`));
    expect(audit?.details).toMatchObject({ accountErased: true, creditsMoved: 0 });
    expect((await verifyLedger(s.t.database.db, s.t.clock.now())).violations).toEqual([]);
  });

  it('refuses a bad signature with 400 and records nothing', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    const { session } = s.fake.complete(sessionId);
    const event = s.fake.event('checkout.session.completed', session);
    const forged = stripeDelivery(event, 'whsec_not_the_secret', s.t.clock.now());
    const refused = await s.t.app.inject({ method: 'POST', url: '/webhooks/stripe', payload: forged.payload, headers: forged.headers });
    expect([refused.statusCode, code(refused)]).toEqual([400, 'WEBHOOK_SIGNATURE_INVALID']);
    const good = stripeDelivery(event, 'whsec_test_otpbox_0123456789', s.t.clock.now());
    // Signed, then changed (re-serialised): the bytes differ, so it does not verify either.
    const reserialised = JSON.stringify(JSON.parse(good.payload));
    const altered = await s.t.app.inject({ method: 'POST', url: '/webhooks/stripe', payload: reserialised, headers: good.headers });
    expect(altered.statusCode).toBe(400);
    const unsigned = await s.t.app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      payload: good.payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(400);
    const seen = await s.t.database.db
      .select()
      .from(processedWebhookEvents)
      .where(eq(processedWebhookEvents.eventId, event.id as string));
    expect(seen).toEqual([]);
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'created' });
    expect(await balance(actor)).toBe(0);
  });

  it('a signed body that is not a Stripe event is 400 VALIDATION_FAILED, never a 500 (and not called a forgery)', async () => {
    for (const payload of [
      '{}',
      '{"id":"evt_f3a","type":"checkout.session.completed"}',
      '{"id":"evt_f3b","type":"x","data":null}',
      '[1,2]',
      'not json',
    ]) {
      const headers = {
        'content-type': 'application/json',
        'stripe-signature': stripeSignature(payload, 'whsec_test_otpbox_0123456789', s.t.clock.now()),
      };
      const response = await s.t.app.inject({ method: 'POST', url: '/webhooks/stripe', payload, headers });
      expect([response.statusCode, code(response)], payload).toEqual([400, 'VALIDATION_FAILED']);
      expect(response.json().error.message).toMatch(/^The body is signed but is not a Stripe event/);
    }
  });

  it('credits nothing for a session otpbox never created, or one Stripe does not know', async () => {
    const stranger = s.fake.sessions;
    const before = stranger.size;
    // A session someone made in the same Stripe account, outside otpbox.
    const other = await fetch(`${s.fake.baseUrl}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.fake.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'mode=payment&success_url=https://example.com&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=1000&client_reference_id=pay_not_ours',
    }).then((r) => r.json() as Promise<{ id: string }>);
    expect(stranger.size).toBe(before + 1);
    const { session } = s.fake.complete(other.id);
    expect(await ok(await s.deliver(s.fake.event('checkout.session.completed', session)))).toBe('ignored');
    expect(await ok(await s.deliver(s.fake.event('checkout.session.completed', { ...session, id: 'cs_test_unknown' })))).toBe('ignored');
    expect(await ok(await s.deliver(s.fake.event('payment_intent.created', { id: 'pi_x', object: 'payment_intent' })))).toBe('ignored');
  });

  it('trusts what Stripe says now, not the event: an event claiming "paid" for an unpaid session credits nothing', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    const { session } = s.fake.complete(sessionId, { paid: false });
    expect(await ok(await s.deliver(s.fake.event('checkout.session.completed', { ...session, payment_status: 'paid' })))).toBe('applied');
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'pending' });
    expect(await balance(actor)).toBe(0);
    s.fake.asyncSucceeded(sessionId);
    expect(await ok(await s.deliver(s.fake.event('checkout.session.async_payment_succeeded', s.fake.asyncSucceeded(sessionId))))).toBe(
      'applied',
    );
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'paid' });
    expect(await balance(actor)).toBe(300);
  });

  it('marks failed payments: a delayed method that failed, a page that expired', async () => {
    const one = await startedCheckout();
    s.fake.complete(one.sessionId, { paid: false });
    await ok(await s.deliver(s.fake.event('checkout.session.async_payment_failed', s.fake.asyncFailed(one.sessionId))));
    expect(await payment(one.actor, one.paymentId)).toMatchObject({ status: 'failed', paidAt: null });
    const two = await startedCheckout();
    await ok(await s.deliver(s.fake.event('checkout.session.expired', s.fake.expire(two.sessionId))));
    expect(await payment(two.actor, two.paymentId)).toMatchObject({ status: 'failed' });
    expect(await balance(two.actor)).toBe(0);
  });

  it('a refund takes the credits back (spent ones too: the wallet is restricted), before or after the payment', async () => {
    const inOrder = await startedCheckout();
    const paid = s.fake.complete(inOrder.sessionId);
    await ok(await s.deliver(s.fake.event('checkout.session.completed', paid.session)));
    await ok(await s.deliver(s.fake.event('charge.refunded', s.fake.refund(paid.paymentIntent))));
    expect(await payment(inOrder.actor, inOrder.paymentId)).toMatchObject({ status: 'refunded' });
    expect(await balance(inOrder.actor)).toBe(0);

    const reversed = await startedCheckout();
    const done = s.fake.complete(reversed.sessionId);
    // The refund arrives first: the payment is found from the PaymentIntent through Stripe.
    await ok(await s.deliver(s.fake.event('charge.refunded', s.fake.refund(done.paymentIntent))));
    expect(await payment(reversed.actor, reversed.paymentId)).toMatchObject({ status: 'refunded' });
    await ok(await s.deliver(s.fake.event('checkout.session.completed', done.session)));
    expect(await payment(reversed.actor, reversed.paymentId)).toMatchObject({ status: 'refunded' });
    expect(await balance(reversed.actor)).toBe(0);
    expect(await restricted(reversed.actor)).toBe(false);
  });

  it('a dispute restricts the account; won lifts it; lost takes the credits back', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout();
    const paid = s.fake.complete(sessionId);
    await ok(await s.deliver(s.fake.event('checkout.session.completed', paid.session)));
    const dispute = s.fake.openDispute(paid.paymentIntent);
    await ok(await s.deliver(s.fake.event('charge.dispute.created', dispute)));
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'disputed' });
    expect(await restricted(actor)).toBe(true);
    const order = await s.t.app.inject({
      method: 'POST',
      url: '/api/v1/activations',
      headers: { authorization: actor.bearer },
      payload: { service: 'tg', country: 'ID' },
    });
    expect(code(order)).toBe('ACCOUNT_RESTRICTED');
    await ok(await s.deliver(s.fake.event('charge.dispute.closed', s.fake.closeDispute(dispute.id as string, 'won'))));
    expect(await payment(actor, paymentId)).toMatchObject({ status: 'paid' });
    expect(await restricted(actor)).toBe(false);
    expect(await balance(actor)).toBe(300);

    const second = await startedCheckout();
    const done = s.fake.complete(second.sessionId);
    await ok(await s.deliver(s.fake.event('checkout.session.completed', done.session)));
    const lost = s.fake.openDispute(done.paymentIntent);
    // Closed seen before opened: the same end.
    await ok(await s.deliver(s.fake.event('charge.dispute.closed', s.fake.closeDispute(lost.id as string, 'lost'))));
    await ok(await s.deliver(s.fake.event('charge.dispute.created', lost)));
    expect(await payment(second.actor, second.paymentId)).toMatchObject({ status: 'disputed' });
    expect(await balance(second.actor)).toBe(0);
    expect((await verifyLedger(s.t.database.db, s.t.clock.now())).violations).toEqual([]);
  });

  it('a plan credits every paid period once: the first by its checkout, each renewal by its invoice, in any order', async () => {
    const { actor, paymentId, sessionId } = await startedCheckout({ interval: 'month' });
    const first = s.fake.complete(sessionId);
    const subscription = first.subscription as { id: string };
    // The first invoice's event before the session's; then a renewal, whose event comes before the session's too.
    await ok(await s.deliver(s.fake.event('invoice.paid', first.invoice as Record<string, unknown>)));
    expect(await balance(actor)).toBe(300);
    const renewal = s.fake.renew(subscription.id);
    await ok(await s.deliver(s.fake.event('invoice.paid', renewal.invoice)));
    expect(await balance(actor)).toBe(600);
    await ok(await s.deliver(s.fake.event('checkout.session.completed', first.session)));
    await ok(await s.deliver(s.fake.event('invoice.paid', renewal.invoice)));
    expect(await balance(actor)).toBe(600);
    const list = (await get(actor, '/api/v1/payments')).json().payments;
    expect(list).toEqual([
      expect.objectContaining({ status: 'paid', credits: 300, amount: 1000 }),
      expect.objectContaining({ id: paymentId, status: 'paid' }),
    ]);

    const plans = (await get(actor, '/api/v1/subscriptions')).json().subscriptions;
    expect(plans).toEqual([
      {
        id: expect.stringMatching(/^pln_/),
        package: expect.any(String),
        processor: 'stripe',
        status: 'active',
        currentPeriodEnd: expect.any(String),
        cancelAtPeriodEnd: false,
        store: null,
        manageUrl: null,
      },
    ]);
    const portal = await s.t.app.inject({
      method: 'POST',
      url: `/api/v1/subscriptions/${plans[0].id}/portal`,
      headers: { authorization: actor.bearer },
    });
    expect(portal.json().url).toMatch(/^https:\/\/billing\.stripe\.com\//);

    s.fake.cancelSubscription(subscription.id, { atPeriodEnd: true });
    await ok(await s.deliver(s.fake.event('customer.subscription.updated', { id: subscription.id, object: 'subscription' })));
    expect((await get(actor, '/api/v1/subscriptions')).json().subscriptions[0]).toMatchObject({
      status: 'active',
      cancelAtPeriodEnd: true,
    });
    s.fake.cancelSubscription(subscription.id);
    await ok(await s.deliver(s.fake.event('customer.subscription.deleted', { id: subscription.id, object: 'subscription' })));
    const [row] = await s.t.database.db.select().from(subscriptions).where(eq(subscriptions.processorRef, subscription.id));
    expect(row).toMatchObject({ status: 'cancelled', accountId: actor.accountId, firstPaymentId: paymentId });
    // A refund of the renewal (found through its invoice) takes its credits back.
    await ok(await s.deliver(s.fake.event('charge.refunded', s.fake.refund(renewal.paymentIntent))));
    expect(await balance(actor)).toBe(300);
  });

  it('answers 503 when Stripe cannot confirm an event, so that Stripe sends it again', async () => {
    const { actor, sessionId } = await startedCheckout();
    const { session } = s.fake.complete(sessionId);
    const event = s.fake.event('checkout.session.completed', session);
    s.fake.setMode('down');
    try {
      const response = await s.deliver(event);
      expect([response.statusCode, code(response)]).toEqual([503, 'PAYMENT_PROCESSOR_UNAVAILABLE']);
    } finally {
      s.fake.setMode('normal');
    }
    expect(await balance(actor)).toBe(0);
    expect(await ok(await s.deliver(event))).toBe('applied');
    expect(await balance(actor)).toBe(300);
  });
});
