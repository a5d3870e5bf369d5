import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ctxOf, newDeviceCredentials } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { eventsOutsideTheTable } from '../../../../test/support/order-trail.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { connectSmsActivate } from '../../../../test/support/providers.ts';
import { activations, providers } from '../../../db/schema/index.ts';
import { pollUpstream, reconcileUpstream, runProviderTasks } from '../../activations/index.ts';
import { grantCredits, verifyLedger } from '../../ledger/index.ts';
import { removeProvider } from '../remove-provider.ts';

const ENV = { ORDER_RATE_LIMIT: '0', PROVIDER_TIMEOUT_MS: '2000', CANCEL_MIN_S: '120' };
const open: ({ close(): Promise<void> } | TestApp)[] = [];
afterEach(async () => {
  const items = open.splice(0).reverse();
  // What each test's orders wrote, ended by the provider or reconciled included, follows the state table.
  const outside = await Promise.all(items.map((item) => ('database' in item ? eventsOutsideTheTable(item.database.db) : [])));
  for (const item of items) await item.close();
  expect(outside.flat()).toEqual([]);
});

async function app(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestApp({ env: { ...ENV, ...env } });
  open.push(t);
  return t;
}

async function connect(t: TestApp, ...args: Parameters<typeof connectSmsActivate> extends [TestApp, ...infer R] ? R : never) {
  const connected = await connectSmsActivate(t, ...args);
  open.push(connected);
  return connected;
}

const tgUs = (cost: string, count = 10) => [{ country: 187, service: 'tg', cost, count }];
const upstreamIdOf = async (t: TestApp, id: string) =>
  (await t.database.db.select({ upstreamId: activations.upstreamId }).from(activations).where(eq(activations.id, id)))[0]?.upstreamId ?? '';
const poll = (t: TestApp) => pollUpstream(ctxOf(t), t.orders.activations, t.clock.now());
const tasks = (t: TestApp) => runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());
const params = (fake: { requests: { params: Record<string, string> }[] }, action: string) =>
  fake.requests.filter((r) => r.params.action === action).map((r) => r.params);

