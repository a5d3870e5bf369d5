import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createActor, ctxOf, deviceToken, signUp, suspend } from '../../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../../test/support/orders.ts';
import { queryRows } from '../../../../db/client.ts';
import { setProcessingRestriction } from '../../../../modules/accounts/index.ts';
import { expireDue } from '../../../../modules/activations/index.ts';
import { countryName } from '../order-view.ts';

/**
 * The 5sim-compatible user endpoints, written from 5sim's documentation (5sim.net/docs: "User",
 * "Purchase", "Order management", "Order statuses") and captures of its live answers, not from our
 * upstream adapter: the JSON a 5sim client parses, and its refusals as bare texts with their statuses.
 */
let t: TestApp;
let price: number;
const BASE = '/compat/5sim/v1';
const CANCEL_MIN_MS = 120_000;

beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', API_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '50' } });
  price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
});
afterAll(() => t?.close());

/** The REST API's id of an order that 5sim's side names by its number. */
const restId = async (number: number) => {
  const [row] = await queryRows<{ activation_id: string }>(
    t.database.db,
    sql`select activation_id from order_numbers where number = ${number}`,
  );
  return row?.activation_id as string;
};
const get = (actor: Actor | undefined, path: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `${BASE}${path}`, headers: { ...(actor ? { authorization: actor.bearer } : {}), ...headers } });
const buy = (actor: Actor, path = '/indonesia/any/telegram', headers: Record<string, string> = {}) =>
  get(actor, `/user/buy/activation${path}`, headers);
/** A 5sim refusal: its status and its bare text. */
const refusal = (response: LightMyRequestResponse) => `${response.statusCode} ${response.body}`;
const units = (credits: number) => credits / t.config.creditsPerUsd;

describe('authentication (Authorization: Bearer <API key>)', () => {
  it('answers 401 with an empty body without a token, with a bogus one, and with a session cookie only', async () => {
    const { cookie } = await signUp(t);
    for (const headers of [
      {},
      { authorization: 'Bearer eyJhbGciOiJSUzUxMiJ9.bogus.token' },
      { authorization: 'otp_live_no_scheme' },
      { cookie },
    ]) {
      const response = await t.app.inject({ method: 'GET', url: `${BASE}/user/profile`, headers });
      expect(response.statusCode, JSON.stringify(headers)).toBe(401);
      expect(response.body).toBe('');
    }
  });

  it("an app's device token is not an API key: 401 on the user endpoints (as handler_api.php answers BAD_KEY), the guest ones still answer", async () => {
    const token = await deviceToken(t);
    expect(token).toMatch(/^otp_dev_/);
    for (const path of ['/user/profile', '/user/buy/activation/indonesia/any/telegram', '/user/orders?category=activation']) {
      const response = await t.app.inject({ method: 'GET', url: `${BASE}${path}`, headers: { authorization: `Bearer ${token}` } });
      expect(`${response.statusCode} ${response.body}`, path).toBe('401 ');
    }
    const guest = await t.app.inject({ method: 'GET', url: `${BASE}/guest/countries`, headers: { authorization: `Bearer ${token}` } });
    expect(guest.statusCode).toBe(200);
  });

  it('a session cookie never buys (5sim changes orders with GET: a link from another site must not)', async () => {
    const { cookie } = await signUp(t);
    const response = await t.app.inject({ method: 'GET', url: `${BASE}/user/buy/activation/indonesia/any/telegram`, headers: { cookie } });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a suspended account with 403 in words', async () => {
    const actor = await createActor(t);
    await suspend(t, actor);
    expect(refusal(await get(actor, '/user/profile'))).toBe('403 account is suspended');
  });
});

describe('user/profile', () => {
  it("has 5sim's fields: balance and frozen_balance in the operator's currency unit, rating as the open-order cap", async () => {
    const actor = await fundedActor(t, 1000);
    const response = await get(actor, '/user/profile');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      id: actor.accountId,
      email: actor.email,
      vendor: '',
      default_forwarding_number: '',
      balance: units(1000),
      rating: 50,
      default_country: { name: '', iso: '', prefix: '' },
      default_operator: { name: '' },
      frozen_balance: 0,
    });
    await buy(actor);
    expect((await get(actor, '/user/profile')).json()).toMatchObject({ balance: units(1000 - price), frozen_balance: units(price) });
  });
});

