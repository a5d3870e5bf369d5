import { describe, expect, it } from 'vitest';
import { FivesimProvider, microsToDecimal } from '../provider.ts';
import { adapterFor, failure, fakeFivesim, value } from './support.ts';

const MINUTE = 60_000;

describe('5sim offers', () => {
  it('gives one offer per mapped service and country: cheapest operator in stock, stock summed', async () => {
    const { fake } = await fakeFivesim({
      catalog: {
        russia: {
          telegram: { mts: { cost: 12, count: 40, rate: 91.5 }, beeline: { cost: 10.5, count: 0 }, virtual4: { cost: 11, count: 7 } },
          whatsapp: { mts: { cost: 20, count: 3 } },
          zzunmapped: { mts: { cost: 1, count: 9 } },
        },
        indonesia: { telegram: { virtual4: { cost: 2.5, count: 1000 }, telkomsel: { cost: 1.75, count: 5 } } },
        england: { google: { virtual21: { cost: 0.1, count: 0 } }, whatsapp: { virtual21: { cost: 0.4, count: 12 } } },
        germany: { whatsapp: { virtual21: { cost: 3.3333333, count: 2 } } },
        atlantis: { telegram: { virtual1: { cost: 1, count: 1 } } },
      },
    });
    const offers = value(await adapterFor(fake, { currency: 'RUB' }).fetchOffers());
    expect(offers).toEqual({
      currency: 'RUB',
      offers: [
        { service: 'tg', country: 'ID', cost: 1_750_000, count: 1005 },
        { service: 'tg', country: 'RU', cost: 11_000_000, count: 47 },
        { service: 'wa', country: 'DE', cost: 3_333_333, count: 2 },
        { service: 'wa', country: 'GB', cost: 400_000, count: 12 },
        { service: 'wa', country: 'RU', cost: 20_000_000, count: 3 },
      ],
    });
    expect(fake.requests.map((r) => [r.path, r.query])).toEqual([['/v1/guest/prices', {}]]);
  });

  it('reads amounts sent as strings and skips entries it cannot read', async () => {
    const { fake } = await fakeFivesim();
    fake.replyNext({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        usa: {
          telegram: { a: { cost: '0.0385', count: '3' }, b: { cost: 'free', count: 5 }, c: { cost: 0.02, count: -1 }, d: 'broken' },
          google: 'broken',
        },
        england: [],
      }),
    });
    expect(value(await adapterFor(fake).fetchOffers()).offers).toEqual([{ service: 'tg', country: 'US', cost: 38_500, count: 3 }]);
  });
});

