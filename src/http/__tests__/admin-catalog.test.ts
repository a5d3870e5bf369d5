import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asActor, createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { connectSmsActivate } from '../../../test/support/providers.ts';
import { auditLog } from '../../db/schema/index.ts';

let t: TestApp;
let closeFake: () => Promise<void>;
beforeAll(async () => {
  t = await createTestApp({ env: { SANDBOX: 'auto' } });
  closeFake = (await connectSmsActivate(t, 'cheap', { markupPercent: '0', priority: 5 })).close;
  await connectSmsActivate(t, 'dear', { markupPercent: '100', priority: 1 }).then((c) => {
    const first = closeFake;
    closeFake = async () => {
      await first();
      await c.close();
    };
  });
});
afterAll(async () => {
  await closeFake?.();
  await t?.close();
});

const post = (url: string, headers: Record<string, string>, body: unknown) =>
  t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const preview = async (headers: Record<string, string>, query = 'service=wa&country=ID') =>
  t.app.inject({ method: 'GET', url: `/api/v1/admin/catalog/preview?${query}`, headers });

describe('admin catalog API', () => {
  it('previews what a customer pays at each provider, the cheapest in stock winning, from the live catalog', async () => {
    const support = await createActor(t, 'support');
    const response = await preview(asActor(support));
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ label: 'WhatsApp in Indonesia', service: 'wa', country: 'ID', sold: true, rules: [] });
    const cheap = body.offers.find((o: { provider: string }) => o.provider === 'cheap');
    const dear = body.offers.find((o: { provider: string }) => o.provider === 'dear');
    expect(cheap).toMatchObject({ markupPercent: '0', priority: 5, wins: true });
    expect(dear).toMatchObject({ markupPercent: '100', priority: 1, wins: false });
    expect(dear.price).toBeGreaterThan(cheap.price);
    expect(body.offers[0].provider).toBe('cheap');
    // The same price an order is charged: the catalog's own pricing.
    expect(t.orders.activations.catalog.offers('wa', 'ID')[0]?.price).toBe(cheap.price);
    expect((await preview(asActor(support), 'service=nope&country=ID')).statusCode).toBe(400);
  });

  it('lets an admin disable a country with a reason: audited, and the catalog stops selling it at once', async () => {
    const admin = await createActor(t, 'admin');
    expect((await post('/api/v1/admin/catalog/rules', asActor(admin), { country: 'ID', disabled: true })).statusCode).toBe(400);
    const changed = await post('/api/v1/admin/catalog/rules', asActor(admin), { country: 'id', disabled: true, reason: 'fraud wave' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ label: 'Indonesia', rule: { scope: 'country', country: 'ID', disabled: true } });
    await vi.waitFor(async () => {
      const body = (await preview(asActor(admin))).json();
      expect(body).toMatchObject({ sold: false, offers: [], rules: [expect.objectContaining({ scope: 'country', disabled: true })] });
    });
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.action} = 'catalog.rule' and ${auditLog.details}->>'reason' = 'fraud wave'`);
    expect(audit?.actor).toBe(admin.accountId);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/admin/catalog/rules', headers: asActor(admin) });
    expect(listed.json().rules).toEqual([expect.objectContaining({ label: 'Indonesia', disabled: true, priceCredits: null })]);

    // A fixed price on the pair, then enabling the country again: the preview prices at the fixed price.
    await post('/api/v1/admin/catalog/rules', asActor(admin), { service: 'wa', country: 'ID', priceCredits: 77, reason: 'promo' });
    await post('/api/v1/admin/catalog/rules', asActor(admin), { country: 'ID', disabled: false, reason: 'fraud over' });
    await vi.waitFor(async () => {
      const body = (await preview(asActor(admin))).json();
      expect(body.sold).toBe(true);
      expect(body.offers).toHaveLength(2);
      expect(body.offers.map((o: { price: number }) => o.price)).toEqual(body.offers.map(() => 77));
    });
    const rules = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/catalog/rules', headers: asActor(admin) })).json().rules;
    expect(rules).toEqual([expect.objectContaining({ scope: 'pair', label: 'WhatsApp in Indonesia', priceCredits: 77 })]);
    const reset = await post('/api/v1/admin/catalog/rules', asActor(admin), {
      service: 'wa',
      country: 'ID',
      priceCredits: null,
      reason: 'promo over',
    });
    expect(reset.json()).toEqual({ label: 'WhatsApp in Indonesia', rule: null });
  });

  it('refuses support staff a change', async () => {
    const support = await createActor(t, 'support');
    const response = await post('/api/v1/admin/catalog/rules', asActor(support), { country: 'ID', disabled: true, reason: 'try' });
    expect(response.statusCode).toBe(403);
  });
});
