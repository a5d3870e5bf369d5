import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ctxOf, suspend } from '../../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../../test/support/orders.ts';
import { createApiKey, revokeApiKey } from '../../../../modules/accounts/index.ts';
import { isText, keyOf, protocol, restOrderOf } from './support.ts';

/**
 * `handler_api.php` as SMS-Activate's own documentation (sms-activate.org/en/api2, and the clones that
 * copied it: sms-online.pro, sms.online, smsverified) describes it: texts with HTTP 200 for answers and
 * refusals alike, JSON for the V2 and catalogue actions. Written from those pages, not from our adapter.
 */
let t: TestApp;
let price: number;
const SMS_ID = 6; // Indonesia in SMS-Activate's country table.

beforeAll(async () => {
  t = await createTestApp();
  price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
  expect(price).toBeGreaterThan(0);
});
afterAll(() => t?.close());

const units = (credits: number) => (credits / t.config.creditsPerUsd).toFixed(2);

describe('keys and actions', () => {
  it('getBalance answers ACCESS_BALANCE with the credits in currency units (CREDITS_PER_USD credits = 1.00)', async () => {
    const user = await fundedActor(t, 1234);
    const response = await protocol(t, user).call('getBalance');
    expect(response.statusCode).toBe(200);
    expect(isText(response)).toBe(true);
    expect(response.body).toBe('ACCESS_BALANCE:12.34');
    expect((await protocol(t, user).call('getBalanceAndCashBack')).body).toBe('ACCESS_BALANCE:12.34');
  });

  it('BAD_KEY for a missing, mistyped, revoked or non-API-key credential, with HTTP 200 as the protocol does', async () => {
    const user = await createActor(t);
    const missing = await t.app.inject({ method: 'GET', url: '/stubs/handler_api.php?action=getBalance' });
    expect([missing.statusCode, missing.body]).toEqual([200, 'BAD_KEY']);
    expect((await protocol(t, 'otp_live_notakey').call('getBalance')).body).toBe('BAD_KEY');
    expect((await protocol(t, `${keyOf(user)}x`).call('getBalance')).body).toBe('BAD_KEY');
    const extra = await createApiKey(ctxOf(t), user.accountId, 'revoked');
    await revokeApiKey(ctxOf(t), user.accountId, extra.id);
    expect((await protocol(t, extra.key).call('getBalance')).body).toBe('BAD_KEY');
  });

  it('BAD_ACTION for an unknown or missing action (and for names of JavaScript objects)', async () => {
    const user = await createActor(t);
    for (const action of ['getNothing', '', 'constructor', '__proto__', 'toString']) {
      const response = await protocol(t, user).call(action);
      expect([response.statusCode, response.body], action).toEqual([200, 'BAD_ACTION']);
    }
    const none = await t.app.inject({ method: 'GET', url: `/stubs/handler_api.php?api_key=${keyOf(user)}` });
    expect(none.body).toBe('BAD_ACTION');
  });

  it('a suspended account is BANNED:<date> on every action', async () => {
    const user = await fundedActor(t, price * 2);
    expect((await protocol(t, user).call('getBalance')).body).toMatch(/^ACCESS_BALANCE:/);
    await suspend(t, user);
    for (const action of ['getBalance', 'getNumber', 'getPrices']) {
      expect((await protocol(t, user).call(action, { service: 'tg', country: SMS_ID })).body).toMatch(
        /^BANNED:\d{4}-\d{1,2}-\d{1,2} \d{1,2}-\d{2}-\d{2}$/,
      );
    }
  });
});