describe('user/buy/activation/{country}/{operator}/{product}', () => {
  it('buys with 5sim names and answers the order as the docs show it: PENDING, sms null, +E.164 phone', async () => {
    const actor = await fundedActor(t, 1000);
    const response = await buy(actor);
    expect(response.statusCode).toBe(200);
    const order = response.json();
    expect(order).toEqual({
      id: expect.any(Number),
      phone: expect.stringMatching(/^\+62\d+$/),
      operator: 'any',
      product: 'telegram',
      price: units(price),
      status: 'PENDING',
      expires: expect.any(String),
      sms: null,
      created_at: expect.any(String),
      forwarding: false,
      forwarding_number: '',
      country: 'indonesia',
    });
    expect(Date.parse(order.expires) - Date.parse(order.created_at)).toBe(t.config.activationTtlS * 1000);
    // An ordinary order: the REST API lists it, with the same number.
    const listed = (await api(t, actor).list()).json().activations;
    expect(listed.map((a: { id: string; phone: string }) => [a.id, a.phone])).toEqual([[await restId(order.id), order.phone]]);
  });

  it('accepts the spelling variants clients send: any case, and the documented query flags turned off', async () => {
    const actor = await fundedActor(t, 1000);
    expect((await buy(actor, '/Indonesia/ANY/Telegram')).statusCode).toBe(200);
    expect((await buy(actor, '/indonesia/any/telegram?forwarding=0&reuse=0&voice=0&ref=abc&number=')).statusCode).toBe(200);
    expect((await buy(actor, '/indonesia/any/telegram?forwarding=false')).statusCode).toBe(200);
  });

  it("refuses bad names with 5sim's texts and status 400, and buys nothing", async () => {
    const actor = await fundedActor(t, 1000);
    expect(refusal(await buy(actor, '/atlantis/any/telegram'))).toBe('400 bad country');
    expect(refusal(await buy(actor, '/indonesia/virtual21/telegram'))).toBe('400 bad operator');
    expect(refusal(await buy(actor, '/indonesia/any/zzprobezz'))).toBe('400 no product');
    expect((await buy(actor, '/indonesia/any/zzprobezz')).headers['content-type']).toMatch(/^text\/plain/);
    expect(refusal(await buy(actor, '/indonesia/any/telegram?forwarding=1'))).toBe('400 forwarding is not supported');
    expect(refusal(await buy(actor, '/indonesia/any/telegram?voice=1'))).toBe('400 voice is not supported');
    expect(refusal(await buy(actor, '/indonesia/any/telegram?reuse=1'))).toBe('400 reuse is not supported');
    expect(refusal(await buy(actor, '/indonesia/any/telegram?maxPrice=abc'))).toBe('400 bad maxPrice');
    expect((await api(t, actor).list()).json().activations).toEqual([]);
  });

  it('not enough user balance; no free phones (also under a maxPrice below the price); not enough rating', async () => {
    const poor = await fundedActor(t, 0);
    expect(refusal(await buy(poor))).toBe('400 not enough user balance');

    const actor = await fundedActor(t, 10_000);
    const catalog = t.orders.activations.catalog;
    const empty = catalog.all().find((o) => catalog.offers(o.service, o.country).every((x) => x.count === 0) && o.service === 'tg');
    expect(empty, 'the sandbox has an out-of-stock Telegram country').toBeDefined();
    expect(refusal(await buy(actor, `/${countryName(empty?.country ?? '')}/any/telegram`))).toBe('400 no free phones');
    expect(refusal(await buy(actor, `/indonesia/any/telegram?maxPrice=${units(price - 1)}`))).toBe('400 no free phones');
    expect((await buy(actor, `/indonesia/any/telegram?maxPrice=${units(price)}`)).statusCode).toBe(200);
    // Exponent notation reads as SMS-Activate's does; a ceiling above every price is no ceiling, 1e400 too
    // (past what a double holds, still a finite amount); a word is no number.
    expect(refusal(await buy(actor, `/indonesia/any/telegram?maxPrice=${units(price - 1)}e0`))).toBe('400 no free phones');
    expect((await buy(actor, '/indonesia/any/telegram?maxPrice=1e300')).statusCode).toBe(200);
    expect((await buy(actor, '/indonesia/any/telegram?maxPrice=1e400')).statusCode).toBe(200);
    expect(refusal(await buy(actor, '/indonesia/any/telegram?maxPrice=Infinity'))).toBe('400 bad maxPrice');

    const capped = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '1' }, database: t.database });
    try {
      const one = await fundedActor(capped, 10_000);
      const inject = () =>
        capped.app.inject({
          method: 'GET',
          url: `${BASE}/user/buy/activation/indonesia/any/telegram`,
          headers: { authorization: one.bearer },
        });
      expect((await inject()).statusCode).toBe(200);
      expect(refusal(await inject())).toBe('400 not enough rating');
    } finally {
      await capped.app.close();
      await capped.orders.close();
    }
  });

  it('a retried buy with the same Idempotency-Key is one order, charged once', async () => {
    const actor = await fundedActor(t, 1000);
    const first = await buy(actor, '/indonesia/any/telegram', { 'idempotency-key': 'retry-1' });
    const again = await buy(actor, '/indonesia/any/telegram', { 'idempotency-key': 'retry-1' });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(await api(t, actor).balance()).toEqual({ available: 1000 - price, held: price });
  });

  it('says reuse is not possible (5sim re-buys a number; otpbox cannot promise one twice)', async () => {
    const actor = await fundedActor(t, 1000);
    expect(refusal(await get(actor, '/user/reuse/telegram/6281234567890'))).toBe('400 reuse not possible');
  });
});

