import { describe, expect, it } from 'vitest';
import type { FailureKind } from '../../port.ts';
import { failure, upstream, value } from './setup.ts';

describe('SMS-Activate adapter: catalogue and balance', () => {
  it('reads the balance in micro-units, in the configured currency', async () => {
    const { provider } = await upstream({ balance: '50.30' }, { currency: 'RUB' });
    expect(value(await provider.getBalance())).toEqual({ currency: 'RUB', amount: 50_300_000 });
  });

  it('reads text replies wrapped in JSON quotes', async () => {
    const { provider, fake } = await upstream();
    fake.scriptReply('getBalance', { body: '"ACCESS_BALANCE:1.5"', headers: { 'content-type': 'application/json' } });
    expect(value(await provider.getBalance()).amount).toBe(1_500_000);
  });

  it('lists offers per service and known country, counting physical stock where the server gives it', async () => {
    const { provider, fake } = await upstream({
      prices: [
        { country: 187, service: 'tg', cost: '0.50', count: 120, physicalCount: 40 },
        { country: 6, service: 'wa', cost: '0.2567', count: 30 },
        { country: 12, service: 'tg', cost: '0.10', count: 500 },
        { country: 998, service: 'tg', cost: '0.10', count: 500 },
      ],
    });
    const offers = value(await provider.fetchOffers());
    expect(offers.currency).toBe('USD');
    expect(offers.offers).toEqual([
      { service: 'wa', country: 'ID', cost: 256_700, count: 30 },
      { service: 'tg', country: 'US', cost: 500_000, count: 40 },
    ]);
    expect(fake.requests.map((request) => request.params.action)).toEqual(['getPrices']);
    expect(fake.requests[0]?.params.country).toBeUndefined();
  });

  it('accepts the price table wrapped in an array', async () => {
    const { provider } = await upstream({ wrapPrices: true, prices: [{ country: 16, service: 'go', cost: '1', count: 2 }] });
    expect(value(await provider.fetchOffers()).offers).toEqual([{ service: 'go', country: 'GB', cost: 1_000_000, count: 2 }]);
  });

  it('calls a price table it cannot read a protocol error', async () => {
    const { provider, fake } = await upstream();
    fake.scriptReply('getPrices', '{"187":"none"}');
    expect(failure(await provider.fetchOffers()).kind).toBe('protocol_error');
  });
});

