import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../../../test/fakes/stripe-server.ts';
import { stripeDelivery } from '../../../../test/support/stripe-events.ts';
import { stripeAdapter } from '../adapter.ts';
import { type CheckoutRequest, StripeRefused, StripeSignatureInvalid, StripeUnavailable } from '../port.ts';

const WEBHOOK_SECRET = 'whsec_test_adapter';
let fake: FakeStripe;
let stripe: Awaited<ReturnType<typeof stripeAdapter>>;
beforeAll(async () => {
  fake = await startFakeStripe();
  stripe = await stripeAdapter({ secretKey: fake.secretKey, webhookSecret: WEBHOOK_SECRET, apiBase: fake.baseUrl });
});
afterAll(() => fake?.close());

const request = (overrides: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  paymentId: 'pay_1',
  mode: 'payment',
  currency: 'USD',
  amountMinor: 499,
  productName: '500 credits',
  successUrl: 'http://127.0.0.1:8080/payments/pay_1',
  cancelUrl: 'http://127.0.0.1:8080/payments/pay_1',
  idempotencyKey: `checkout:${Math.random()}`,
  ...overrides,
});

describe('the Stripe adapter, against the fake Stripe API', () => {
  it('creates a Checkout Session with our reference, form-encoded, under an Idempotency-Key', async () => {
    const key = `checkout:${Math.random()}`;
    const session = await stripe.createCheckoutSession(request({ idempotencyKey: key }));
    expect(session).toMatchObject({
      mode: 'payment',
      status: 'open',
      paymentStatus: 'unpaid',
      clientReferenceId: 'pay_1',
      otpboxPayment: 'pay_1',
      amountTotal: 499,
      currency: 'USD',
      paymentIntent: null,
    });
    expect(session.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const sent = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
    expect(sent?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(sent?.headers['idempotency-key']).toBe(key);
    expect(sent?.headers['stripe-version']).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(sent?.body).toMatchObject({
      mode: 'payment',
      client_reference_id: 'pay_1',
      line_items: [{ quantity: '1', price_data: { currency: 'usd', unit_amount: '499', product_data: { name: '500 credits' } } }],
      payment_intent_data: { metadata: { otpbox_payment: 'pay_1' } },
    });
    // The same key: the same session. The same key with other parameters: refused.
    expect((await stripe.createCheckoutSession(request({ idempotencyKey: key }))).id).toBe(session.id);
    const error = await stripe.createCheckoutSession(request({ idempotencyKey: key, amountMinor: 999 })).catch((e) => e);
    expect(error).toBeInstanceOf(StripeRefused);
    expect(await stripe.retrieveCheckoutSession('cs_test_missing')).toBeNull();
  });

  it('reads back a paid session, and finds it from its PaymentIntent', async () => {
    const session = await stripe.createCheckoutSession(request());
    const { paymentIntent } = fake.complete(session.id);
    expect(await stripe.retrieveCheckoutSession(session.id)).toMatchObject({ status: 'complete', paymentStatus: 'paid', paymentIntent });
    expect(await stripe.checkoutSessionOfPaymentIntent(paymentIntent)).toBe(session.id);
    expect(await stripe.checkoutSessionOfPaymentIntent('pi_unknown')).toBeNull();
    expect(
      await stripe.refund({ paymentIntent, idempotencyKey: `refund:${session.id}`, metadata: { otpbox_payment: 'pay_1' } }),
    ).toMatchObject({
      status: 'succeeded',
      amount: 499,
    });
    expect(fake.chargeOf(paymentIntent)).toMatchObject({ refunded: true, amount_refunded: 499 });
  });

  it('reads subscriptions, their invoices and the PaymentIntents that paid them', async () => {
    const session = await stripe.createCheckoutSession(request({ mode: 'subscription', interval: 'month', paymentId: 'pay_plan' }));
    expect(fake.requests.at(-1)?.body).toMatchObject({
      subscription_data: { metadata: { otpbox_payment: 'pay_plan' } },
      line_items: [{ price_data: { recurring: { interval: 'month' } } }],
    });
    const done = fake.complete(session.id);
    const read = await stripe.retrieveCheckoutSession(session.id);
    expect(read).toMatchObject({
      mode: 'subscription',
      paymentStatus: 'paid',
      subscription: done.subscription?.id,
      customer: expect.stringMatching(/^cus_/),
    });
    const invoice = await stripe.retrieveInvoice(done.invoice?.id as string);
    expect(invoice).toMatchObject({
      status: 'paid',
      billingReason: 'subscription_create',
      amountPaid: 499,
      currency: 'USD',
      subscription: done.subscription?.id,
      paymentIntents: [done.paymentIntent],
    });
    expect(await stripe.invoiceOfPaymentIntent(done.paymentIntent)).toBe(done.invoice?.id);
    const subscription = await stripe.retrieveSubscription(done.subscription?.id as string);
    expect(subscription).toMatchObject({ status: 'active', otpboxPayment: 'pay_plan', cancelAtPeriodEnd: false });
    expect(subscription?.currentPeriodEnd).toBeInstanceOf(Date);
    expect((await stripe.createPortalSession({ customer: read?.customer as string, returnUrl: 'http://127.0.0.1/x' })).url).toMatch(
      /^https:\/\/billing\.stripe\.com\//,
    );
  });

  it('expires an open Checkout Session, and is refused one that is not open', async () => {
    const session = await stripe.createCheckoutSession(request());
    expect(await stripe.expireCheckoutSession(session.id)).toMatchObject({ id: session.id, status: 'expired', url: null });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v1/checkout/sessions/${session.id}/expire` });
    const again = await stripe.expireCheckoutSession(session.id).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(StripeRefused);
    expect(again).toMatchObject({ status: 400 });
  });

  it('cancels a subscription at once, without proration, under an Idempotency-Key; one already cancelled is refused', async () => {
    const session = await stripe.createCheckoutSession(request({ mode: 'subscription', interval: 'month' }));
    const subscription = fake.complete(session.id).subscription as { id: string };
    const key = `cancel:${Math.random()}`;
    expect(await stripe.cancelSubscription(subscription.id, key)).toMatchObject({ id: subscription.id, status: 'canceled' });
    const sent = fake.requests.at(-1);
    expect(sent).toMatchObject({ method: 'DELETE', path: `/v1/subscriptions/${subscription.id}` });
    expect(sent?.headers['idempotency-key']).toBe(key);
    expect({ ...sent?.body, ...sent?.query }).toMatchObject({ prorate: 'false' });
    // The same key again replays the first answer; a new key is refused: it is cancelled already.
    expect(await stripe.cancelSubscription(subscription.id, key)).toMatchObject({ status: 'canceled' });
    await expect(stripe.cancelSubscription(subscription.id, `cancel:${Math.random()}`)).rejects.toBeInstanceOf(StripeRefused);
  });

  it('verifies Stripe-Signature over the raw body, and refuses anything else', () => {
    const now = new Date();
    const event = fake.event('checkout.session.completed', { id: 'cs_test_1', object: 'checkout.session' });
    const good = stripeDelivery(event, WEBHOOK_SECRET, now);
    expect(stripe.verifyEvent(Buffer.from(good.payload), good.headers['stripe-signature'], now)).toMatchObject({
      id: event.id,
      type: 'checkout.session.completed',
      object: { id: 'cs_test_1' },
    });
    const refuse =
      (body: string, signature: string | undefined, at = now) =>
      () =>
        stripe.verifyEvent(body, signature, at);
    expect(refuse(good.payload.replace('cs_test_1', 'cs_test_2'), good.headers['stripe-signature'])).toThrow(StripeSignatureInvalid);
    expect(refuse(good.payload, stripeDelivery(event, 'whsec_other', now).headers['stripe-signature'])).toThrow(StripeSignatureInvalid);
    expect(refuse(good.payload, undefined)).toThrow(StripeSignatureInvalid);
    expect(refuse(good.payload, 'garbage')).toThrow(StripeSignatureInvalid);
    // Older than the SDK's five-minute tolerance.
    expect(refuse(good.payload, good.headers['stripe-signature'], new Date(now.getTime() + 301_000))).toThrow(StripeSignatureInvalid);
  });

  it('says unavailable when Stripe fails, refused when it says no', async () => {
    fake.setMode('down');
    try {
      await expect(stripe.retrieveCheckoutSession('cs_test_x')).rejects.toBeInstanceOf(StripeUnavailable);
    } finally {
      fake.setMode('normal');
    }
    const wrongKey = await stripeAdapter({ secretKey: 'sk_test_wrong', webhookSecret: WEBHOOK_SECRET, apiBase: fake.baseUrl });
    await expect(wrongKey.retrieveCheckoutSession('cs_test_x')).rejects.toMatchObject({ name: 'StripeRefused', status: 401 });
  });
});