describe('an SMS-Activate provider connected with `providers add`', () => {
  it('sells its catalog with markup, buys with the right service and numeric country, delivers the code, and finishes and cancels upstream', async () => {
    const t = await app();
    expect(t.orders.activations.catalog.offers('tg', 'ID').length).toBeGreaterThan(0); // the sandbox, until a provider exists
    const { fake } = await connect(t, 'alpha', { markupPercent: '20', prices: tgUs('0.50') });

    // The catalog: cost $0.50 × 100 credits × 1.2 = 60 credits; the sandbox no longer sells.
    const prices = await t.app.inject({ method: 'GET', url: '/api/v1/prices?service=tg' });
    expect(prices.json().prices).toEqual([{ service: 'tg', country: 'US', price: 60, available: 10 }]);
    expect(t.orders.activations.catalog.offers('tg', 'ID')).toEqual([]);

    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const ordered = await a.order({ service: 'tg', country: 'US' });
    expect(ordered.statusCode).toBe(201);
    const order = ordered.json();
    expect(order).toMatchObject({ service: 'tg', country: 'US', price: 60, status: 'waiting', sandbox: false, sms: [] });
    expect(order.phone).toMatch(/^\+1\d{10}$/);
    expect(params(fake, 'getNumberV2')).toEqual([expect.objectContaining({ service: 'tg', country: '187', maxPrice: '0.6' })]);

    // The code arrives upstream; the poll job brings it in within seconds.
    const upstreamId = await upstreamIdOf(t, order.id);
    expect(fake.activations.get(upstreamId)?.phone).toBe(order.phone.slice(1));
    t.clock.advance(1_000);
    expect(await poll(t)).toMatchObject({ polled: 0 }); // the first poll is 2 s after the purchase
    fake.deliverSms(upstreamId, { text: 'Telegram code: 48213. Do not give it to anyone.', code: '48213' });
    t.clock.advance(1_000);
    expect(await poll(t)).toMatchObject({ polled: 1, sms: 1 });
    const received = (await a.get(order.id)).json();
    expect(received).toMatchObject({
      status: 'received',
      sms: [{ code: '48213', text: 'Telegram code: 48213. Do not give it to anyone.' }],
    });
    expect(await a.balance()).toEqual({ available: 940, held: 0 });

    // Polling again finds nothing new (the same message is not recorded twice).
    t.clock.advance(10_000);
    expect(await poll(t)).toMatchObject({ polled: 1, sms: 0 });
    expect((await a.get(order.id)).json().sms).toHaveLength(1);

    // Finish → setStatus 6.
    expect((await a.action(order.id, 'finish')).statusCode).toBe(200);
    expect(await tasks(t)).toMatchObject({ done: 1 });
    expect(fake.activations.get(upstreamId)?.state).toBe('finished');
    expect(params(fake, 'setStatus').at(-1)).toMatchObject({ id: upstreamId, status: '6' });

    // A second order with no code: cancel → credits back, setStatus 8.
    const second = (await a.order({ service: 'tg', country: 'US' })).json();
    t.clock.advance(120_000);
    expect((await a.action(second.id, 'cancel')).statusCode).toBe(200);
    expect(await tasks(t)).toMatchObject({ done: 1 });
    const secondUpstream = await upstreamIdOf(t, second.id);
    expect(fake.activations.get(secondUpstream)?.state).toBe('cancelled');
    expect(params(fake, 'setStatus').at(-1)).toMatchObject({ id: secondUpstream, status: '8' });
    expect(await a.balance()).toEqual({ available: 940, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });

  it('ends an order the provider ended on its side, and returns the credits', async () => {
    const t = await app();
    const { fake } = await connect(t, 'alpha', { prices: tgUs('0.50') });
    const a = api(t, await fundedActor(t, 1000));
    const order = (await a.order({ service: 'tg', country: 'US' })).json();
    fake.setState(await upstreamIdOf(t, order.id), 'cancelled');
    t.clock.advance(2_000);
    expect(await poll(t)).toMatchObject({ polled: 1, ended: 1 });
    expect((await a.get(order.id)).json()).toMatchObject({ status: 'cancelled' });
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
  });
});

describe('routing and failover', () => {
  it('goes to the next provider when the first has no numbers, and a failed order costs nothing', async () => {
    const t = await app();
    const alpha = await connect(t, 'alpha', { priority: 1, prices: tgUs('0.50') });
    const beta = await connect(t, 'beta', { priority: 2, prices: tgUs('0.50') });
    alpha.fake.setMode('no_numbers');
    const a = api(t, await fundedActor(t, 1000));
    const ordered = await a.order({ service: 'tg', country: 'US' });
    expect(ordered.statusCode).toBe(201);
    expect(params(alpha.fake, 'getNumberV2')).toHaveLength(1);
    expect(params(beta.fake, 'getNumberV2')).toHaveLength(1);
    expect(beta.fake.activations.size).toBe(1);
    expect(await a.balance()).toEqual({ available: 950, held: 50 });

    beta.fake.setMode('no_numbers');
    const refused = await a.order({ service: 'tg', country: 'US' });
    expect(refused.statusCode).toBe(409);
    expect(code(refused)).toBe('NO_NUMBERS');
    expect(await a.balance()).toEqual({ available: 950, held: 50 });
    const failed = (await a.list('?status=failed')).json().activations;
    expect(failed).toHaveLength(1);

    // Down rather than empty: 503, still nothing charged.
    alpha.fake.setMode('down', { down: '503' });
    beta.fake.setMode('garbage');
    const down = await a.order({ service: 'tg', country: 'US' });
    expect(down.statusCode).toBe(503);
    expect(code(down)).toBe('PROVIDER_UNAVAILABLE');
    expect(await a.balance()).toEqual({ available: 950, held: 50 });
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });

  it('keeps a catalog whose stock count is past what the database holds: capped, the sync not failed', async () => {
    const t = await app();
    await connect(t, 'alpha', { prices: [...tgUs('0.50', 1e15), { country: 6, service: 'wa', cost: '0.20', count: 3 }] });
    const prices = (await t.app.inject({ method: 'GET', url: '/api/v1/prices' })).json().prices as { service: string; available: number }[];
    expect(prices.map((p) => [p.service, p.available]).sort()).toEqual([
      ['tg', 2_147_483_647],
      ['wa', 3],
    ]);
  });

  it('refuses a sale whose activation id another order holds: no 500, the next provider sells, nothing cancelled upstream', async () => {
    const t = await app();
    const { fake: first } = await connect(t, 'alpha', { prices: tgUs('0.50') });
    const { fake: second } = await connect(t, 'beta', { prices: tgUs('0.80') });
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const held = (await a.order({ service: 'tg', country: 'US' })).json();
    const heldId = await upstreamIdOf(t, held.id);
    // The cheaper provider now answers every buy with that same activation id.
    first.scriptReply('getNumber', `ACCESS_NUMBER:${heldId}:12025550123`);
    first.scriptReply('getNumberV2', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        activationId: Number(heldId),
        phoneNumber: '12025550123',
        activationCost: 0.5,
        currency: 840,
        countryCode: '187',
        canGetAnotherSms: '1',
        activationTime: '2026-12-07 12:00:00',
        activationOperator: 'any',
      }),
    });
    const again = await a.order({ service: 'tg', country: 'US', maxPrice: 100 });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().price).toBe(80);
    expect(params(second, 'getNumberV2').length + params(second, 'getNumber').length).toBe(1);
    // The held order's number is not cancelled upstream by mistake.
    await tasks(t);
    expect(params(first, 'setStatus').filter((p) => p.id === heldId)).toEqual([]);
    expect((await a.get(held.id)).json().status).toBe('waiting');
  });

  it('fails over to a dearer provider only within the maximum the customer gave, and charges what was sold', async () => {
    const t = await app();
    const cheap = await connect(t, 'cheap', { prices: tgUs('0.50') });
    const dear = await connect(t, 'dear', { prices: tgUs('0.80') });
    cheap.fake.setMode('no_numbers');
    const a = api(t, await fundedActor(t, 1000));

    // No maximum: the customer agreed to 50 credits, so the 80-credit provider is not asked.
    const refused = await a.order({ service: 'tg', country: 'US' });
    expect(code(refused)).toBe('NO_NUMBERS');
    expect(params(dear.fake, 'getNumberV2')).toHaveLength(0);

    // Up to 100: the dearer one sells, at its price.
    const ordered = await a.order({ service: 'tg', country: 'US', maxPrice: 100 });
    expect(ordered.statusCode).toBe(201);
    expect(ordered.json()).toMatchObject({ price: 80 });
    expect(await a.balance()).toEqual({ available: 920, held: 80 });
    const upstreamId = await upstreamIdOf(t, ordered.json().id);
    dear.fake.deliverSms(upstreamId, { text: 'Your code is 777111', code: '777111' });
    t.clock.advance(2_000);
    await poll(t);
    expect(await a.balance()).toEqual({ available: 920, held: 0 });

    // Below the cheapest price: refused before anything is held.
    const tooLow = await a.order({ service: 'tg', country: 'US', maxPrice: 40 });
    expect(code(tooLow)).toBe('PRICE_ABOVE_MAX');

    // Not enough credits for the dearer fallback: it holds the best price and tries only what that buys.
    const poor = api(t, await fundedActor(t, 60));
    const limited = await poor.order({ service: 'tg', country: 'US', maxPrice: 100 });
    expect(code(limited)).toBe('NO_NUMBERS');
    expect(await poor.balance()).toEqual({ available: 60, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });

  it('opens the circuit of a provider that keeps failing, skips it, and probes it again later', async () => {
    const t = await app();
    const alpha = await connect(t, 'alpha', { priority: 1, prices: tgUs('0.50', 100) });
    const beta = await connect(t, 'beta', { priority: 2, prices: tgUs('0.50', 100) });
    alpha.fake.setMode('down', { down: '503' });
    const a = api(t, await fundedActor(t, 10_000));
    const alphaBuys = () => alpha.fake.requests.filter((r) => r.params.action?.startsWith('getNumber')).length;
    for (let i = 0; i < 5; i++) expect((await a.order({ service: 'tg', country: 'US' })).statusCode).toBe(201);
    expect(alphaBuys()).toBe(5);
    expect(beta.fake.activations.size).toBe(5);
    expect(t.orders.providers.port('alpha')?.breaker.state).toBe('open');

    // Open: alpha is not asked at all; beta sells.
    expect((await a.order({ service: 'tg', country: 'US' })).statusCode).toBe(201);
    expect(alphaBuys()).toBe(5);
    expect(beta.fake.activations.size).toBe(6);
    const metrics = await t.metrics.registry.getSingleMetricAsString('otpbox_provider_circuit_state');
    expect(metrics).toMatch(/provider="alpha"[^\n]* 2/);
    await expect
      .poll(async () => (await t.database.db.select().from(providers).where(eq(providers.name, 'alpha')))[0]?.health)
      .toBe('circuit_open');

    // After the pause one probe goes through; alpha is back, so the circuit closes and alpha sells again.
    alpha.fake.setMode('normal');
    t.clock.advance(30_000);
    expect(t.orders.providers.port('alpha')?.breaker.state).toBe('half_open');
    expect((await a.order({ service: 'tg', country: 'US' })).statusCode).toBe(201);
    expect(alphaBuys()).toBe(6);
    expect(alpha.fake.activations.size).toBe(1);
    expect(t.orders.providers.port('alpha')?.breaker.state).toBe('closed');
  });
});

