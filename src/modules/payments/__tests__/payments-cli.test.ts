import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createActor } from '../../../../test/support/actors.ts';
import { otpboxOf } from '../../../../test/support/cli.ts';
import { createStripeTestApp, type StripeTestApp } from '../../../../test/support/stripe.ts';
import { auditLog } from '../../../db/schema/index.ts';

let s: StripeTestApp;
beforeAll(async () => {
  s = await createStripeTestApp();
});
afterAll(() => s?.close());
const otpbox = otpboxOf(() => s.t);

const balance = async (actor: Actor) =>
  (await s.t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: actor.bearer } })).json().balance.available as number;

/** A paid card payment of 300 credits for 10.00 USD; its id and PaymentIntent. */
async function paidPayment(actor: Actor) {
  const { paymentId } = (await s.checkout(actor, await s.sell())).json();
  const sessionId = [...s.fake.sessions.values()].find((session) => session.client_reference_id === paymentId)?.id as string;
  const done = s.fake.complete(sessionId);
  await s.deliver(s.fake.event('checkout.session.completed', done.session));
  return { paymentId, paymentIntent: done.paymentIntent };
}

describe('otpbox payments list | refund', () => {
  it('lists payments with their customer, as text and as JSON', async () => {
    const actor = await createActor(s.t);
    const { paymentId } = await paidPayment(actor);
    const json = JSON.parse((await otpbox('payments', 'list', '--json')).stdout);
    expect(json).toContainEqual(
      expect.objectContaining({
        id: paymentId,
        status: 'paid',
        method: 'card',
        credits: 300,
        amount: 1000,
        currency: 'USD',
        email: actor.email,
        processor: 'stripe',
      }),
    );
    const text = await otpbox('payments', 'list');
    expect(text.stdout).toMatch(new RegExp(`${paymentId}\\s+\\S+ \\S+\\s+paid\\s+card\\s+\\S+\\s+300\\s+10.00 USD\\s+${actor.email}`));
  });

  it('refunds through Stripe and takes the credits back at once; the later charge.refunded changes nothing', async () => {
    const actor = await createActor(s.t);
    const { paymentId, paymentIntent } = await paidPayment(actor);
    expect(await balance(actor)).toBe(300);
    const refunded = await otpbox('payments', 'refund', paymentId, '--reason', 'customer asked by e-mail');
    expect(refunded.code, refunded.stderr).toBe(0);
    expect(refunded.stdout).toContain('300 credits taken back; the payment is refunded');
    const sent = s.fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
    expect(sent.at(-1)).toMatchObject({
      body: { payment_intent: paymentIntent },
      headers: { 'idempotency-key': `otpbox-refund-${paymentId}-from-0` },
    });
    expect(await balance(actor)).toBe(0);
    const audit = await s.t.database.db.select().from(auditLog).where(eq(auditLog.accountId, actor.accountId));
    expect(audit.find((a) => a.action === 'payment.refunded')).toMatchObject({
      actor: 'cli',
      details: expect.objectContaining({ reason: 'customer asked by e-mail' }),
    });

    const event = await s.deliver(s.fake.event('charge.refunded', s.fake.chargeOf(paymentIntent)));
    expect(event.statusCode).toBe(200);
    expect(await balance(actor)).toBe(0);
    const again = await otpbox('payments', 'refund', paymentId, '--reason', 'twice');
    expect(again).toMatchObject({ code: 1 });
    expect(again.stderr).toContain('already refunded');
  });

  it('refunds part of a payment with --amount, in minor units, and refuses more than is left', async () => {
    const actor = await createActor(s.t);
    const { paymentId } = await paidPayment(actor);
    expect((await otpbox('payments', 'refund', paymentId, '--reason', 'x', '--amount', '2.50')).code).toBe(64);
    const part = await otpbox('payments', 'refund', paymentId, '--reason', 'one number failed', '--amount', '250');
    expect(part.code, part.stderr).toBe(0);
    expect(part.stdout).toContain('2.50 USD of 10.00 USD');
    expect(part.stdout).toContain('75 credits taken back; the payment is paid');
    expect(await balance(actor)).toBe(225);
    const over = await otpbox('payments', 'refund', paymentId, '--reason', 'x', '--amount', '800');
    expect(over.code).toBe(64);
    expect(over.stderr).toContain('from 1 to 750');
  });

  it('refuses what cannot be refunded, and bad usage', async () => {
    const actor = await createActor(s.t);
    const { paymentId } = (await s.checkout(actor, await s.sell())).json();
    expect((await otpbox('payments', 'refund', paymentId, '--reason', 'x')).stderr).toContain('is created: only a paid payment');
    expect((await otpbox('payments', 'refund', 'pay_nope', '--reason', 'x')).stderr).toContain('NOT_FOUND');
    expect((await otpbox('payments', 'refund', paymentId)).code).toBe(64);
  });

  it('exports payments by method and status, and the credits sold, as metrics', async () => {
    const metrics = await s.t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/otpbox_payments\{method="card",status="paid",service="otpbox"\} \d+/);
    expect(metrics.body).toMatch(/otpbox_payment_credits_sold\{method="card",service="otpbox"\} [1-9]\d*/);
    expect(metrics.body).toMatch(/otpbox_payment_credits_taken_back\{method="card",service="otpbox"\} [1-9]\d*/);
  });
});