describe('SMS-Activate adapter: buying', () => {
  it('buys with getNumberV2: id, E.164 phone, cost, and the price limit as a decimal', async () => {
    const { provider, fake } = await upstream({ prices: [{ country: 187, service: 'tg', cost: '0.50', count: 5 }] });
    const bought = value(await provider.buyNumber({ service: 'tg', country: 'US', maxCost: 750_000 }));
    expect(bought.phone).toMatch(/^\+1\d{10}$/);
    expect(bought.cost).toBe(500_000);
    expect(fake.activations.get(bought.upstreamId)?.phone).toBe(bought.phone.slice(1));
    expect(fake.requests.at(-1)?.params).toMatchObject({ action: 'getNumberV2', service: 'tg', country: '187', maxPrice: '0.75' });
    expect(fake.balance()).toBe('99.50');
  });

  it('sends no price limit when none is asked', async () => {
    const { provider, fake } = await upstream();
    value(await provider.buyNumber({ service: 'wa', country: 'ID' }));
    expect(fake.requests.at(-1)?.params.maxPrice).toBeUndefined();
  });

  it('refuses above the limit with the cheapest price the server names', async () => {
    const { provider, fake } = await upstream({ prices: [{ country: 187, service: 'tg', cost: '0.50', count: 5 }] });
    expect(failure(await provider.buyNumber({ service: 'tg', country: 'US', maxCost: 400_000 }))).toMatchObject({
      kind: 'price_above_max',
      minCost: 500_000,
    });
    expect(fake.activations.size).toBe(0);
  });

  it('reports no numbers, no balance and physical stock exhausted', async () => {
    const { provider, fake } = await upstream({
      balance: '0.30',
      prices: [{ country: 6, service: 'wa', cost: '0.25', count: 9, physicalCount: 1 }],
    });
    value(await provider.buyNumber({ service: 'wa', country: 'ID' }));
    expect(failure(await provider.buyNumber({ service: 'wa', country: 'ID' })).kind).toBe('no_numbers');
    expect(failure(await provider.buyNumber({ service: 'tg', country: 'ID' })).kind).toBe('no_numbers');
    fake.setMode('no_numbers');
    expect(failure(await provider.buyNumber({ service: 'wa', country: 'ID' })).kind).toBe('no_numbers');
    fake.setMode('normal');
    fake.scriptReply('getNumberV2', 'NO_BALANCE');
    expect(failure(await provider.buyNumber({ service: 'wa', country: 'ID' })).kind).toBe('no_balance');
  });

  it('checks service and country before asking upstream', async () => {
    const { provider, fake } = await upstream();
    expect(failure(await provider.buyNumber({ service: 'Telegram!', country: 'US' })).kind).toBe('bad_service');
    expect(failure(await provider.buyNumber({ service: 'tg', country: 'ZZ' })).kind).toBe('bad_country');
    expect(fake.requests).toEqual([]);
    await expect(provider.buyNumber({ service: 'tg', country: 'US', maxCost: 0.5 })).rejects.toThrow(TypeError);
  });

  it('reads a V1 reply to getNumberV2 without buying twice', async () => {
    const { provider, fake } = await upstream({ v2: 'v1' });
    const bought = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    expect(bought.cost).toBeUndefined();
    expect(fake.activations.size).toBe(1);
    expect(fake.requests.map((request) => request.params.action)).toEqual(['getNumberV2']);
  });

  it('reads V1 answers to getStatusV2 from a clone that answers V2 actions the V1 way', async () => {
    const { provider, fake } = await upstream({ v2: 'v1' });
    const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    fake.deliverSms(upstreamId, { text: 'code 77', code: '77' });
    expect(value(await provider.checkStatus(upstreamId))).toEqual({
      state: 'received',
      sms: [{ code: '77', text: null, receivedAt: null }],
    });
    expect(fake.requests.map((request) => request.params.action)).toEqual(['getNumberV2', 'getStatusV2']);
  });

  it('falls back to getNumber when getNumberV2 is unknown, and stays there', async () => {
    const { provider, fake } = await upstream({ v2: 'unsupported' });
    value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    expect(fake.requests.map((request) => request.params.action)).toEqual(['getNumberV2', 'getNumber', 'getNumber']);
    expect(fake.activations.size).toBe(2);
  });

  it('falls back on a HeroSMS-style BAD_ACTION envelope too', async () => {
    const { provider, fake } = await upstream();
    fake.scriptReply('getNumberV2', { status: 404, body: '{"title":"BAD_ACTION","details":"Method Not Found"}' });
    value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    expect(fake.requests.map((request) => request.params.action)).toEqual(['getNumberV2', 'getNumber']);
  });

  it('calls a V2 answer without id or phone a protocol error', async () => {
    const { provider, fake } = await upstream();
    fake.scriptReply('getNumberV2', '{"activationId":"12","phoneNumber":"7*******11"}');
    expect(failure(await provider.buyNumber({ service: 'tg', country: 'US' })).kind).toBe('protocol_error');
    fake.scriptReply('getNumberV2', 'ACCESS_NUMBER:12');
    expect(failure(await provider.buyNumber({ service: 'tg', country: 'US' })).kind).toBe('protocol_error');
  });

  it('takes the end of the activation from a zoned activationEndTime', async () => {
    const { provider, fake } = await upstream();
    fake.scriptReply(
      'getNumberV2',
      '{"activationId":"635468024","phoneNumber":"79584123456","activationCost":12.5,"currency":840,"activationEndTime":"2026-02-18T18:11:23+00:00"}',
    );
    expect(value(await provider.buyNumber({ service: 'vk', country: 'RU' }))).toEqual({
      upstreamId: '635468024',
      phone: '+79584123456',
      cost: 12_500_000,
      expiresAt: new Date('2026-02-18T18:11:23Z'),
    });
  });
});