describe('pushed SMS', () => {
  it('accepts a push with the right token for an order the provider sold, and nothing else', async () => {
    const t = await app();
    // V1 status replies: a poll sees only the code, a push brings the text too.
    const alpha = await connect(t, 'alpha', { v2: 'v1', prices: tgUs('0.50') });
    const beta = await connect(t, 'beta', { prices: [{ country: 6, service: 'wa', cost: '0.25', count: 5 }] });
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const a = api(t, await fundedActor(t, 1000));
    const order = (await a.order({ service: 'tg', country: 'US' })).json();
    const upstreamId = await upstreamIdOf(t, order.id);
    // beta's order carries the same upstream id (ids are per provider): a push to alpha must not touch it.
    const b = api(t, await fundedActor(t, 1000));
    const betaOrder = (await b.order({ service: 'wa', country: 'ID' })).json();
    expect(await upstreamIdOf(t, betaOrder.id)).toBe(upstreamId);
    alpha.fake.deliverSms(upstreamId, { text: 'Telegram code 55321', code: '55321' });
    const url = `${base}/webhooks/providers/alpha?token=${alpha.pushToken}`;

    expect(await alpha.fake.pushSms(`${base}/webhooks/providers/alpha?token=wrong`, upstreamId)).toBe(401);
    expect(await alpha.fake.pushSms(`${base}/webhooks/providers/alpha`, upstreamId)).toBe(401);
    expect(await alpha.fake.pushSms(`${base}/webhooks/providers/alpha?token=${beta.pushToken}`, upstreamId)).toBe(401);
    expect(await alpha.fake.pushSms(`${base}/webhooks/providers/nobody?token=${alpha.pushToken}`, upstreamId)).toBe(404);
    expect((await a.get(order.id)).json().status).toBe('waiting');

    expect(await alpha.fake.pushSms(url, upstreamId)).toBe(200);
    expect((await a.get(order.id)).json()).toMatchObject({ status: 'received', sms: [{ code: '55321', text: 'Telegram code 55321' }] });
    expect((await b.get(betaOrder.id)).json()).toMatchObject({ status: 'waiting', sms: [] });
    // The same push again, and the same SMS polled (code only, V1 style): one message.
    expect(await alpha.fake.pushSms(url, upstreamId)).toBe(200);
    t.clock.advance(2_000);
    await poll(t);
    expect((await a.get(order.id)).json().sms).toHaveLength(1);
    expect(t.orders.providers.pushes('alpha')).toBe(true);

    const unknown = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ activationId: 999_999, service: 'tg', text: 'code 1111', code: '1111', country: 187, receivedAt: null }),
    });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ received: 0, ignored: 1 });
    const garbage = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":1}' });
    expect(garbage.status).toBe(400);
    // A form-encoded push (some clones) is read too.
    const form = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ activationId: upstreamId, code: '99881', text: 'Telegram code 99881' }).toString(),
    });
    expect(await form.json()).toEqual({ received: 1, ignored: 0 });
  });
});