describe('parameter spellings', () => {
  it('api_key and the rest in a form body (POST application/x-www-form-urlencoded)', async () => {
    const user = await fundedActor(t, 500);
    const response = await t.app.inject({
      method: 'POST',
      url: '/stubs/handler_api.php',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `api_key=${encodeURIComponent(keyOf(user))}&action=getBalance`,
    });
    expect([response.statusCode, response.body]).toEqual([200, 'ACCESS_BALANCE:5.00']);
    // A repeated field counts once, its first value, as in the query string.
    const repeated = await t.app.inject({
      method: 'POST',
      url: '/stubs/handler_api.php',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `api_key=${encodeURIComponent(keyOf(user))}&action=getBalance&action=getNumber`,
    });
    expect([repeated.statusCode, repeated.body]).toEqual([200, 'ACCESS_BALANCE:5.00']);
  });

  it('a JSON body, the key in the query and the action in the body, numbers as 0 or "0"', async () => {
    const user = await fundedActor(t, price * 4);
    const asJson = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: `/stubs/handler_api.php?api_key=${keyOf(user)}`, payload });
    const numberCountry = (await asJson({ action: 'getNumber', service: 'tg', country: SMS_ID })).body;
    const stringCountry = (await asJson({ action: 'getNumber', service: 'tg', country: String(SMS_ID) })).body;
    expect(numberCountry).toMatch(/^ACCESS_NUMBER:\d+:\d+$/);
    expect(stringCountry).toMatch(/^ACCESS_NUMBER:\d+:\d+$/);
    const id = numberCountry.split(':')[1] as string;
    expect((await asJson({ action: 'getStatus', id: Number(id) })).body).toBe('STATUS_WAIT_CODE');
    expect((await asJson({ action: 'getStatus', id })).body).toBe('STATUS_WAIT_CODE');
    // The string "0" and the number 0 are one id: no order has it.
    expect((await asJson({ action: 'getStatus', id: 0 })).body).toBe('NO_ACTIVATION');
    expect((await asJson({ action: 'getStatus', id: '0' })).body).toBe('NO_ACTIVATION');
  });

  it('a body that cannot be read is answered in the protocol (BAD_REQUEST), JSON elsewhere is unchanged', async () => {
    const user = await createActor(t);
    const multipart = await t.app.inject({
      method: 'POST',
      url: `/stubs/handler_api.php?api_key=${keyOf(user)}&action=getBalance`,
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(multipart.statusCode).toBe(415);
    expect(multipart.body).toMatch(/^BAD_REQUEST:/);
    const formElsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/v1/activations',
      headers: { authorization: user.bearer, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'service=tg&country=ID',
    });
    expect(formElsewhere.statusCode).toBe(415);
  });

  it('a malformed request is the client’s mistake: 4xx BAD_REQUEST:<why>, never 500 SERVER_ERROR (a client would retry it for ever)', async () => {
    const user = await createActor(t);
    const url = `/stubs/handler_api.php?api_key=${keyOf(user)}&action=getBalance`;
    const json = { 'content-type': 'application/json' };
    const malformed = [
      { what: 'truncated JSON', headers: json, payload: '{"api_key":' },
      { what: 'a __proto__ key', headers: json, payload: '{"__proto__":{"x":1}}' },
      { what: 'constructor.prototype', headers: json, payload: '{"constructor":{"prototype":{"x":1}}}' },
      { what: 'a compressed body', headers: { ...json, 'content-encoding': 'gzip' }, payload: '{}' },
      { what: 'JSON in UTF-16', headers: { 'content-type': 'application/json; charset=utf-16' }, payload: '{}' },
    ];
    for (const { what, headers, payload } of malformed) {
      const response = await t.app.inject({ method: 'POST', url, headers, payload });
      expect(response.statusCode, what).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, what).toBeLessThan(500);
      expect(response.body, what).toMatch(/^BAD_REQUEST:\S/);
    }
    // An empty JSON body is no body, not a malformed one: the parameters in the query are read as usual.
    const empty = await t.app.inject({ method: 'POST', url, headers: json, payload: '' });
    expect([empty.statusCode, empty.body]).toEqual([200, 'ACCESS_BALANCE:0.00']);
    const funded = await fundedActor(t, price * 2);
    for (const key of ['a b', 'k'.repeat(300)]) {
      for (const action of ['getNumber', 'getNumberV2']) {
        const response = await protocol(t, funded).call(action, { service: 'tg', country: SMS_ID }, { 'idempotency-key': key });
        expect(response.statusCode, `${action} ${key.length}`).toBe(400);
        expect(response.body).toBe('BAD_REQUEST:Idempotency-Key: 1 to 255 printable ASCII characters, without spaces.');
      }
    }
    // Nothing was bought by the refused requests.
    expect(await api(t, funded).balance()).toEqual({ available: price * 2, held: 0 });
  });
});