describe('SMS-Activate adapter: status', () => {
  it('follows an activation through getStatusV2, with the SMS text', async () => {
    const { provider, fake } = await upstream();
    const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    expect(value(await provider.checkStatus(upstreamId))).toEqual({ state: 'waiting', sms: [] });
    fake.deliverSms(upstreamId, { text: 'Telegram code 12345', code: '12345' });
    expect(value(await provider.checkStatus(upstreamId))).toEqual({
      state: 'received',
      sms: [{ code: '12345', text: 'Telegram code 12345', receivedAt: null }],
    });
    expect(fake.requests.filter((request) => request.params.action === 'getStatusV2')).toHaveLength(2);
  });

  it('maps every getStatus reply on a V1-only server', async () => {
    const { provider, fake } = await upstream({ v2: 'unsupported' });
    const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    expect(value(await provider.checkStatus(upstreamId))).toEqual({ state: 'waiting', sms: [] });
    fake.deliverSms(upstreamId, { text: 'code 111', code: '111' });
    expect(value(await provider.checkStatus(upstreamId))).toEqual({
      state: 'received',
      sms: [{ code: '111', text: null, receivedAt: null }],
    });
    value(await provider.requestAnotherSms(upstreamId));
    expect(value(await provider.checkStatus(upstreamId))).toEqual({
      state: 'waiting',
      sms: [{ code: '111', text: null, receivedAt: null }],
    });
    fake.setState(upstreamId, 'resend');
    expect(value(await provider.checkStatus(upstreamId))).toEqual({ state: 'waiting', sms: [] });
    fake.deliverSms(upstreamId, { text: 'code 222', code: '222' });
    expect(value(await provider.checkStatus(upstreamId)).sms).toEqual([{ code: '222', text: null, receivedAt: null }]);
    const other = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    value(await provider.cancel(other.upstreamId));
    expect(value(await provider.checkStatus(other.upstreamId))).toEqual({ state: 'cancelled', sms: [] });
    expect(failure(await provider.checkStatus('424242')).kind).toBe('not_found');
    const statusActions = fake.requests.map((request) => request.params.action).filter((action) => action?.startsWith('getStatus'));
    expect(statusActions[0]).toBe('getStatusV2');
    expect(statusActions.slice(1).every((action) => action === 'getStatus')).toBe(true);
  });

  it('reads V1 answers to getStatusV2 (cancelled, unknown activation)', async () => {
    const { provider, fake } = await upstream();
    const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    value(await provider.cancel(upstreamId));
    expect(value(await provider.checkStatus(upstreamId)).state).toBe('cancelled');
    expect(failure(await provider.checkStatus('99999999')).kind).toBe('not_found');
    expect(fake.requests.filter((request) => request.params.action === 'getStatus')).toHaveLength(0);
  });

  it('does not send an id that is not one', async () => {
    const { provider, fake } = await upstream();
    expect(failure(await provider.checkStatus('12&status=8')).kind).toBe('not_found');
    expect(failure(await provider.cancel('')).kind).toBe('not_found');
    expect(fake.requests).toEqual([]);
  });
});

