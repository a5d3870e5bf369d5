import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor } from '../../../test/support/actors.ts';
import { createStripeTestApp, type StripeTestApp } from '../../../test/support/stripe.ts';
import { auditLog, creditPackages } from '../../db/schema/index.ts';

let s: StripeTestApp;
let admin: Actor;
let support: Actor;
beforeAll(async () => {
  s = await createStripeTestApp();
  admin = await createActor(s.t, 'admin');
  support = await createActor(s.t, 'support');
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
const auditOf = (action: string, code: string) =>
  s.t.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), sql`${auditLog.details}->>'code' = ${code}`));

/** A paid card payment for the package: checkout, then Stripe's completion delivered. */
async function buy(code: string) {
  const customer = await createActor(s.t);
  const { paymentId } = (await s.checkout(customer, code)).json();
  const sessionId = [...s.fake.sessions.values()].find((session) => session.client_reference_id === paymentId)?.id as string;
  await s.deliver(s.fake.event('checkout.session.completed', s.fake.complete(sessionId).session));
}

describe('admin packages API', () => {
  it('lists every package, on sale or not, with how many were sold, to support staff too', async () => {
    const code = await s.sell({ credits: 300, priceMinor: 1000 });
    await buy(code);
    await buy(code);
    const unsold = await s.sell({ credits: 50, priceMinor: 199, interval: 'month' });
    const response = await get('/api/v1/admin/packages', support);
    expect(response.statusCode, response.body).toBe(200);
    const listed = response.json().packages as { code: string }[];
    expect(listed.find((p) => p.code === code)).toMatchObject({
      credits: 300,
      price: 1000,
      currency: 'USD',
      interval: null,
      storeProduct: null,
      active: true,
      sold: 2,
    });
    expect(listed.find((p) => p.code === unsold)).toMatchObject({ interval: 'month', sold: 0 });
  });

  it('adds a package with a required reason, audited with who and why; the customers’ list shows it', async () => {
    const body = { code: 'console-pack', credits: 1200, price: 4999, currency: 'eur', storeProduct: 'com.otpbox.pack1200' };
    const noReason = await post('/api/v1/admin/packages', admin, body);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.message).toMatch(/reason/);
    const added = await post('/api/v1/admin/packages', admin, { ...body, reason: 'spring offer' });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ code: 'console-pack', currency: 'EUR', price: 4999, active: true, sold: 0 });
    const [audit] = await auditOf('packages.add', 'console-pack');
    expect(audit).toMatchObject({ actor: admin.accountId, details: expect.objectContaining({ reason: 'spring offer', currency: 'EUR' }) });
    const forCustomers = (await s.t.app.inject({ method: 'GET', url: '/api/v1/packages' })).json();
    expect(JSON.stringify(forCustomers)).toContain('console-pack');
  });

  it('refuses a taken code, a taken store product, an unknown currency, and support staff, in plain words', async () => {
    const base = { credits: 10, price: 100, currency: 'USD', reason: 'testing refusals' };
    expect((await post('/api/v1/admin/packages', admin, { ...base, code: 'dup-pack', storeProduct: 'store.dup' })).statusCode).toBe(201);
    const taken = await post('/api/v1/admin/packages', admin, { ...base, code: 'dup-pack' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.message).toMatch(/A package with the code dup-pack exists/);
    const store = await post('/api/v1/admin/packages', admin, { ...base, code: 'other-pack', storeProduct: 'store.dup' });
    expect(store.statusCode).toBe(409);
    expect(store.json().error.message).toMatch(/store product store\.dup already buys the package dup-pack/);
    const currency = await post('/api/v1/admin/packages', admin, { ...base, code: 'xyz-pack', currency: 'XYZ' });
    expect(currency.statusCode).toBe(400);
    expect(currency.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/XYZ is not an ISO 4217/) });
    const code = await post('/api/v1/admin/packages', admin, { ...base, code: 'no spaces' });
    expect(code.statusCode).toBe(400);
    expect(code.json().error.message).toMatch(/letters, digits/);
    const bySupport = await post('/api/v1/admin/packages', support, { ...base, code: 'support-pack' });
    expect(bySupport.statusCode).toBe(403);
    expect(await s.t.database.db.select().from(creditPackages).where(eq(creditPackages.code, 'support-pack'))).toEqual([]);
  });

  it('disables a package with a reason: off the customers’ list, still listed for staff, audited; once only', async () => {
    const code = await s.sell();
    const noReason = await post(`/api/v1/admin/packages/${code}/disable`, admin, {});
    expect(noReason.statusCode).toBe(400);
    const disabled = await post(`/api/v1/admin/packages/${code}/disable`, admin, { reason: 'price change' });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toEqual({ disabled: true });
    expect((await post(`/api/v1/admin/packages/${code}/disable`, admin, { reason: 'again' })).json()).toEqual({ disabled: false });
    const [audit, ...more] = await auditOf('packages.disable', code);
    expect(more).toEqual([]);
    expect(audit).toMatchObject({ actor: admin.accountId, details: { code, reason: 'price change' } });
    const forCustomers = (await s.t.app.inject({ method: 'GET', url: '/api/v1/packages' })).json();
    expect(JSON.stringify(forCustomers)).not.toContain(`"${code}"`);
    const listed = (await get('/api/v1/admin/packages', support)).json().packages as { code: string; active: boolean }[];
    expect(listed.find((p) => p.code === code)?.active).toBe(false);
    const unknown = await post('/api/v1/admin/packages/no-such-pack/disable', admin, { reason: 'gone' });
    expect(unknown.statusCode).toBe(404);
    expect((await post(`/api/v1/admin/packages/${code}/disable`, support, { reason: 'not mine' })).statusCode).toBe(403);
  });
});
