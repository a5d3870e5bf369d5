import { describe, expect, it } from 'vitest';
import type { FailureKind } from '../../port.ts';
import { parseNumberV2, parsePrices, parseStatusText, parseStatusV2 } from '../parse.ts';
import { describeReply, failureOf, microsToDecimal, parseBannedUntil, readReply, toE164 } from '../replies.ts';

describe('reading replies', () => {
  it('tells text from JSON, unwraps quoted text and drops a byte-order mark', () => {
    expect(readReply(' ACCESS_BALANCE:1.5\n')).toEqual({ type: 'text', text: 'ACCESS_BALANCE:1.5' });
    expect(readReply('"ACCESS_BALANCE:1.5"')).toEqual({ type: 'text', text: 'ACCESS_BALANCE:1.5' });
    expect(readReply('\uFEFFNO_NUMBERS')).toEqual({ type: 'text', text: 'NO_NUMBERS' });
    expect(readReply('{"a":1}')).toEqual({ type: 'json', value: { a: 1 } });
    expect(readReply('{not json')).toEqual({ type: 'text', text: '{not json' });
  });

  it('keeps activation ids beyond 2^53 exact', () => {
    const reply = readReply('{"activationId":8601705018416664123,"phoneNumber":"79001234567"}');
    expect(parseNumberV2(reply)?.upstreamId).toBe('8601705018416664123');
  });
});

describe('error replies', () => {
  const cases: [string, FailureKind][] = [
    ['NO_NUMBERS', 'no_numbers'],
    ['NO_BALANCE', 'no_balance'],
    ['NO_BALANCE_FORWARD', 'no_balance'],
    ['BAD_KEY', 'bad_key'],
    ['NO_KEY', 'bad_key'],
    ['BAD_ACTION', 'protocol_error'],
    ['BAD_SERVICE', 'bad_service'],
    ['BAD_COUNTRY', 'bad_country'],
    ['BAD_STATUS', 'protocol_error'],
    ['WRONG_MAX_PRICE:0.25', 'price_above_max'],
    ['MAX_PRICE_EXCEEDED', 'price_above_max'],
    ["BANNED:'2026-7-1 10-00-00'", 'banned'],
    ['ERROR_SQL', 'unavailable'],
    ['CHANNELS_LIMIT', 'rate_limited'],
    ['TOO_MANY_ACTIVE_RENTALS', 'rate_limited'],
    ['WRONG_ACTIVATION_ID', 'not_found'],
    ['NO_ACTIVATION', 'not_found'],
    ['EARLY_CANCEL_DENIED', 'early_cancel'],
    ['ACCESS_CANCEL_ALREADY', 'already_final'],
    ['WRONG_EXCEPTION_PHONE', 'protocol_error'],
    ['SERVICE_UNAVAILABLE_REGION', 'unavailable'],
  ];

  it.each(cases)('%s → %s', (body, kind) => {
    expect(failureOf(readReply(body))?.kind).toBe(kind);
  });

  it('is not fooled by success replies or lookalikes', () => {
    for (const body of ['ACCESS_NUMBER:1:79001234567', 'STATUS_OK:1234', 'NO_NUMBERSX', 'ACCESS_CANCEL', 'BANNEDX', '']) {
      expect(failureOf(readReply(body)), body).toBeUndefined();
    }
  });

  it('reads the minimum price of WRONG_MAX_PRICE, as text or as a HeroSMS envelope', () => {
    expect(failureOf(readReply('WRONG_MAX_PRICE:0.25'))).toMatchObject({ kind: 'price_above_max', minCost: 250_000 });
    expect(failureOf(readReply('{"title":"WRONG_MAX_PRICE","details":"x","info":{"min":0.1234}}'))).toMatchObject({ minCost: 123_400 });
    expect(failureOf(readReply('WRONG_MAX_PRICE:abc'))?.minCost).toBeUndefined();
  });

  it('reads when a ban ends, as text (quotes optional) or as a HeroSMS envelope', () => {
    const until = new Date('2026-07-01T10:05:09Z');
    expect(failureOf(readReply("BANNED:'2026-7-1 10-05-09'"))?.bannedUntil).toEqual(until);
    expect(failureOf(readReply('BANNED:2026-07-01 10-05-09'))?.bannedUntil).toEqual(until);
    const envelope = failureOf(
      readReply(`{"title":"BANNED","info":{"scope":"global","banned_until":${until.getTime() / 1000},"retry_after_seconds":60}}`),
    );
    expect(envelope).toMatchObject({ kind: 'banned', bannedUntil: until, retryAfterMs: 60_000 });
    expect(parseBannedUntil('2026-2-30 10-00-00')).toBeUndefined();
    expect(parseBannedUntil('soon')).toBeUndefined();
  });

  it('reads rent-style and HeroSMS JSON errors', () => {
    expect(failureOf(readReply('{"status":"error","message":"NO_NUMBERS"}'))?.kind).toBe('no_numbers');
    expect(failureOf(readReply('{"title":"CHANNELS_LIMIT","info":{"current_threads":5,"max_allowed":5}}'))?.kind).toBe('rate_limited');
    expect(failureOf(readReply('{"status":"false","msg":"country is incorrect"}'))?.kind).toBe('bad_country');
    expect(failureOf(readReply('{"title":"SOMETHING_NEW"}'))).toBeUndefined();
  });

  it('describes unusable replies without repeating their content', () => {
    const secretText = 'Your code is 123456, do not share it';
    expect(describeReply(readReply(secretText), 200)).not.toContain('123456');
    expect(describeReply(readReply(`{"sms":{"text":"${secretText}"}}`), 200)).not.toContain('123456');
    expect(describeReply(readReply('<!DOCTYPE html><p>oops</p>'), 502)).toBe('an HTML page (HTTP 502)');
    expect(describeReply(readReply('STRANGE_REPLY:1'), 200)).toBe('the unknown reply STRANGE_REPLY (HTTP 200)');
  });
});