describe('user/check, finish, cancel, ban', () => {
  it('check: RECEIVED with an empty sms list while waiting, then the SMS as 5sim shows it; finished through REST', async () => {
    const actor = await fundedActor(t, 1000);
    const order = (await buy(actor)).json();
    const waiting = (await get(actor, `/user/check/${order.id}`)).json();
    expect(waiting).toMatchObject({ id: order.id, phone: order.phone, status: 'RECEIVED', sms: [] });

    expect((await api(t, actor).sms(await restId(order.id), 'Telegram code: 12345')).statusCode).toBe(202);
    const received = (await get(actor, `/user/check/${order.id}`)).json();
    expect(received.status).toBe('RECEIVED');
    expect(received.sms).toEqual([
      { created_at: expect.any(String), date: expect.any(String), sender: 'Telegram', text: 'Telegram code: 12345', code: '12345' },
    ]);

    expect((await api(t, actor).action(await restId(order.id), 'finish')).statusCode).toBe(200);
    expect((await get(actor, `/user/check/${order.id}`)).json().status).toBe('FINISHED');
    expect(await api(t, actor).balance()).toEqual({ available: 1000 - price, held: 0 });
  });

  it('finish: "order no sms" before a code, FINISHED after, and the REST API sees it completed', async () => {
    const actor = await fundedActor(t, 1000);
    const order = (await buy(actor)).json();
    expect(refusal(await get(actor, `/user/finish/${order.id}`))).toBe('400 order no sms');
    await api(t, actor).sms(await restId(order.id), 'Your code is 777888');
    const finished = await get(actor, `/user/finish/${order.id}`);
    expect(finished.statusCode).toBe(200);
    expect(finished.json()).toMatchObject({ id: order.id, status: 'FINISHED', sms: [{ code: '777888' }] });
    expect((await api(t, actor).get(await restId(order.id))).json().status).toBe('completed');
  });

  it('cancel: refused in the early-cancel window with the wait, CANCELED after it (credits back), "order has sms" once a code came', async () => {
    const actor = await fundedActor(t, 1000);
    const order = (await buy(actor)).json();
    const early = await get(actor, `/user/cancel/${order.id}`);
    expect(refusal(early)).toBe('400 you need to wait time');
    expect(Number(early.headers['retry-after'])).toBe(CANCEL_MIN_MS / 1000);
    t.clock.advance(CANCEL_MIN_MS);
    const cancelled = await get(actor, `/user/cancel/${order.id}`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ id: order.id, status: 'CANCELED' });
    expect(await api(t, actor).balance()).toEqual({ available: 1000, held: 0 });
    expect((await api(t, actor).get(await restId(order.id))).json().status).toBe('cancelled');

    const coded = (await buy(actor)).json();
    await api(t, actor).sms(await restId(coded.id), 'Telegram code: 55555');
    t.clock.advance(CANCEL_MIN_MS);
    expect(refusal(await get(actor, `/user/cancel/${coded.id}`))).toBe('400 order has sms');
  });

  it('ban: the order is cancelled (credits back) and stays BANNED in 5sim; REST shows it cancelled', async () => {
    const actor = await fundedActor(t, 1000);
    const order = (await buy(actor)).json();
    t.clock.advance(CANCEL_MIN_MS);
    const banned = await get(actor, `/user/ban/${order.id}`);
    expect(banned.statusCode).toBe(200);
    expect(banned.json()).toMatchObject({ id: order.id, status: 'BANNED' });
    expect((await get(actor, `/user/check/${order.id}`)).json().status).toBe('BANNED');
    expect((await api(t, actor).get(await restId(order.id))).json().status).toBe('cancelled');
    expect(await api(t, actor).balance()).toEqual({ available: 1000, held: 0 });
  });

  it('TIMEOUT once the order expired; finishing or cancelling it then says "order expired"', async () => {
    const actor = await fundedActor(t, 1000);
    const order = (await buy(actor)).json();
    t.clock.advance(t.config.activationTtlS * 1000 + 1000);
    await expireDue(ctxOf(t), t.orders.activations, t.clock.now());
    expect((await get(actor, `/user/check/${order.id}`)).json().status).toBe('TIMEOUT');
    expect(refusal(await get(actor, `/user/finish/${order.id}`))).toBe('400 order expired');
    expect(refusal(await get(actor, `/user/cancel/${order.id}`))).toBe('400 order expired');
  });

  it('"order not found": 404 on check, 400 on finish, cancel and ban — for unknown ids and for another account\'s order', async () => {
    const owner = await fundedActor(t, 1000);
    const other = await fundedActor(t, 1000);
    const order = (await buy(owner)).json();
    for (const id of ['1', 'act_01jzzzzzzzzzzzzzzzzzzzzzzz', order.id]) {
      expect(refusal(await get(other, `/user/check/${id}`)), id).toBe('404 order not found');
      for (const action of ['finish', 'cancel', 'ban'])
        expect(refusal(await get(other, `/user/${action}/${id}`)), `${action} ${id}`).toBe('400 order not found');
    }
    expect((await api(t, owner).get(await restId(order.id))).json().status).toBe('waiting');
  });

  it("an order bought and finished here is in the account's event stream like any other", async () => {
    const actor = await fundedActor(t, 1000);
    const order = (await buy(actor)).json();
    await api(t, actor).sms(await restId(order.id), 'Telegram code: 13579');
    await get(actor, `/user/finish/${order.id}`);
    const events = await queryRows<{ type: string; status: string | null }>(
      t.database.db,
      sql`select type, payload->>'status' as status from account_events where account_id = ${actor.accountId} and payload->>'activationId' = ${await restId(order.id)} order by seq`,
    );
    expect(events.filter((e) => e.type === 'activation.updated').map((e) => e.status)).toEqual(['waiting', 'received', 'completed']);
    expect(events.map((e) => e.type)).toContain('sms.received');
  });

  it('an order bought through the REST API is checked and finished here', async () => {
    const actor = await fundedActor(t, 1000);
    const order = (await api(t, actor).order()).json();
    await api(t, actor).sms(order.id, 'Telegram code: 24680');
    // Its number is given the first time 5sim's side shows it: here, in the list of orders.
    const listed = (await get(actor, '/user/orders?category=activation')).json().Data;
    const number = listed.find((o: { phone: string }) => o.phone === order.phone)?.id;
    expect(number).toEqual(expect.any(Number));
    expect((await get(actor, `/user/finish/${number}`)).json()).toMatchObject({
      id: number,
      status: 'FINISHED',
      product: 'telegram',
      country: 'indonesia',
    });
  });
});