describe('an order through the protocol is an ordinary order', () => {
  it('buy, code, another code, finish: the answers a client parses, and the same order in the REST API', async () => {
    const user = await fundedActor(t, price * 3);
    const client = protocol(t, user);
    const rest = api(t, user);
    const bought = await client.getNumber({ service: 'tg', country: SMS_ID, operator: 'any', ref: 'x', maxPrice: units(price) });
    expect(bought.word).toBe('ACCESS_NUMBER');
    expect(bought.id).toMatch(/^\d+$/);
    expect(bought.phone).toMatch(/^\d{8,15}$/);
    const order = await restOrderOf(t, user, bought.phone);
    expect(order.status).toBe('waiting');
    expect(await rest.balance()).toEqual({ available: price * 2, held: price });

    expect(await client.setStatus(bought.id, 1)).toBe('ACCESS_READY');
    expect(await client.status(bought.id)).toBe('STATUS_WAIT_CODE');
    expect(await client.setStatus(bought.id, 6)).toBe('BAD_STATUS');
    expect(await client.setStatus(bought.id, 3)).toBe('BAD_STATUS');

    expect((await rest.sms(order.id, 'Telegram code: 41723')).statusCode).toBeLessThan(300);
    expect(await client.status(bought.id)).toBe('STATUS_OK:41723');
    expect(await client.setStatus(bought.id, 8)).toBe('BAD_STATUS');
    expect(await client.setStatus(bought.id, 3)).toBe('ACCESS_RETRY_GET');
    expect(await client.status(bought.id)).toBe('STATUS_WAIT_RETRY:41723');
    await rest.sms(order.id, 'Telegram code: 55018');
    expect(await client.status(bought.id)).toBe('STATUS_OK:55018');
    expect(await client.setStatus(bought.id, 6)).toBe('ACCESS_ACTIVATION');
    expect((await rest.get(order.id)).json().status).toBe('completed');
    expect(await client.status(bought.id)).toBe('STATUS_OK:55018');
    expect(await rest.balance()).toEqual({ available: price * 2, held: 0 });
    expect((await client.call('getBalance')).body).toBe(`ACCESS_BALANCE:${units(price * 2)}`);
  });

  it('cancel: EARLY_CANCEL_DENIED before CANCEL_MIN_S, then ACCESS_CANCEL with the credits back, STATUS_CANCEL after', async () => {
    const user = await fundedActor(t, price);
    const client = protocol(t, user);
    const bought = await client.getNumber();
    expect(await client.setStatus(bought.id, 8)).toBe('EARLY_CANCEL_DENIED');
    t.clock.advance(t.config.cancelMinS * 1000);
    expect(await client.setStatus(bought.id, 8)).toBe('ACCESS_CANCEL');
    expect(await client.status(bought.id)).toBe('STATUS_CANCEL');
    expect(await client.setStatus(bought.id, 3)).toBe('BAD_STATUS');
    expect(await api(t, user).balance()).toEqual({ available: price, held: 0 });
    expect((await restOrderOf(t, user, bought.phone)).status).toBe('cancelled');
  });

  it('the legacy status -1 cancels too', async () => {
    const user = await fundedActor(t, price);
    const client = protocol(t, user);
    const bought = await client.getNumber();
    t.clock.advance(t.config.cancelMinS * 1000);
    expect(await client.setStatus(bought.id, -1)).toBe('ACCESS_CANCEL');
  });

  it('an order placed through REST is numbered on first sight and finished through the protocol', async () => {
    const user = await fundedActor(t, price);
    const rest = api(t, user);
    const client = protocol(t, user);
    expect((await client.call('getActiveActivations')).body).toBe('NO_ACTIVATIONS');
    const order = (await rest.order()).json();
    await rest.sms(order.id, 'Your Telegram code is 90817');
    const active = (await client.call('getActiveActivations')).json();
    expect(active.status).toBe('success');
    expect(active.activeActivations).toHaveLength(1);
    const [listed] = active.activeActivations;
    expect(listed).toMatchObject({
      serviceCode: 'tg',
      phoneNumber: order.phone.replace(/\D/g, ''),
      activationCost: Number(units(price)),
      smsCode: ['90817'],
      smsText: 'Your Telegram code is 90817',
      countryCode: String(SMS_ID),
      canGetAnotherSms: '1',
    });
    expect(listed.activationId).toMatch(/^\d+$/);
    expect(listed.activationTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // The same number every time it is shown.
    expect((await client.call('getActiveActivations')).json().activeActivations[0].activationId).toBe(listed.activationId);
    expect(await client.setStatus(listed.activationId, 6)).toBe('ACCESS_ACTIVATION');
    expect((await rest.get(order.id)).json().status).toBe('completed');
    expect((await client.call('getActiveActivations')).body).toBe('NO_ACTIVATIONS');
  });

  it("another account's order, an unknown number and a malformed id are refused without saying whose", async () => {
    const owner = await fundedActor(t, price);
    const other = await createActor(t);
    const bought = await protocol(t, owner).getNumber();
    const stranger = protocol(t, other);
    expect(await stranger.status(bought.id)).toBe('NO_ACTIVATION');
    expect(await stranger.setStatus(bought.id, 8)).toBe('NO_ACTIVATION');
    expect(await stranger.setStatus(bought.id, 5)).toBe('NO_ACTIVATION');
    expect(await stranger.status('999999999999')).toBe('NO_ACTIVATION');
    expect(await stranger.setStatus('999999999999', 6)).toBe('NO_ACTIVATION');
    expect(await stranger.setStatus('act_123', 6)).toBe('WRONG_ACTIVATION_ID');
    expect(await stranger.setStatus('', 6)).toBe('WRONG_ACTIVATION_ID');
    expect(await stranger.status('abc')).toBe('NO_ACTIVATION');
    expect(await protocol(t, owner).setStatus(bought.id, 5)).toBe('BAD_STATUS');
    expect(await protocol(t, owner).setStatus(bought.id, '')).toBe('BAD_STATUS');
  });
});

describe('getNumber refusals', () => {
  it('BAD_SERVICE, BAD_COUNTRY, NO_BALANCE, WRONG_MAX_PRICE:<min>, NO_NUMBERS — and nothing is charged', async () => {
    const poor = await createActor(t);
    const client = protocol(t, poor);
    expect((await client.getNumber({ country: SMS_ID })).response.body).toBe('BAD_SERVICE');
    expect((await client.getNumber({ service: 'zzzz', country: SMS_ID })).response.body).toBe('BAD_SERVICE');
    expect((await client.getNumber({ service: 'tg', country: 9999 })).response.body).toBe('BAD_COUNTRY');
    expect((await client.getNumber({ service: 'tg', country: 'x' })).response.body).toBe('BAD_COUNTRY');
    expect((await client.getNumber()).response.body).toBe('NO_BALANCE');

    const rich = await fundedActor(t, price * 10);
    const buyer = protocol(t, rich);
    expect((await buyer.getNumber({ service: 'tg', country: SMS_ID, maxPrice: '0.001' })).response.body).toBe(
      `WRONG_MAX_PRICE:${units(price)}`,
    );
    expect((await buyer.getNumber({ service: 'tg', country: SMS_ID, maxPrice: 'cheap' })).response.body).toBe(
      `WRONG_MAX_PRICE:${units(price)}`,
    );
    // A ceiling in exponent notation, as some clients send it, is a ceiling (well above the price here).
    const scientific = protocol(t, await fundedActor(t, price));
    expect((await scientific.getNumber({ service: 'tg', country: SMS_ID, maxPrice: '1e5' })).response.body).toMatch(/^ACCESS_NUMBER:/);
    const unsold = [...Array(205).keys()].find(
      (id) => id !== 12 && t.orders.activations.catalog.all().every((o) => o.service !== 'tg' || o.country !== isoOf(id)),
    );
    expect(unsold).toBeDefined();
    expect((await buyer.getNumber({ service: 'tg', country: unsold as number })).response.body).toBe('NO_NUMBERS');
    expect(await api(t, rich).balance()).toEqual({ available: price * 10, held: 0 });
  });

  it('the abuse limit on open orders is CHANNELS_LIMIT', async () => {
    const limited = await createTestApp({ env: { MAX_ACTIVE_ACTIVATIONS: '1' }, database: t.database });
    try {
      const user = await fundedActor(limited, price * 3);
      expect((await protocol(limited, user).getNumber()).word).toBe('ACCESS_NUMBER');
      expect((await protocol(limited, user).getNumber()).response.body).toBe('CHANNELS_LIMIT');
    } finally {
      await limited.close();
    }
  });

  it('the API rate limit applies per key: 429 RATE_LIMIT with Retry-After', async () => {
    const limited = await createTestApp({ env: { API_RATE_LIMIT: '3' }, database: t.database });
    try {
      const user = await createActor(limited);
      for (let i = 0; i < 3; i++) expect((await protocol(limited, user).call('getBalance')).statusCode).toBe(200);
      const refused = await protocol(limited, user).call('getBalance');
      expect([refused.statusCode, refused.body]).toEqual([429, 'RATE_LIMIT']);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('V2 actions', () => {
  it('getNumberV2 and getStatusV2 answer the documented JSON', async () => {
    const user = await fundedActor(t, price);
    const client = protocol(t, user);
    const response = await client.call('getNumberV2', { service: 'tg', country: SMS_ID });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const bought = response.json();
    expect(Object.keys(bought).sort()).toEqual(
      ['activationCost', 'activationId', 'activationOperator', 'activationTime', 'canGetAnotherSms', 'countryCode', 'phoneNumber'].sort(),
    );
    expect(typeof bought.activationId).toBe('number');
    expect(bought.phoneNumber).toMatch(/^\d+$/);
    expect(bought.activationCost).toBe(units(price));
    expect(bought.countryCode).toBe(String(SMS_ID));
    expect(bought.canGetAnotherSms).toBe('1');
    expect(bought.activationTime).toBe('2026-06-01 12:00:00'.slice(0, 11) + bought.activationTime.slice(11));

    const waiting = (await client.call('getStatusV2', { id: bought.activationId })).json();
    expect(waiting).toEqual({ verificationType: 0, sms: null, call: null });
    const order = await restOrderOf(t, user, bought.phoneNumber);
    await api(t, user).sms(order.id, 'Telegram code 66120. Do not share it.');
    const received = (await client.call('getStatusV2', { id: bought.activationId })).json();
    expect(received.sms).toMatchObject({ code: '66120', text: 'Telegram code 66120. Do not share it.' });
    expect(received.sms.dateTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(received.call).toBeNull();
  });

  it('getStatusV2 of an order that ended without a code is the plain STATUS_CANCEL', async () => {
    const user = await fundedActor(t, price);
    const client = protocol(t, user);
    const bought = await client.getNumber();
    t.clock.advance(t.config.cancelMinS * 1000);
    await client.setStatus(bought.id, 8);
    expect((await client.call('getStatusV2', { id: bought.id })).body).toBe('STATUS_CANCEL');
  });
});

describe('retries', () => {
  it('a getNumber retried with the same Idempotency-Key returns the first answer and is charged once', async () => {
    const user = await fundedActor(t, price * 5);
    const client = protocol(t, user);
    const first = await client.getNumber(undefined, { 'idempotency-key': 'retry-1' });
    const again = await client.getNumber(undefined, { 'idempotency-key': 'retry-1' });
    expect(first.word).toBe('ACCESS_NUMBER');
    expect(again.response.body).toBe(first.response.body);
    expect(await api(t, user).balance()).toEqual({ available: price * 4, held: price });
    // Without a key a second call is a second order: the protocol has no idempotency of its own.
    expect((await client.getNumber()).id).not.toBe(first.id);
  });
});

function isoOf(id: number): string | undefined {
  return COUNTRY_ISO.get(id);
}
const COUNTRY_ISO = new Map<number, string>();
beforeAll(async () => {
  const { SMS_ACTIVATE_COUNTRIES } = await import('../../../../provider-clients/sms-activate/index.ts');
  for (const country of SMS_ACTIVATE_COUNTRIES) COUNTRY_ISO.set(country.id, country.iso);
});

describe('logs', () => {
  it('an answered request logs no warning (a reply is sent once, whichever way it was answered)', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../../../lib/logger.ts');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logged = await createTestApp({ database: t.database, log: createLogger({ level: 'warn', version: 'test', destination: sink }) });
    try {
      const user = await fundedActor(logged, price);
      const client = protocol(logged, user);
      const bought = await client.getNumber();
      for (let i = 0; i < 3; i++) expect(await client.status(bought.id)).toBe('STATUS_WAIT_CODE');
      expect((await client.call('getNothing')).body).toBe('BAD_ACTION');
      expect((await protocol(logged, 'otp_live_x').call('getBalance')).body).toBe('BAD_KEY');
      expect(lines).toEqual([]);
    } finally {
      await logged.close();
    }
  });
});