describe('5sim purchase', () => {
  it('buys with operator any and reads the order: E.164 phone, cost, expiry', async () => {
    const { fake, clock } = await fakeFivesim();
    const bought = value(await adapterFor(fake).buyNumber({ service: 'tg', country: 'RU' }));
    const [order] = fake.orders;
    expect(order).toMatchObject({ country: 'russia', operator: 'virtual4', product: 'telegram', price: 11 });
    expect(bought).toEqual({
      upstreamId: String(order?.id),
      phone: order?.phone,
      cost: 11_000_000,
      expiresAt: new Date(clock.ms + 15 * MINUTE),
    });
    expect(bought.phone).toMatch(/^\+7\d{10}$/);
    expect(fake.requests.map((r) => [r.path, r.query])).toEqual([['/v1/user/buy/activation/russia/any/telegram', {}]]);
  });

  it('sends maxCost as maxPrice, an exact decimal, and 5sim keeps to it', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const bought = value(await adapter.buyNumber({ service: 'tg', country: 'ID', maxCost: 2_000_000 }));
    expect(bought.cost).toBe(1_750_000);
    expect(fake.requests.at(-1)?.query).toEqual({ maxPrice: '2' });

    failure(await adapter.buyNumber({ service: 'tg', country: 'US', maxCost: 150_000 }), 'no_numbers', fake.token);
    expect(fake.requests.at(-1)?.query).toEqual({ maxPrice: '0.15' });
  });

  it('refuses unmapped services and countries without calling 5sim', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    failure(await adapter.buyNumber({ service: 'zz', country: 'RU' }), 'bad_service', fake.token);
    failure(await adapter.buyNumber({ service: 'tg', country: 'XX' }), 'bad_country', fake.token);
    expect(fake.requests).toEqual([]);
  });

  it('tolerates a phone without +, a missing expiry and a string price', async () => {
    const { fake } = await fakeFivesim();
    fake.replyNext({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ id: 77, phone: '7 908 589-52-81', price: '8.5', status: 'PENDING', sms: null }),
    });
    expect(value(await adapterFor(fake).buyNumber({ service: 'tg', country: 'RU' }))).toEqual({
      upstreamId: '77',
      phone: '+79085895281',
      cost: 8_500_000,
    });
  });

  it('reports an order it cannot use as a protocol error that names the order', async () => {
    const { fake } = await fakeFivesim();
    fake.replyNext({ status: 200, contentType: 'application/json', body: JSON.stringify({ id: 78, phone: 'hidden', status: 'PENDING' }) });
    const { message } = failure(await adapterFor(fake).buyNumber({ service: 'tg', country: 'RU' }), 'protocol_error', fake.token);
    expect(message).toContain('78');
  });

  it('maps maxCost to a decimal string exactly', () => {
    expect(microsToDecimal(0)).toBe('0');
    expect(microsToDecimal(150_000)).toBe('0.15');
    expect(microsToDecimal(12_000_000)).toBe('12');
    expect(microsToDecimal(12_345_678)).toBe('12.345678');
    expect(microsToDecimal(1)).toBe('0.000001');
    expect(() => microsToDecimal(-1)).toThrow();
    expect(() => microsToDecimal(0.5)).toThrow();
  });
});