describe("ids are integers, the same numbers as SMS-Activate's side (ADR 30)", () => {
  const handlerApi = (actor: Actor, action: string, params: Record<string, string>) =>
    t.app.inject({
      method: 'GET',
      url: `/stubs/handler_api.php?${new URLSearchParams({ api_key: actor.bearer.replace(/^Bearer /, ''), action, ...params })}`,
    });

  it('an order bought here is checked by its number through getStatus, and an SMS-Activate order through user/check', async () => {
    const actor = await fundedActor(t, 1000);
    const here = (await buy(actor)).json();
    expect(Number.isSafeInteger(here.id)).toBe(true);
    expect((await handlerApi(actor, 'getStatus', { id: String(here.id) })).body).toBe('STATUS_WAIT_CODE');
    await api(t, actor).sms(await restId(here.id), 'Telegram code: 31415');
    expect((await handlerApi(actor, 'getStatus', { id: String(here.id) })).body).toBe('STATUS_OK:31415');

    const [word, number, digits] = (await handlerApi(actor, 'getNumber', { service: 'tg', country: '6' })).body.split(':');
    expect(word).toBe('ACCESS_NUMBER');
    const there = (await get(actor, `/user/check/${number}`)).json();
    expect(there).toMatchObject({ id: Number(number), status: 'RECEIVED', sms: [] });
    expect(there.phone.replace(/\D/g, '')).toBe(digits);
    expect((await get(actor, `/user/ban/${number}`)).statusCode).toBe(400); // within the early-cancel window, as any cancel
    expect((await get(actor, '/user/orders?category=activation')).json().Data.map((o: { id: number }) => o.id)).toEqual([
      here.id,
      Number(number),
    ]);
  });

  it('a path id that is not a number, or a number no order has: "order not found"', async () => {
    const actor = await fundedActor(t, 1000);
    const order = (await buy(actor)).json();
    for (const id of ['abc', (await restId(order.id)) as string, '12.5', '-1', '999999999999', '1e3']) {
      expect(refusal(await get(actor, `/user/check/${encodeURIComponent(id)}`)), id).toBe('404 order not found');
      for (const action of ['finish', 'cancel', 'ban'])
        expect(refusal(await get(actor, `/user/${action}/${encodeURIComponent(id)}`)), `${action} ${id}`).toBe('400 order not found');
    }
    expect((await get(actor, `/user/check/${order.id}`)).json()).toMatchObject({ id: order.id, status: 'RECEIVED' });
  });
});