describe('SMS-Activate adapter: setStatus', () => {
  it('asks for another SMS (3) and finishes (6) after a code', async () => {
    const { provider, fake } = await upstream();
    const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    fake.deliverSms(upstreamId, { text: 'code 1', code: '1' });
    expect(await provider.requestAnotherSms(upstreamId)).toEqual({ ok: true, value: undefined });
    expect(fake.activations.get(upstreamId)?.state).toBe('retry');
    fake.deliverSms(upstreamId, { text: 'code 2', code: '2' });
    expect(await provider.finish(upstreamId)).toEqual({ ok: true, value: undefined });
    expect(fake.activations.get(upstreamId)?.state).toBe('finished');
    expect(fake.requests.filter((request) => request.params.action === 'setStatus').map((request) => request.params.status)).toEqual([
      '3',
      '6',
    ]);
  });

  it('cancels (8) with a refund, refuses too early, and says when it is already final', async () => {
    let now = 1_000_000;
    const { provider, fake } = await upstream({ cancelWindowMs: 120_000, now: () => now, balance: '1' });
    const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    expect(failure(await provider.cancel(upstreamId)).kind).toBe('early_cancel');
    now += 120_000;
    expect(await provider.cancel(upstreamId)).toEqual({ ok: true, value: undefined });
    expect(fake.balance()).toBe('1.00');
    expect(failure(await provider.cancel(upstreamId)).kind).toBe('already_final');
    expect(failure(await provider.finish(upstreamId)).kind).toBe('already_final');
  });

  it('refuses to finish before a code, to cancel after one, and to ask again before one', async () => {
    const { provider, fake } = await upstream();
    const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    expect(failure(await provider.finish(upstreamId)).kind).toBe('already_final');
    expect(failure(await provider.requestAnotherSms(upstreamId)).kind).toBe('already_final');
    fake.deliverSms(upstreamId, { text: 'code 9', code: '9' });
    expect(failure(await provider.cancel(upstreamId)).kind).toBe('already_final');
    expect(fake.activations.get(upstreamId)?.state).toBe('received');
  });

  it('maps the documented setStatus errors', async () => {
    const { provider, fake } = await upstream();
    expect(failure(await provider.cancel('31337')).kind).toBe('not_found');
    const cases: [string, FailureKind][] = [
      ['WRONG_ACTIVATION_ID', 'not_found'],
      ['EARLY_CANCEL_DENIED', 'early_cancel'],
      ['STATUS_CANCEL', 'already_final'],
      ['ERROR_SQL', 'unavailable'],
      ['BAD_KEY', 'bad_key'],
      ['ACCESS_READY', 'protocol_error'],
    ];
    for (const [body, kind] of cases) {
      fake.scriptReply('setStatus', body);
      expect(failure(await provider.cancel('31337')).kind, body).toBe(kind);
    }
    fake.scriptReply('setStatus', { status: 409, body: '{"title":"EARLY_CANCEL_DENIED","info":{"minActivationTime":120}}' });
    expect(failure(await provider.cancel('31337')).kind).toBe('early_cancel');
    fake.scriptReply('setStatus', { status: 409, body: '{"title":"OTP_RECEIVED","details":"Otp was received"}' });
    expect(failure(await provider.cancel('31337')).kind).toBe('already_final');
  });
});

describe('SMS-Activate adapter: error replies', () => {
  const buyErrors: [string, FailureKind, Record<string, unknown>?][] = [
    ['NO_KEY', 'bad_key'],
    ['BAD_KEY', 'bad_key'],
    ['BAD_SERVICE', 'bad_service'],
    ['BAD_COUNTRY', 'bad_country'],
    ['NO_BALANCE_FORWARD', 'no_balance'],
    ['ERROR_SQL', 'unavailable'],
    ['CHANNELS_LIMIT', 'rate_limited'],
    ['MAX_PRICE_EXCEEDED', 'price_above_max'],
    ['WRONG_MAX_PRICE:1.25', 'price_above_max', { minCost: 1_250_000 }],
    ["BANNED:'2030-1-2 3-04-05'", 'banned', { bannedUntil: new Date('2030-01-02T03:04:05Z') }],
    ['WRONG_EXCEPTION_PHONE', 'protocol_error'],
    ['SOMETHING_ELSE', 'protocol_error'],
  ];

  it.each(buyErrors)('getNumber %s → %s', async (body, kind, extra) => {
    const { provider, fake } = await upstream({ v2: 'unsupported' });
    value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    fake.scriptReply('getNumber', body);
    const result = failure(await provider.buyNumber({ service: 'tg', country: 'US' }));
    expect(result).toMatchObject({ kind, ...extra });
    expect(result.message).not.toContain(fake.apiKey);
  });

  it('treats BAD_ACTION to a V1 action as a protocol error', async () => {
    const { provider, fake } = await upstream();
    fake.scriptReply('getBalance', 'BAD_ACTION');
    expect(failure(await provider.getBalance()).kind).toBe('protocol_error');
  });

  it('reads HeroSMS JSON errors sent with 4xx statuses', async () => {
    const { provider, fake } = await upstream();
    const until = new Date('2030-05-01T00:00:00Z');
    const cases: [{ status: number; body: string }, Record<string, unknown>][] = [
      [{ status: 401, body: '{"title":"BAD_KEY","details":"Unauthorized"}' }, { kind: 'bad_key' }],
      [{ status: 402, body: '{"title":"NO_BALANCE","details":"Payment Required"}' }, { kind: 'no_balance' }],
      [
        { status: 400, body: '{"title":"WRONG_MAX_PRICE","info":{"min":0.1234}}' },
        { kind: 'price_above_max', minCost: 123_400 },
      ],
      [
        { status: 403, body: `{"title":"BANNED","info":{"scope":"global","banned_until":${until.getTime() / 1000}}}` },
        { kind: 'banned', bannedUntil: until },
      ],
      [{ status: 403, body: '{"title":"CHANNELS_LIMIT","info":{"current_threads":10,"max_allowed":10}}' }, { kind: 'rate_limited' }],
      [{ status: 404, body: '{"title":"NOT_FOUND"}' }, { kind: 'not_found' }],
      [{ status: 418, body: '{"title":"TEAPOT"}' }, { kind: 'protocol_error' }],
    ];
    for (const [reply, expected] of cases) {
      fake.scriptReply('getNumberV2', reply);
      expect(failure(await provider.buyNumber({ service: 'tg', country: 'US' })), reply.body).toMatchObject(expected);
    }
  });

  it('maps the account-wide modes on every action', async () => {
    const { provider, fake } = await upstream();
    const modes: ['bad_key' | 'banned' | 'error_sql', FailureKind][] = [
      ['bad_key', 'bad_key'],
      ['banned', 'banned'],
      ['error_sql', 'unavailable'],
    ];
    for (const [mode, kind] of modes) {
      fake.setMode(mode, { bannedUntil: '2031-12-31 23-59-59' });
      expect(failure(await provider.getBalance()).kind, mode).toBe(kind);
      expect(failure(await provider.fetchOffers()).kind, mode).toBe(kind);
      expect(failure(await provider.buyNumber({ service: 'tg', country: 'US' })).kind, mode).toBe(kind);
      expect(failure(await provider.checkStatus('1')).kind, mode).toBe(kind);
      expect(failure(await provider.finish('1')).kind, mode).toBe(kind);
    }
    fake.setMode('banned', { bannedUntil: '2031-12-31 23-59-59' });
    expect(failure(await provider.getBalance()).bannedUntil).toEqual(new Date('2031-12-31T23:59:59Z'));
  });

  it('never repeats the API key, even when the server echoes it', async () => {
    const { provider, fake } = await upstream({ apiKey: 'SECRET_KEY_42' });
    fake.scriptReply('getBalance', 'SECRET_KEY_42');
    fake.scriptReply('getPrices', { status: 400, body: '<html>bad request for api_key=SECRET_KEY_42</html>' });
    const balance = failure(await provider.getBalance());
    expect(balance).toEqual({ kind: 'protocol_error', message: 'getBalance: the unknown reply [redacted] (HTTP 200)' });
    const offers = failure(await provider.fetchOffers());
    expect(offers.kind).toBe('protocol_error');
    expect(offers.message).not.toContain('SECRET_KEY_42');
  });
});

