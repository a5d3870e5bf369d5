import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor } from '../../../../test/support/actors.ts';
import { createTestApp } from '../../../../test/support/app.ts';
import { code } from '../../../../test/support/orders.ts';
import { createStripeTestApp, type StripeTestApp } from '../../../../test/support/stripe.ts';
import { payments } from '../../../db/schema/index.ts';
import { OPEN_CHECKOUTS } from '../create-payment.ts';

let s: StripeTestApp;
beforeAll(async () => {
  s = await createStripeTestApp();
});
afterAll(() => s?.close());

describe('POST /api/v1/payments/checkout', () => {
  it('opens a Stripe Checkout page for the package, referenced by the payment, returning to /payments/<id>', async () => {
    const actor = await createActor(s.t);
    const pkg = await s.sell({ credits: 500, priceMinor: 499, currency: 'EUR' });
    const response = await s.checkout(actor, pkg);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      paymentId: expect.stringMatching(/^pay_/),
      status: 'created',
      url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//),
    });
    const sent = s.fake.requests.filter((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST').at(-1);
    expect(sent?.body).toMatchObject({
      mode: 'payment',
      client_reference_id: body.paymentId,
      metadata: { otpbox_payment: body.paymentId },
      success_url: `${s.t.config.publicUrl}/payments/${body.paymentId}`,
      cancel_url: `${s.t.config.publicUrl}/payments/${body.paymentId}?cancelled=1`,
      line_items: [{ quantity: '1', price_data: { currency: 'eur', unit_amount: '499', product_data: { name: '500 credits' } } }],
    });
    expect(sent?.headers['idempotency-key']).toBe(`otpbox-checkout-${body.paymentId}`);
    // Nothing about the customer travels to Stripe: no e-mail, no account id.
    expect(JSON.stringify(sent?.body)).not.toContain(actor.email);
    expect(JSON.stringify(sent?.body)).not.toContain(actor.accountId);

    const payment = await s.t.app.inject({
      method: 'GET',
      url: `/api/v1/payments/${body.paymentId}`,
      headers: { authorization: actor.bearer },
    });
    expect(payment.json()).toEqual({
      id: body.paymentId,
      status: 'created',
      method: 'card',
      package: pkg,
      credits: 500,
      amount: 499,
      currency: 'EUR',
      createdAt: s.t.clock.now().toISOString(),
      paidAt: null,
      refunded: 0,
      failureReason: null,
      receipt: null,
    });
  });

  it('subscribes for a plan', async () => {
    const actor = await createActor(s.t);
    const plan = await s.sell({ credits: 3000, priceMinor: 1999, interval: 'month' });
    expect((await s.checkout(actor, plan)).statusCode).toBe(201);
    expect(s.fake.requests.at(-1)?.body).toMatchObject({
      mode: 'subscription',
      line_items: [{ price_data: { recurring: { interval: 'month' } } }],
      subscription_data: { metadata: { otpbox_payment: expect.stringMatching(/^pay_/) } },
    });
  });

  it('replays a repeated Idempotency-Key with the same payment and page, and refuses it for another package', async () => {
    const actor = await createActor(s.t);
    const pkg = await s.sell();
    const headers = { 'idempotency-key': 'buy-1' };
    const first = await s.checkout(actor, pkg, headers);
    const again = await s.checkout(actor, pkg, headers);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const other = await s.checkout(actor, await s.sell(), headers);
    expect(other.statusCode).toBe(422);
    expect(code(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    // The same key from another customer is another payment.
    const stranger = await s.checkout(await createActor(s.t), pkg, headers);
    expect(stranger.json().paymentId).not.toBe(first.json().paymentId);
  });

  it('resumes a keyed checkout that Stripe could not open, with the same Stripe key', async () => {
    const actor = await createActor(s.t);
    const pkg = await s.sell();
    s.fake.setMode('down');
    let failed: Awaited<ReturnType<typeof s.checkout>>;
    try {
      failed = await s.checkout(actor, pkg, { 'idempotency-key': 'resume-me' });
    } finally {
      s.fake.setMode('normal');
    }
    expect(failed.statusCode).toBe(503);
    expect(code(failed)).toBe('PAYMENT_PROCESSOR_UNAVAILABLE');
    expect(failed.headers['retry-after']).toBe('30');
    const resumed = await s.checkout(actor, pkg, { 'idempotency-key': 'resume-me' });
    expect(resumed.statusCode).toBe(201);
    const rows = await s.t.database.db.select().from(payments).where(eq(payments.accountId, actor.accountId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'created', processorRef: expect.stringMatching(/^cs_/) });
  });

  it('an unkeyed checkout that Stripe could not open is a failed payment', async () => {
    const actor = await createActor(s.t);
    const pkg = await s.sell();
    s.fake.setMode('down');
    try {
      expect(code(await s.checkout(actor, pkg))).toBe('PAYMENT_PROCESSOR_UNAVAILABLE');
    } finally {
      s.fake.setMode('normal');
    }
    const list = await s.t.app.inject({ method: 'GET', url: '/api/v1/payments', headers: { authorization: actor.bearer } });
    expect(list.json().payments).toEqual([expect.objectContaining({ status: 'failed', paidAt: null })]);
  });

  it('refuses an unknown package, and Bitcoin where it is not configured, naming why', async () => {
    const actor = await createActor(s.t);
    const unknown = await s.checkout(actor, 'nope');
    expect([unknown.statusCode, code(unknown)]).toEqual([422, 'UNKNOWN_PACKAGE']);
    const bitcoin = await s.t.app.inject({
      method: 'POST',
      url: '/api/v1/payments/checkout',
      headers: { authorization: actor.bearer },
      payload: { package: await s.sell(), method: 'bitcoin' },
    });
    expect([bitcoin.statusCode, code(bitcoin)]).toEqual([422, 'PAYMENT_METHOD_UNAVAILABLE']);
    expect(bitcoin.json().error.details).toEqual({ method: 'bitcoin' });
  });

  it('leaves at most 10 checkouts unfinished per account: the next is 429 until one ends or the oldest is a day old', async () => {
    const actor = await createActor(s.t);
    const pkg = await s.sell();
    const keyed = await s.checkout(actor, pkg, { 'idempotency-key': 'open-cap-first' });
    expect(keyed.statusCode).toBe(201);
    for (let i = 1; i < OPEN_CHECKOUTS.max; i++) expect((await s.checkout(actor, pkg)).statusCode).toBe(201);
    const pages = s.fake.requests.filter((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST').length;
    const refused = await s.checkout(actor, pkg);
    expect([refused.statusCode, code(refused)]).toEqual([429, 'TOO_MANY_ACTIVE']);
    expect(refused.json().error.message).toMatch(/^You have 10 unfinished payments/);
    expect(Number(refused.headers['retry-after'])).toBe(24 * 3600);
    // Nothing was opened at Stripe for it; a retry of a checkout already made is still answered.
    expect(s.fake.requests.filter((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST').length).toBe(pages);
    const retried = await s.checkout(actor, pkg, { 'idempotency-key': 'open-cap-first' });
    expect([retried.statusCode, retried.json().paymentId]).toEqual([201, keyed.json().paymentId]);
    // Another customer is not held back.
    expect((await s.checkout(await createActor(s.t), pkg)).statusCode).toBe(201);
    // One page paid: room for one more.
    const session = [...s.fake.sessions.values()].find((x) => x.client_reference_id === keyed.json().paymentId);
    await s.deliver(s.fake.event('checkout.session.completed', s.fake.complete(session?.id as string).session));
    expect((await s.checkout(actor, pkg)).statusCode).toBe(201);
    expect((await s.checkout(actor, pkg)).statusCode).toBe(429);
    // A day on, the unfinished ones no longer count (their pages have expired at Stripe).
    s.t.clock.advance(OPEN_CHECKOUTS.withinMs);
    expect((await s.checkout(actor, pkg)).statusCode).toBe(201);
  });

  it('30 checkouts at once open exactly 10 (the account row is locked while they are counted; on PostgreSQL too)', async () => {
    const actor = await createActor(s.t);
    const pkg = await s.sell();
    const answers = await Promise.all(Array.from({ length: 30 }, () => s.checkout(actor, pkg)));
    expect(answers.filter((answer) => answer.statusCode === 201)).toHaveLength(OPEN_CHECKOUTS.max);
    expect(new Set(answers.filter((answer) => answer.statusCode !== 201).map((answer) => `${answer.statusCode} ${code(answer)}`))).toEqual(
      new Set(['429 TOO_MANY_ACTIVE']),
    );
    expect(await s.t.database.db.select().from(payments).where(eq(payments.accountId, actor.accountId))).toHaveLength(OPEN_CHECKOUTS.max);
  });

  it('lists my payments newest first, pages them, and hides other customers’ payments', async () => {
    const actor = await createActor(s.t);
    const pkg = await s.sell();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await s.checkout(actor, pkg)).json().paymentId);
    const page = await s.t.app.inject({ method: 'GET', url: '/api/v1/payments?limit=2', headers: { authorization: actor.bearer } });
    expect(page.json().payments.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    const next = await s.t.app.inject({
      method: 'GET',
      url: `/api/v1/payments?limit=2&cursor=${page.json().nextCursor}`,
      headers: { authorization: actor.bearer },
    });
    expect(next.json()).toEqual({ payments: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    const other = await createActor(s.t);
    const hidden = await s.t.app.inject({ method: 'GET', url: `/api/v1/payments/${ids[0]}`, headers: { authorization: other.bearer } });
    expect(hidden.statusCode).toBe(404);
  });
});

describe('without Stripe configured', () => {
  it('card payments are unavailable and the webhook does not exist', async () => {
    const t = await createTestApp();
    try {
      const actor = await createActor(t);
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/payments/checkout',
        headers: { authorization: actor.bearer },
        payload: { package: 'any', method: 'card' },
      });
      expect([response.statusCode, code(response)]).toEqual([422, 'PAYMENT_METHOD_UNAVAILABLE']);
      const webhook = await t.app.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(webhook.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