describe('limits', () => {
  it('the per-account API rate limit applies, answered 429 with Retry-After', async () => {
    const limited = await createTestApp({ env: { API_RATE_LIMIT: '2' }, database: t.database });
    try {
      const actor = await createActor(limited);
      const inject = () => limited.app.inject({ method: 'GET', url: `${BASE}/user/profile`, headers: { authorization: actor.bearer } });
      expect((await inject()).statusCode).toBe(200);
      expect((await inject()).statusCode).toBe(200);
      const refused = await inject();
      expect(refusal(refused)).toBe('429 too many requests');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.app.close();
      await limited.orders.close();
    }
  });

  it('an account whose processing is restricted (Art. 18) buys nothing, and still reads its profile', async () => {
    const actor = await fundedActor(t, 1000);
    await setProcessingRestriction(ctxOf(t, 'cli'), actor.accountId, true, 'test restriction');
    expect(refusal(await buy(actor))).toBe('403 account is restricted');
    expect((await get(actor, '/user/profile')).statusCode).toBe(200);
    expect((await api(t, actor).list()).json().activations).toEqual([]);
  });

  it('unknown paths under the base are a plain 404', async () => {
    const actor = await createActor(t);
    expect(refusal(await get(actor, '/user/sms/inbox/1'))).toBe('404 not found');
  });
});