describe('SMS-Activate adapter: open activations (reconciliation)', () => {
  it('lists open activations with service, ISO country and phone (SMS-Activate shape)', async () => {
    const { provider } = await upstream({ prices: [{ country: 187, service: 'tg', cost: '0.50', count: 5 }] });
    expect(value(await provider.listActive())).toEqual([]);
    const bought = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    const list = value(await provider.listActive());
    expect(list).toEqual([{ upstreamId: bought.upstreamId, service: 'tg', country: 'US', phone: bought.phone }]);
    expect(value(await provider.cancel(bought.upstreamId))).toBeUndefined();
    expect(value(await provider.listActive())).toEqual([]);
  });

  it('reads HeroSMS rows, which name no service or country', async () => {
    const { provider } = await upstream({ activeStyle: 'herosms', prices: [{ country: 6, service: 'wa', cost: '0.25', count: 5 }] });
    const bought = value(await provider.buyNumber({ service: 'wa', country: 'ID' }));
    expect(value(await provider.listActive())).toEqual([{ upstreamId: bought.upstreamId, phone: bought.phone }]);
  });

  it('reads NO_ACTIVATIONS in a JSON envelope as none, and garbage as a protocol error', async () => {
    const { provider, fake } = await upstream();
    fake.scriptReply('getActiveActivations', '{"status":"error","message":"NO_ACTIVATIONS"}');
    expect(value(await provider.listActive())).toEqual([]);
    fake.scriptReply('getActiveActivations', '<html><body>Maintenance</body></html>');
    expect(failure(await provider.listActive()).kind).toBe('protocol_error');
    fake.scriptReply('getActiveActivations', 'BAD_KEY');
    expect(failure(await provider.listActive()).kind).toBe('bad_key');
  });
});
