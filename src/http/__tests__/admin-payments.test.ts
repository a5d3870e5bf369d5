import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor } from '../../../test/support/actors.ts';
import { createStripeTestApp, type StripeTestApp } from '../../../test/support/stripe.ts';
import { auditLog, staffAccessLog } from '../../db/schema/index.ts';

let s: StripeTestApp;
beforeAll(async () => {
  s = await createStripeTestApp();
});
afterAll(() => s?.close());

const get = (url: string, actor: Actor) => s.t.app.inject({ method: 'GET', url, headers: asActor(actor) });
const post = (url: string, actor: Actor, body: unknown) =>
  s.t.app.inject({
    method: 'POST',
    url,
    headers: { ...asActor(actor), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

/** A customer's 10.00 USD, 300-credit card payment, paid and its webhook delivered. */
async function paidCheckout() {
  const customer = await createActor(s.t);
  const { paymentId } = (await s.checkout(customer, await s.sell())).json();
  const sessionId = [...s.fake.sessions.values()].find((session) => session.client_reference_id === paymentId)?.id as string;
  const done = s.fake.complete(sessionId);
  await s.deliver(s.fake.event('checkout.session.completed', done.session));
  return { customer, paymentId: paymentId as string, paymentIntent: done.paymentIntent };
}

describe('admin payments API', () => {
  it('lists payments filtered by status, method, customer and date, and logs the staff read per customer', async () => {
    const support = await createActor(s.t, 'support');
    const first = await paidCheckout();
    const second = await paidCheckout();
    const disputed = await paidCheckout();
    await s.deliver(s.fake.event('charge.dispute.created', s.fake.openDispute(disputed.paymentIntent)));

    const all = await get('/api/v1/admin/payments?limit=200', support);
    expect(all.statusCode, all.body).toBe(200);
    const ids = all.json().items.map((p: { id: string }) => p.id);
    expect(ids).toEqual(expect.arrayContaining([first.paymentId, second.paymentId, disputed.paymentId]));
    expect(ids.indexOf(disputed.paymentId)).toBeLessThan(ids.indexOf(first.paymentId));

    const disputes = (await get('/api/v1/admin/payments?status=disputed', support)).json().items;
    expect(disputes.map((p: { id: string }) => p.id)).toEqual([disputed.paymentId]);
    expect(disputes[0]).toMatchObject({ status: 'disputed', dispute: 'open', method: 'card', amount: 1000, credits: 300 });

    const mine = (await get(`/api/v1/admin/payments?accountId=${first.customer.accountId}&method=card`, support)).json().items;
    expect(mine).toEqual([expect.objectContaining({ id: first.paymentId, email: first.customer.email, status: 'paid' })]);
    expect((await get(`/api/v1/admin/payments?accountId=${first.customer.accountId}&method=bitcoin`, support)).json().items).toEqual([]);
    // A mistyped filter is refused, never read as "every account".
    const typo = await get(`/api/v1/admin/payments?account=${first.customer.accountId}`, support);
    expect([typo.statusCode, typo.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);

    const later = new Date(s.t.clock.now().getTime() + 60_000).toISOString();
    expect((await get(`/api/v1/admin/payments?from=${encodeURIComponent(later)}`, support)).json().items).toEqual([]);
    expect((await get(`/api/v1/admin/payments?from=${encodeURIComponent(later)}&to=2020-01-01T00:00:00Z`, support)).statusCode).toBe(400);

    const paged = (await get('/api/v1/admin/payments?limit=1', support)).json();
    expect(paged.items).toHaveLength(1);
    expect(paged.nextCursor).toBe(paged.items[0].id);

    const logged = await s.t.database.db
      .select()
      .from(staffAccessLog)
      .where(and(eq(staffAccessLog.accountId, first.customer.accountId), eq(staffAccessLog.what, 'payment.list')));
    expect(logged.length).toBeGreaterThanOrEqual(1);
  });

  it('shows one payment (a staff read logged with its reason); unknown ids are 404', async () => {
    const support = await createActor(s.t, 'support');
    const { customer, paymentId } = await paidCheckout();
    const response = await get(`/api/v1/admin/payments/${paymentId}?reason=ticket%2042`, support);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ id: paymentId, accountId: customer.accountId, refunded: 0, dispute: 'none' });
    const [logged] = await s.t.database.db
      .select()
      .from(staffAccessLog)
      .where(and(eq(staffAccessLog.accountId, customer.accountId), eq(staffAccessLog.what, 'payment.detail')));
    expect(logged?.reason).toBe('ticket 42');
    expect((await get('/api/v1/admin/payments/pay_nope', support)).statusCode).toBe(404);
  });

  it('lets an admin refund part, then the rest, with a reason; the credits go back in proportion; audited', async () => {
    const admin = await createActor(s.t, 'admin');
    const { customer, paymentId } = await paidCheckout();
    expect((await post(`/api/v1/admin/payments/${paymentId}/refund`, admin, { amount: 250 })).statusCode).toBe(400);
    const part = await post(`/api/v1/admin/payments/${paymentId}/refund`, admin, { amount: 250, reason: 'one number failed' });
    expect(part.statusCode, part.body).toBe(200);
    expect(part.json()).toMatchObject({ refunded: 250, creditsTakenBack: 75, payment: { status: 'paid', refunded: 250 } });
    const tooMuch = await post(`/api/v1/admin/payments/${paymentId}/refund`, admin, { amount: 751, reason: 'too much' });
    expect(tooMuch.statusCode).toBe(400);
    const rest = await post(`/api/v1/admin/payments/${paymentId}/refund`, admin, { reason: 'goodwill' });
    expect(rest.json()).toMatchObject({ refunded: 750, creditsTakenBack: 225, payment: { status: 'refunded', refunded: 1000 } });
    const again = await post(`/api/v1/admin/payments/${paymentId}/refund`, admin, { reason: 'again' });
    expect(again.statusCode).toBe(409);
    const audits = await s.t.database.db.select().from(auditLog).where(eq(auditLog.actor, admin.accountId));
    expect(audits.map((row) => JSON.stringify(row.details))).toEqual(
      expect.arrayContaining([expect.stringContaining('one number failed'), expect.stringContaining('goodwill')]),
    );
    const me = await s.t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: customer.bearer } });
    expect(me.json().balance.available).toBe(0);
  });

  it('refuses support staff a refund', async () => {
    const support = await createActor(s.t, 'support');
    const { paymentId } = await paidCheckout();
    expect((await post(`/api/v1/admin/payments/${paymentId}/refund`, support, { reason: 'try' })).statusCode).toBe(403);
  });
});