describe('5sim order status', () => {
  it('reads PENDING as waiting', async () => {
    const { fake } = await fakeFivesim({ preparationMs: 10 * MINUTE });
    const adapter = adapterFor(fake);
    const { upstreamId } = value(await adapter.buyNumber({ service: 'tg', country: 'RU' }));
    expect(value(await adapter.checkStatus(upstreamId))).toEqual({ state: 'waiting', sms: [] });
    expect(fake.orders[0]?.status).toBe('PENDING');
  });

  it('reads RECEIVED with no SMS as waiting (RECEIVED means "waiting for SMS" at 5sim)', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const { upstreamId } = value(await adapter.buyNumber({ service: 'tg', country: 'RU' }));
    expect(value(await adapter.checkStatus(upstreamId))).toEqual({ state: 'waiting', sms: [] });
    expect(fake.orders[0]?.status).toBe('RECEIVED');
  });

  it('reads RECEIVED with messages as received, every message oldest first', async () => {
    const { fake, clock } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const { upstreamId } = value(await adapter.buyNumber({ service: 'tg', country: 'RU' }));
    clock.ms += MINUTE;
    expect(fake.deliverSms(upstreamId, { text: 'Telegram code: 12345', code: '12345', sender: 'Telegram' })).toBe('delivered');
    const first = new Date(clock.ms);
    expect(value(await adapter.checkStatus(upstreamId))).toEqual({
      state: 'received',
      sms: [{ code: '12345', text: 'Telegram code: 12345', receivedAt: first }],
    });

    // The number keeps receiving: asking for another SMS is free and needs no call.
    const before = fake.requests.length;
    value(await adapter.requestAnotherSms(upstreamId));
    expect(fake.requests.length).toBe(before);
    clock.ms += MINUTE;
    fake.deliverSms(upstreamId, { text: 'Telegram code: 67890', code: '67890' });
    const status = value(await adapter.checkStatus(upstreamId));
    expect(status.state).toBe('received');
    expect(status.sms.map((s) => [s.code, s.receivedAt])).toEqual([
      ['12345', first],
      ['67890', new Date(clock.ms)],
    ]);
  });

  it('sorts messages oldest first whatever order 5sim lists them in, and reads empty fields as null', async () => {
    const { fake } = await fakeFivesim();
    fake.replyNext({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        id: 5,
        status: 'RECEIVED',
        sms: [
          { created_at: '2026-03-01T10:05:00Z', date: '2026-03-01T10:04:59Z', sender: 'G', text: 'second', code: '' },
          { created_at: '2026-03-01T10:01:00Z', date: '2026-03-01T10:00:59Z', sender: 'G', text: 'G-123456 is your code', code: '123456' },
        ],
      }),
    });
    expect(value(await adapterFor(fake).checkStatus('5')).sms).toEqual([
      { code: '123456', text: 'G-123456 is your code', receivedAt: new Date('2026-03-01T10:01:00Z') },
      { code: null, text: 'second', receivedAt: new Date('2026-03-01T10:05:00Z') },
    ]);
  });

  it('reads sms: null as no messages', async () => {
    const { fake } = await fakeFivesim();
    fake.replyNext({ status: 200, contentType: 'application/json', body: JSON.stringify({ id: 6, status: 'PENDING', sms: null }) });
    expect(value(await adapterFor(fake).checkStatus('6'))).toEqual({ state: 'waiting', sms: [] });
  });

  it('reads FINISHED, CANCELED, TIMEOUT and BANNED', async () => {
    const { fake, clock } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const buy = async () => value(await adapter.buyNumber({ service: 'tg', country: 'ID' })).upstreamId;

    const finished = await buy();
    fake.deliverSms(finished, { text: 'code 1111', code: '1111' });
    value(await adapter.finish(finished));
    const finishedStatus = value(await adapter.checkStatus(finished));
    expect(finishedStatus.state).toBe('finished');
    expect(finishedStatus.sms.map((s) => s.code)).toEqual(['1111']);

    const cancelled = await buy();
    value(await adapter.cancel(cancelled));
    expect(value(await adapter.checkStatus(cancelled)).state).toBe('cancelled');

    const banned = await buy();
    const ban = await fetch(`${fake.baseUrl}/user/ban/${banned}`, { headers: { Authorization: `Bearer ${fake.token}` } });
    expect(ban.status).toBe(200);
    expect(value(await adapter.checkStatus(banned)).state).toBe('banned');

    const expired = await buy();
    clock.ms += 15 * MINUTE;
    expect(value(await adapter.checkStatus(expired))).toEqual({ state: 'expired', sms: [] });
  });

  it('refuses a status it does not know and an id that is not a 5sim id', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    fake.replyNext({ status: 200, contentType: 'application/json', body: JSON.stringify({ id: 5, status: 'REFUNDED', sms: [] }) });
    failure(await adapter.checkStatus('5'), 'protocol_error', fake.token);
    fake.replyNext({ status: 200, contentType: 'application/json', body: JSON.stringify({ id: 5, status: 'RECEIVED', sms: 'none' }) });
    failure(await adapter.checkStatus('5'), 'protocol_error', fake.token);
    const sent = fake.requests.length;
    failure(await adapter.checkStatus('../profile'), 'not_found', fake.token);
    failure(await adapter.requestAnotherSms('abc'), 'not_found', fake.token);
    expect(fake.requests.length).toBe(sent);
  });
});