describe('reconciliation', () => {
  it('cancels upstream a number bought for an order that failed on our side, and leaves other numbers alone', async () => {
    const t = await app();
    const alpha = await connect(t, 'alpha', { prices: [...tgUs('0.50'), { country: 6, service: 'wa', cost: '0.25', count: 5 }] });
    const a = api(t, await fundedActor(t, 1000));
    // The provider sells the number but answers after our timeout: the order fails, nothing charged…
    alpha.fake.setMode('slow', { delayMs: 4_500 });
    const failed = await a.order({ service: 'tg', country: 'US' });
    expect(code(failed)).toBe('PROVIDER_UNAVAILABLE');
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
    // …but upstream the number is ours and open. Another number bought by hand on the account, too.
    await new Promise((resolve) => setTimeout(resolve, 4_600));
    alpha.fake.setMode('normal');
    expect(alpha.fake.activations.size).toBe(1);
    const byHand = await fetch(
      `${alpha.fake.baseUrl}/stubs/handler_api.php?api_key=${alpha.fake.apiKey}&action=getNumber&service=wa&country=6`,
    );
    expect(await byHand.text()).toMatch(/^ACCESS_NUMBER:/);

    const reconcile = () => reconcileUpstream(ctxOf(t), t.orders.activations, t.clock.now(), suspects);
    const suspects = new Map<string, number>();
    expect(await reconcile()).toMatchObject({ interrupted: 1, unknown: 2, cancelled: 0 }); // first sighting
    t.clock.advance(31_000);
    expect(await reconcile()).toMatchObject({ cancelled: 1 });
    expect(await tasks(t)).toMatchObject({ done: 1 });
    const states = [...alpha.fake.activations.values()].map((act) => [act.service, act.state]);
    expect(states).toEqual([
      ['tg', 'cancelled'],
      ['wa', 'waiting'],
    ]);
    expect(await reconcile()).toMatchObject({ interrupted: 0 });
    const [row] = await t.database.db
      .select()
      .from(activations)
      .where(eq(activations.id, (await a.list('?status=failed')).json().activations[0].id));
    expect(row).toMatchObject({ status: 'failed', provider: 'alpha', upstreamId: [...alpha.fake.activations.keys()][0] });
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
  });
});