describe('values', () => {
  it('normalises phones to E.164 and refuses masked or short ones', () => {
    expect(toE164('79001234567')).toBe('+79001234567');
    expect(toE164(79001234567)).toBe('+79001234567');
    expect(toE164('+1 (555) 010-0000')).toBe('+15550100000');
    for (const bad of ['79*******67', '123', '', '0123456789', null, undefined, {}]) expect(toE164(bad), String(bad)).toBeUndefined();
  });

  it('writes micro-units as plain decimals', () => {
    expect(microsToDecimal(150_000)).toBe('0.15');
    expect(microsToDecimal(1_000_000)).toBe('1');
    expect(microsToDecimal(12_345_678)).toBe('12.345678');
    expect(microsToDecimal(0)).toBe('0');
    expect(microsToDecimal(1)).toBe('0.000001');
  });
});

describe('status and price replies', () => {
  it('reads every getStatus reply', () => {
    expect(parseStatusText(readReply('STATUS_WAIT_CODE'))).toEqual({ state: 'waiting', sms: [] });
    expect(parseStatusText(readReply('STATUS_WAIT_RESEND'))).toEqual({ state: 'waiting', sms: [] });
    expect(parseStatusText(readReply('STATUS_WAIT_RETRY:4321'))).toEqual({
      state: 'waiting',
      sms: [{ code: '4321', text: null, receivedAt: null }],
    });
    expect(parseStatusText(readReply('STATUS_OK:12-34'))).toEqual({
      state: 'received',
      sms: [{ code: '12-34', text: null, receivedAt: null }],
    });
    expect(parseStatusText(readReply('STATUS_CANCEL'))).toEqual({ state: 'cancelled', sms: [] });
    for (const other of ['STATUS_OK', 'STATUS_WAIT_CODE:1', 'STATUS_UNKNOWN', '{"a":1}'])
      expect(parseStatusText(readReply(other)), other).toBeUndefined();
  });

  it('makes SMS text and codes storable: NULs dropped, unpaired surrogates replaced', () => {
    expect(parseStatusText(readReply('STATUS_OK:12\u000034'))).toEqual({
      state: 'received',
      sms: [{ code: '1234', text: null, receivedAt: null }],
    });
    expect(parseStatusText(readReply('STATUS_OK:\u0000'))).toEqual({ state: 'received', sms: [] });
    const v2 = readReply(JSON.stringify({ verificationType: 0, sms: { code: '12\u00003', text: 'code\u0000 123 \ud800' } }));
    expect(parseStatusV2(v2)).toEqual({ state: 'received', sms: [{ code: '123', text: 'code 123 \ufffd', receivedAt: null }] });
  });

  it('reads both getStatusV2 shapes and keeps only zoned times', () => {
    const saStyle = readReply('{"verificationType":0,"sms":{"dateTime":"2022-06-01 17:30:57","code":"123","text":"code 123"},"call":null}');
    expect(parseStatusV2(saStyle)).toEqual({ state: 'received', sms: [{ code: '123', text: 'code 123', receivedAt: null }] });
    const heroStyle = readReply(
      '{"verificationType":"sms","data":{"id":"9","code":"55","text":"t 55","date":"2026-02-16T12:36:59+03:00"}}',
    );
    expect(parseStatusV2(heroStyle)).toEqual({
      state: 'received',
      sms: [{ code: '55', text: 't 55', receivedAt: new Date('2026-02-16T09:36:59Z') }],
    });
    expect(parseStatusV2(readReply('{"verificationType":0,"sms":null,"call":null}'))).toEqual({ state: 'waiting', sms: [] });
    expect(parseStatusV2(readReply('{"unrelated":true}'))).toBeUndefined();
  });

  it('reads getPrices: physical stock first, unknown and virtual countries and odd services left out', () => {
    const reply = readReply(
      JSON.stringify({
        187: { tg: { cost: 0.5, count: 100, physicalCount: 3 }, wa: { cost: '0.7', count: '9' }, 'bad code!': { cost: 1, count: 1 } },
        12: { tg: { cost: 0.1, count: 50 } },
        999: { tg: { cost: 0.1, count: 50 } },
        6: { wa: { cost: 'free', count: 1 }, go: { cost: 0.2, count: 5, physicalCount: 'x' } },
      }),
    );
    expect(parsePrices(reply)).toEqual({
      offers: [
        { service: 'tg', country: 'US', cost: 500_000, count: 3 },
        { service: 'wa', country: 'US', cost: 700_000, count: 9 },
      ],
      skipped: 5,
    });
    expect(parsePrices(readReply('[{"16":{"go":{"cost":1,"count":2}}}]'))?.offers).toEqual([
      { service: 'go', country: 'GB', cost: 1_000_000, count: 2 },
    ]);
    expect(parsePrices(readReply('{"16":"nope"}'))).toBeUndefined();
    expect(parsePrices(readReply('NO_NUMBERS'))).toBeUndefined();
  });
});