describe('5sim finish and cancel', () => {
  it('finishes and cancels open orders, refunding the cancelled one', async () => {
    const { fake } = await fakeFivesim({ balance: 10 });
    const adapter = adapterFor(fake);
    const a = value(await adapter.buyNumber({ service: 'tg', country: 'ID' }));
    const b = value(await adapter.buyNumber({ service: 'tg', country: 'ID' }));
    expect(value(await adapter.getBalance())).toEqual({ currency: 'USD', amount: 6_500_000 });
    fake.deliverSms(a.upstreamId, { text: 'code 42', code: '42' });
    value(await adapter.finish(a.upstreamId));
    value(await adapter.cancel(b.upstreamId));
    expect(fake.orders.map((o) => o.status)).toEqual(['FINISHED', 'CANCELED']);
    expect(value(await adapter.getBalance()).amount).toBe(8_250_000);
    expect(fake.requests.filter((r) => /finish|cancel/.test(r.path)).map((r) => r.path)).toEqual([
      `/v1/user/finish/${a.upstreamId}`,
      `/v1/user/cancel/${b.upstreamId}`,
    ]);
  });

  it('calls a second finish or cancel of the same order a success', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const a = value(await adapter.buyNumber({ service: 'tg', country: 'ID' }));
    value(await adapter.cancel(a.upstreamId));
    value(await adapter.cancel(a.upstreamId));
    const b = value(await adapter.buyNumber({ service: 'tg', country: 'ID' }));
    value(await adapter.finish(b.upstreamId));
    value(await adapter.finish(b.upstreamId));
  });

  it('reports orders closed some other way as already final', async () => {
    const { fake, clock } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const buy = async () => value(await adapter.buyNumber({ service: 'tg', country: 'ID' })).upstreamId;

    const withSms = await buy();
    fake.deliverSms(withSms, { text: 'code 9', code: '9' });
    expect(failure(await adapter.cancel(withSms), 'already_final', fake.token).message).toContain('order has sms');

    const finished = await buy();
    value(await adapter.finish(finished));
    failure(await adapter.cancel(finished), 'already_final', fake.token);

    const cancelled = await buy();
    value(await adapter.cancel(cancelled));
    failure(await adapter.finish(cancelled), 'already_final', fake.token);

    const expired = await buy();
    clock.ms += 16 * MINUTE;
    expect(failure(await adapter.cancel(expired), 'already_final', fake.token).message).toContain('order expired');
    failure(await adapter.finish(expired), 'already_final', fake.token);
  });

  it('reports unknown orders as not found, on check (404) and on the actions (400)', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    failure(await adapter.checkStatus('424242'), 'not_found', fake.token);
    failure(await adapter.cancel('424242'), 'not_found', fake.token);
    failure(await adapter.finish('424242'), 'not_found', fake.token);
    fake.replyNext({ status: 404, body: '' });
    failure(await adapter.checkStatus('424242'), 'not_found', fake.token);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/v1/user/check/424242',
      '/v1/user/cancel/424242',
      '/v1/user/finish/424242',
      '/v1/user/check/424242',
    ]);
  });

  it('keeps a late SMS after cancel away from the order', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const { upstreamId } = value(await adapter.buyNumber({ service: 'tg', country: 'ID' }));
    value(await adapter.cancel(upstreamId));
    expect(fake.deliverSms(upstreamId, { text: 'too late 5555', code: '5555' })).toBe('late');
    expect(value(await adapter.checkStatus(upstreamId))).toEqual({ state: 'cancelled', sms: [] });
    expect(fake.orders[0]?.lateSms.map((s) => s.code)).toEqual(['5555']);
  });
});