describe('privacy (P7)', () => {
  it('sends providers only service, country and price limits: no e-mail, account, device, IP or browser of the customer', async () => {
    const t = await app();
    const alpha = await connect(t, 'alpha', { prices: [...tgUs('0.50'), { country: 6, service: 'wa', cost: '0.25', count: 5 }] });
    const email = `private-${Date.now()}@example.com`;
    const ip = '198.51.100.77';
    const userAgent = 'Mozilla/5.0 (PrivacyProbe 9.9)';
    const { deviceId, deviceSecret } = newDeviceCredentials();
    const signup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password: 'correct horse battery staple 42', ageConfirmed: true, policyVersion: t.policy.version },
      remoteAddress: ip,
      headers: { 'user-agent': userAgent },
    });
    const webAccount = signup.json().accountId as string;
    const device = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/device',
      payload: {
        deviceId,
        deviceSecret,
        platform: 'android',
        osVersion: '15',
        model: 'Pixel 9',
        appVersion: '1.2.3',
        ageConfirmed: true,
        policyVersion: t.policy.version,
      },
      remoteAddress: ip,
      headers: { 'user-agent': userAgent },
    });
    const { token, accountId: deviceAccount } = device.json() as { token: string; accountId: string };
    for (const accountId of [webAccount, deviceAccount])
      await grantCredits(ctxOf(t, 'cli'), { accountId, amount: 500, reason: 'test', idempotencyKey: `p7:${accountId}` });
    const cookie = signup.headers['set-cookie'];
    const sessionCookie = (Array.isArray(cookie) ? cookie : [cookie ?? '']).map((c) => c.split(';')[0]).join('; ');

    const asWeb = { cookie: sessionCookie, 'content-type': 'application/json', 'user-agent': userAgent };
    const asDevice = { authorization: `Bearer ${token}`, 'user-agent': userAgent };
    const order = async (headers: Record<string, string>, body: Record<string, unknown>) =>
      (await t.app.inject({ method: 'POST', url: '/api/v1/activations', headers, payload: body, remoteAddress: ip })).json();
    const act = (headers: Record<string, string>, id: string, action: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/activations/${id}/${action}`, headers, payload: {}, remoteAddress: ip });

    const web = await order(asWeb, { service: 'tg', country: 'US', maxPrice: 80 });
    const mobile = await order(asDevice, { service: 'wa', country: 'ID' });
    expect([web.status, mobile.status]).toEqual(['waiting', 'waiting']);
    alpha.fake.deliverSms(await upstreamIdOf(t, web.id), { text: 'Telegram code 10101', code: '10101' });
    t.clock.advance(2_000);
    await poll(t);
    expect((await act(asWeb, web.id, 'retry')).statusCode).toBe(200);
    await tasks(t);
    expect((await act(asWeb, web.id, 'finish')).statusCode).toBe(200);
    t.clock.advance(120_000);
    expect((await act(asDevice, mobile.id, 'cancel')).statusCode).toBe(200);
    await tasks(t);
    await t.orders.providers.syncAll(t.clock.now());
    await reconcileUpstream(ctxOf(t), t.orders.activations, t.clock.now(), new Map());

    const requests = alpha.fake.requests;
    expect(requests.map((r) => r.params.action)).toEqual(
      expect.arrayContaining(['getNumberV2', 'getStatusV2', 'setStatus', 'getPrices', 'getBalance']),
    );
    const allowed = new Set(['action', 'api_key', 'service', 'country', 'maxPrice', 'id', 'status']);
    const secrets = [
      email,
      email.split('@')[0] as string,
      webAccount,
      deviceAccount,
      deviceId,
      deviceSecret,
      ip,
      userAgent,
      'PrivacyProbe',
      'Pixel 9',
      token,
    ];
    for (const request of requests) {
      for (const key of Object.keys(request.params)) expect(allowed, `parameter ${key} in ${request.params.action}`).toContain(key);
      const everything = JSON.stringify([request.path, request.query, request.form, request.headers]);
      for (const secret of secrets) expect(everything, `${request.params.action} carries ${secret}`).not.toContain(secret);
      expect(request.headers['x-forwarded-for']).toBeUndefined();
    }
  });
});

describe('metrics of providers', () => {
  it('reports each provider’s circuit, offers and balance, and forgets the gauges of a removed one', async () => {
    const t = await app();
    await connect(t, 'alpha', { prices: tgUs('0.50') });
    const metrics = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const before = await metrics();
    expect(before).toMatch(/^otpbox_provider_circuit_state\{provider="alpha"[^}]*\} 0$/m);
    expect(before).toMatch(/^otpbox_provider_offers\{provider="alpha"[^}]*\} 1$/m);
    expect(before).toMatch(/^otpbox_provider_balance\{provider="alpha",currency="USD"[^}]*\} \d+/m);

    await removeProvider(ctxOf(t, 'cli'), 'alpha');
    await t.orders.providers.reload('providers');
    const after = await metrics();
    expect(after).not.toMatch(/^otpbox_provider_(circuit_state|offers|balance|low_balance)\{provider="alpha"/m);
    // Counters keep their history: the calls made to it are still counted.
    expect(after).toMatch(/^otpbox_provider_calls_total\{provider="alpha",/m);
  });
});
