import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor, ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { numberOrders } from '../../modules/order-numbers/index.ts';

let t: TestApp;
let support: Actor;
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0', ORDER_RATE_LIMIT: '0' } });
  support = await createActor(t, 'support');
});
afterAll(() => t?.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { ...asActor(support), ...headers } });
const accessLog = async (customer: Actor) =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/privacy/access-log', headers: { authorization: customer.bearer } })).json().items as {
    what: string;
    reason: string | null;
  }[];
const masked = (phone: string) => {
  const digits = phone.replace(/\D/g, '');
  return `+${digits.slice(0, digits.length > 11 ? 2 : 1)}…${digits.slice(-4)}`;
};

describe('admin orders search', () => {
  it('finds an order by id, by compat order number and by its rented number however it is spelled; numbers masked', async () => {
    const customer = await fundedActor(t, 1000);
    const order = (await api(t, customer).order()).json();
    const other = await fundedActor(t, 1000);
    await api(t, other).order();
    const numbers = await numberOrders(ctxOf(t, 'cli').db, [order.id], t.clock.now());
    const digits = order.phone.replace(/\D/g, '');
    const spelled = [
      order.phone,
      digits,
      `${order.phone.slice(0, 3)} ${order.phone.slice(3, 6)} ${order.phone.slice(6)}`,
      `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`,
    ];
    const searches: [string, string][] = [
      [order.id, 'order_id'],
      [String(numbers.get(order.id)), 'order_number_or_number'],
      ...spelled.map((q): [string, string] => [q, /^\d+$/.test(q) ? 'order_number_or_number' : 'number']),
    ];
    for (const [q, by] of searches) {
      const found = await get(`/api/v1/admin/orders?q=${encodeURIComponent(q)}`);
      expect(found.statusCode, `${q}: ${found.body}`).toBe(200);
      expect(found.json(), q).toEqual({
        by,
        nextCursor: null,
        items: [expect.objectContaining({ id: order.id, accountId: customer.accountId, phone: masked(order.phone), status: 'waiting' })],
      });
      expect(found.body, q).not.toContain(digits);
    }
    expect((await get('/api/v1/admin/orders?q=%2B1%20555%20000%200000')).json()).toEqual({ by: 'number', items: [], nextCursor: null });
    expect((await get('/api/v1/admin/orders?q=hello')).json()).toEqual({ by: null, items: [], nextCursor: null });
    // A mistyped filter is refused, never read as "every order".
    expect((await get('/api/v1/admin/orders?accountId=acc_x')).statusCode).toBe(400);
    // Each page logs a staff read per customer it shows.
    expect((await accessLog(customer)).filter((entry) => entry.what === 'order.list')).toHaveLength(searches.length);
  });

  it('filters by status, service, country, provider, account and date, newest first, paged by cursor', async () => {
    const customer = await fundedActor(t, 1000);
    const first = (await api(t, customer).order()).json();
    t.clock.advance(1_000);
    const second = (await api(t, customer).order()).json();
    t.clock.advance(600_000);
    expect((await api(t, customer).action(second.id, 'cancel')).statusCode).toBe(200);
    const third = (await api(t, customer).order({ service: 'wa', country: 'ID' })).json();
    const base = `/api/v1/admin/orders?account=${customer.accountId}`;
    const ids = async (query: string) => (await get(`${base}${query}`)).json().items.map((o: { id: string }) => o.id);
    expect(await ids('')).toEqual([third.id, second.id, first.id]);
    expect(await ids('&service=wa')).toEqual([third.id]);
    expect(await ids('&service=tg&country=ID')).toEqual([second.id, first.id]);
    expect(await ids('&country=GB')).toEqual([]);
    expect(await ids('&provider=sandbox')).toEqual([third.id, second.id, first.id]);
    expect(await ids('&provider=nobody')).toEqual([]);
    const since = new Date(t.clock.now().getTime() - 60_000).toISOString();
    expect(await ids(`&from=${encodeURIComponent(since)}`)).toEqual([third.id]);
    expect(await ids(`&to=${encodeURIComponent(since)}`)).toEqual([second.id, first.id]);
    expect((await get(`${base}&from=${encodeURIComponent(since)}&to=2020-01-01T00:00:00Z`)).statusCode).toBe(400);
    expect(await ids('&status=cancelled')).toEqual([second.id]);
    expect(await ids('&status=waiting')).toEqual([third.id, first.id]);
    const page = (await get(`${base}&limit=2`)).json();
    expect(page.items.map((o: { id: string }) => o.id)).toEqual([third.id, second.id]);
    expect(page.nextCursor).toBe(second.id);
    expect(await ids(`&limit=2&cursor=${page.nextCursor}`)).toEqual([first.id]);
    expect((await get(`${base}&limit=101`)).statusCode).toBe(400);
  });
});

describe("one order's whole life", () => {
  it('shows the order opened, its code, transitions, ledger lines and is logged as a staff read with the reason', async () => {
    const customer = await fundedActor(t, 1000);
    const endpoint = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: { authorization: customer.bearer, 'content-type': 'application/json' },
      payload: { url: 'https://hooks.example.com/orders' },
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    const order = (await api(t, customer).order()).json();
    await api(t, customer).order(); // another order's deliveries are not this one's
    expect((await api(t, customer).sms(order.id, 'Your code is 481516')).statusCode).toBeLessThan(300);
    const life = await get(`/api/v1/admin/orders/${order.id}`, { 'x-access-reason': 'ticket 7: no code' });
    expect(life.statusCode, life.body).toBe(200);
    const body = life.json();
    expect(body.order).toMatchObject({ id: order.id, accountId: customer.accountId, phone: order.phone, provider: 'sandbox' });
    expect(body.sms).toEqual([expect.objectContaining({ code: '481516', late: false })]);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['created', 'number_assigned']));
    expect(body.events.length).toBeGreaterThanOrEqual(3);
    expect(body.ledger.map((l: { kind: string }) => l.kind)).toEqual(['hold', 'capture']);
    expect(body.ledger[1].amount).toBe(order.price);
    expect(body.webhooks.map((w: { type: string }) => w.type)).toEqual(['activation.updated', 'activation.updated', 'sms.received']);
    expect(body.webhooks[0]).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(body.providerTasks).toEqual([]);
    expect(body.providerCalls).toEqual([]); // the sandbox is not an upstream
    expect(await accessLog(customer)).toContainEqual(expect.objectContaining({ what: 'order.detail', reason: 'ticket 7: no code' }));
  });

  it('answers 404 for an unknown order', async () => {
    const missing = await get('/api/v1/admin/orders/act_00000000000000000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });
});