describe('5sim open orders (reconciliation)', () => {
  it('lists the open orders newest first, with our service and country codes', async () => {
    const { fake, clock } = await fakeFivesim({ balance: 10 });
    const adapter = adapterFor(fake);
    expect(value(await adapter.listActive())).toEqual([]);
    const a = value(await adapter.buyNumber({ service: 'tg', country: 'ID' }));
    const b = value(await adapter.buyNumber({ service: 'tg', country: 'ID' }));
    const c = value(await adapter.buyNumber({ service: 'tg', country: 'ID' }));
    value(await adapter.cancel(b.upstreamId));
    expect(value(await adapter.listActive())).toEqual([
      { upstreamId: c.upstreamId, service: 'tg', country: 'ID', phone: c.phone, createdAt: new Date(clock.ms) },
      { upstreamId: a.upstreamId, service: 'tg', country: 'ID', phone: a.phone, createdAt: new Date(clock.ms) },
    ]);
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/v1/user/orders',
      query: { category: 'activation', limit: '100', offset: '0', order: 'id', reverse: 'true' },
    });
    clock.ms += 16 * MINUTE;
    expect(value(await adapter.listActive())).toEqual([]);
  });

  it('refuses an answer that is not an order list', async () => {
    const { fake } = await fakeFivesim();
    fake.replyNext({ status: 200, body: '{"Data":"nope"}', contentType: 'application/json' });
    failure(await adapterFor(fake).listActive(), 'protocol_error', fake.token);
  });
});

describe('5sim balance', () => {
  it('reads the profile balance in micro-units of the configured currency', async () => {
    const { fake } = await fakeFivesim({ balance: 123.456789 });
    expect(value(await adapterFor(fake, { currency: 'RUB' }).getBalance())).toEqual({ currency: 'RUB', amount: 123_456_789 });
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/user/profile']);
  });

  it('refuses a profile without a readable balance', async () => {
    const { fake } = await fakeFivesim();
    fake.replyNext({ status: 200, contentType: 'application/json', body: JSON.stringify({ id: 1, balance: -3 }) });
    failure(await adapterFor(fake).getBalance(), 'protocol_error', fake.token);
  });
});

