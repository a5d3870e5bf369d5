import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeFivesim, startFakeFivesim } from '../../../../test/fakes/fivesim-server.ts';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { syncProviders } from '../../../../test/support/providers.ts';
import { activations } from '../../../db/schema/index.ts';
import { pollUpstream, runProviderTasks } from '../../activations/index.ts';
import { verifyLedger } from '../../ledger/index.ts';
import { addProvider } from '../add-provider.ts';

// A 5sim account connected with `providers add --kind 5sim`, driven through the HTTP API: the same
// journey as an SMS-Activate provider, over 5sim's own REST protocol (bearer token, product and
// country names, RECEIVED meaning "waiting for the SMS").

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function setup(options: { markupPercent?: string } = {}): Promise<{ t: TestApp; fake: FakeFivesim }> {
  const t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', PROVIDER_TIMEOUT_MS: '5000', CANCEL_MIN_S: '120' } });
  open.push(t);
  const fake = await startFakeFivesim();
  open.push(fake);
  await addProvider(ctxOf(t, 'cli'), {
    kind: '5sim',
    name: 'fivesim',
    baseUrl: fake.baseUrl,
    apiKey: fake.token,
    markupPercent: options.markupPercent,
  });
  await syncProviders(t);
  return { t, fake };
}

const upstreamIdOf = async (t: TestApp, id: string) =>
  (await t.database.db.select({ upstreamId: activations.upstreamId }).from(activations).where(eq(activations.id, id)))[0]?.upstreamId ?? '';
const poll = (t: TestApp) => pollUpstream(ctxOf(t), t.orders.activations, t.clock.now());
const tasks = (t: TestApp) => runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());
const calls = (fake: FakeFivesim, prefix: string) => fake.requests.filter((r) => r.path.startsWith(prefix)).map((r) => r.path);

describe('a 5sim account connected with `providers add --kind 5sim`', () => {
  it('sells its catalog, buys by 5sim names, shows the code, and finishes and cancels on 5sim', async () => {
    const { t, fake } = await setup({ markupPercent: '20' });

    // guest/prices → our catalog: usa/telegram costs 0.25 → 0.25 × 100 credits × 1.2 = 30 credits.
    const prices = (await t.app.inject({ method: 'GET', url: '/api/v1/prices?service=tg&country=US' })).json().prices;
    expect(prices).toEqual([{ service: 'tg', country: 'US', price: 30, available: 100 }]);
    // The cheaper of two operators with stock sets the price (telkomsel 1.75 beats virtual4 2.5 → 210 credits).
    const indonesia = (await t.app.inject({ method: 'GET', url: '/api/v1/prices?service=tg&country=ID' })).json().prices;
    expect(indonesia).toEqual([{ service: 'tg', country: 'ID', price: 210, available: expect.any(Number) }]);

    const user = await fundedActor(t, 1_000);
    const a = api(t, user);
    const ordered = await a.order({ service: 'tg', country: 'US' });
    expect(ordered.statusCode).toBe(201);
    const order = ordered.json();
    expect(order).toMatchObject({ service: 'tg', country: 'US', price: 30, status: 'waiting', sandbox: false });
    expect(calls(fake, '/v1/user/buy/activation/')).toEqual(['/v1/user/buy/activation/usa/any/telegram']);
    const upstreamId = await upstreamIdOf(t, order.id);
    const upstream = fake.orders.find((o) => String(o.id) === upstreamId);
    expect(upstream).toMatchObject({ status: 'RECEIVED', product: 'telegram', country: 'usa' });
    expect(order.phone).toBe(upstream?.phone);
    // The buy carried the bearer token, never as a query parameter.
    const buy = fake.requests.find((r) => r.path.startsWith('/v1/user/buy/'));
    expect(buy?.headers.authorization).toBe(`Bearer ${fake.token}`);
    expect(JSON.stringify(buy?.query)).not.toContain(fake.token);

    // RECEIVED with no SMS is still "waiting"; the SMS arrives and the poll job brings the code in.
    t.clock.advance(2_000);
    expect(await poll(t)).toMatchObject({ polled: 1, sms: 0 });
    expect((await a.get(order.id)).json()).toMatchObject({ status: 'waiting', sms: [] });
    fake.deliverSms(upstreamId, { text: 'Telegram code: 73915. Do not share it.', code: '73915' });
    t.clock.advance(2_500);
    expect(await poll(t)).toMatchObject({ polled: 1, sms: 1 });
    expect((await a.get(order.id)).json()).toMatchObject({ status: 'received', sms: [{ code: '73915' }] });
    expect(await a.balance()).toEqual({ available: 970, held: 0 });

    // Finish → user/finish/{id}.
    expect((await a.action(order.id, 'finish')).statusCode).toBe(200);
    expect(await tasks(t)).toMatchObject({ done: 1 });
    expect(fake.orders.find((o) => String(o.id) === upstreamId)?.status).toBe('FINISHED');
    expect(calls(fake, '/v1/user/finish/')).toEqual([`/v1/user/finish/${upstreamId}`]);

    // A second order without a code: cancel after the early-cancel window → user/cancel/{id}, credits back.
    const second = (await a.order({ service: 'tg', country: 'US' })).json();
    expect(await a.balance()).toEqual({ available: 940, held: 30 });
    t.clock.advance(120_000);
    expect((await a.action(second.id, 'cancel')).statusCode).toBe(200);
    expect(await tasks(t)).toMatchObject({ done: 1 });
    const secondUpstream = await upstreamIdOf(t, second.id);
    expect(fake.orders.find((o) => String(o.id) === secondUpstream)?.status).toBe('CANCELED');
    expect(await a.balance()).toEqual({ available: 970, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });

  it('says "no numbers" and charges nothing when 5sim has none', async () => {
    const { t, fake } = await setup();
    const user = await fundedActor(t, 500);
    const a = api(t, user);
    fake.setMode('no_numbers');
    const refused = await a.order({ service: 'tg', country: 'US' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('NO_NUMBERS');
    expect(await a.balance()).toEqual({ available: 500, held: 0 });
    expect(calls(fake, '/v1/user/buy/activation/')).toHaveLength(1);
  });

  it('ends an order 5sim cancelled on its side, and returns the credits', async () => {
    const { t, fake } = await setup();
    const user = await fundedActor(t, 500);
    const a = api(t, user);
    const order = (await a.order({ service: 'tg', country: 'US' })).json();
    const upstreamId = await upstreamIdOf(t, order.id);
    // 5sim cancels it (what its site's "cancel" button or a ban does); our poll sees CANCELED.
    const upstream = fake.orders.find((o) => String(o.id) === upstreamId);
    if (!upstream) throw new Error('the fake has no such order');
    upstream.status = 'CANCELED';
    t.clock.advance(2_000);
    expect(await poll(t)).toMatchObject({ polled: 1, ended: 1 });
    expect((await a.get(order.id)).json()).toMatchObject({ status: 'cancelled', sms: [] });
    expect(await a.balance()).toEqual({ available: 500, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });
});