describe('5sim failures', () => {
  it('maps the modes of the fake', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const buy = () => adapter.buyNumber({ service: 'tg', country: 'RU' });

    fake.setMode('no_numbers');
    failure(await buy(), 'no_numbers', fake.token);
    fake.setMode('no_balance');
    failure(await buy(), 'no_balance', fake.token);
    fake.setMode('bad_key');
    failure(await buy(), 'bad_key', fake.token);
    failure(await adapter.getBalance(), 'bad_key', fake.token);
    failure(await adapter.checkStatus('1'), 'bad_key', fake.token);
    fake.setMode('rate_limited');
    failure(await buy(), 'rate_limited', fake.token);
    failure(await adapter.fetchOffers(), 'rate_limited', fake.token);
    fake.setMode('down');
    failure(await buy(), 'unavailable', fake.token);
    failure(await adapter.fetchOffers(), 'unavailable', fake.token);
    fake.setMode('garbage');
    failure(await buy(), 'protocol_error', fake.token);
    failure(await adapter.fetchOffers(), 'protocol_error', fake.token);
    failure(await adapter.getBalance(), 'protocol_error', fake.token);
    failure(await adapter.cancel('1'), 'protocol_error', fake.token);
    fake.setMode('normal');
    value(await buy());
  });

  it('refuses a key 5sim does not know', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake, { apiKey: 'someone.else' });
    failure(await adapter.buyNumber({ service: 'tg', country: 'RU' }), 'bad_key', fake.token);
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer someone.else');
  });

  it('maps 5sim error texts, whatever status they come with', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    const cases = [
      ['no free phones', 200, 'no_numbers'],
      ['no free phones', 400, 'no_numbers'],
      ['"no free phones"', 200, 'no_numbers'],
      ['not enough user balance', 400, 'no_balance'],
      ['not enough rating', 400, 'rate_limited'],
      ['bad country', 400, 'bad_country'],
      ['bad operator', 400, 'bad_service'],
      ['no product', 400, 'bad_service'],
      ['server offline', 400, 'unavailable'],
      ['order not found', 400, 'not_found'],
      ['order expired', 400, 'already_final'],
      ['order has sms', 400, 'already_final'],
      ['something new', 400, 'protocol_error'],
      ['', 404, 'protocol_error'],
      ['', 500, 'unavailable'],
      ['<html>Bad gateway</html>', 502, 'unavailable'],
      ['{"id": 1', 200, 'protocol_error'],
    ] as const;
    for (const [body, status, kind] of cases) {
      fake.replyNext({ status, body });
      const { message } = failure(await adapter.buyNumber({ service: 'tg', country: 'RU' }), kind, fake.token);
      expect(message).toContain(String(status));
    }
  });

  it('does not follow redirects (which would carry the token away)', async () => {
    const { fake } = await fakeFivesim();
    failure(await adapterFor(fake, { baseUrl: `${fake.baseUrl}/nowhere` }).getBalance(), 'protocol_error', fake.token);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/nowhere/user/profile']);
  });

  it('passes Retry-After on 429', async () => {
    const { fake } = await fakeFivesim();
    const adapter = adapterFor(fake);
    fake.replyNext({ status: 429, body: '' });
    expect(failure(await adapter.getBalance(), 'rate_limited', fake.token).retryAfterMs).toBeUndefined();
    fake.replyNext({ status: 429, body: '', headers: { 'retry-after': '3' } });
    expect(failure(await adapter.getBalance(), 'rate_limited', fake.token).retryAfterMs).toBe(3000);
  });

  it('times out against a slow 5sim', async () => {
    const { fake } = await fakeFivesim();
    fake.setMode('slow', { delayMs: 2_000 });
    const adapter = adapterFor(fake, { timeoutMs: 200 });
    expect(failure(await adapter.buyNumber({ service: 'tg', country: 'RU' }), 'timeout', fake.token).message).toContain('200 ms');
    expect(failure(await adapterFor(fake).getBalance({ timeoutMs: 200 }), 'timeout', fake.token).message).toContain('200 ms');
  });

  it('stops when the caller aborts', async () => {
    const { fake } = await fakeFivesim();
    fake.setMode('slow', { delayMs: 2_000 });
    const adapter = adapterFor(fake);
    const controller = new AbortController();
    const pending = adapter.checkStatus('1', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(failure(await pending, 'timeout', fake.token).message).toContain('caller');
    const sent = fake.requests.length;
    failure(await adapter.getBalance({ signal: AbortSignal.abort() }), 'timeout', fake.token);
    expect(fake.requests.length).toBe(sent);
  });

  it('reports a refused connection as unavailable', async () => {
    const { fake } = await fakeFivesim();
    const baseUrl = fake.baseUrl;
    const token = fake.token;
    await fake.close();
    const adapter = new FivesimProvider({ name: '5sim-test', apiKey: token, baseUrl });
    const { message } = failure(await adapter.getBalance(), 'unavailable', token);
    expect(message).toContain('ECONNREFUSED');
  });

  it('never puts the token in a failure message, even when 5sim echoes it', async () => {
    const { fake } = await fakeFivesim();
    fake.replyNext({ status: 400, body: `invalid token ${fake.token}` });
    const { message } = failure(await adapterFor(fake).getBalance(), 'protocol_error', fake.token);
    expect(message).toContain('[redacted]');
  });
});

describe('5sim adapter options', () => {
  it('has kind 5sim, defaults to the public API, and refuses nonsense options', () => {
    const adapter = new FivesimProvider({ name: 'main-5sim', apiKey: 'k' });
    expect([adapter.kind, adapter.name, adapter.currency]).toEqual(['5sim', 'main-5sim', 'USD']);
    expect('parsePush' in adapter).toBe(false);
    expect(() => new FivesimProvider({ name: 'x', apiKey: ' ' })).toThrow(/apiKey/);
    expect(() => new FivesimProvider({ name: 'x', apiKey: 'k', currency: 'rub' })).toThrow(/currency/);
    expect(() => new FivesimProvider({ name: 'x', apiKey: 'k', timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new FivesimProvider({ name: 'x', apiKey: 'k', baseUrl: 'ftp://5sim.net/v1' })).toThrow(/baseUrl/);
  });
});
