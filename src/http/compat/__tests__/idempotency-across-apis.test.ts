import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { protocol } from '../sms-activate/__tests__/support.ts';

/**
 * One Idempotency-Key, retried through another of the three order APIs (the REST API, SMS-Activate's
 * `handler_api.php` V1 and V2, 5sim's buy): one order, charged once, and each retry answered in the
 * words of the API it came through — never the first API's stored answer, which its client cannot parse
 * (a REST client was sent `{"text":"ACCESS_NUMBER:…"}`, and handler_api.php answered 500 when it read a
 * REST order's `status` as an HTTP status).
 */
let t: TestApp;
let price: number;

beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', API_RATE_LIMIT: '0' } });
  price = t.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
  expect(price).toBeGreaterThan(0);
});
afterAll(() => t?.close());

const KEY = { 'idempotency-key': 'one-purchase-7f3a' };

/** The same purchase (Telegram, Indonesia) through each API, under KEY. */
const through = (actor: Actor) => ({
  rest: () =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/activations',
      headers: { authorization: actor.bearer, ...KEY },
      payload: { service: 'tg', country: 'ID' },
    }),
  v1: () => protocol(t, actor).call('getNumber', { service: 'tg', country: 6 }, KEY),
  v2: () => protocol(t, actor).call('getNumberV2', { service: 'tg', country: 6 }, KEY),
  fivesim: () =>
    t.app.inject({
      method: 'GET',
      url: '/compat/5sim/v1/user/buy/activation/indonesia/any/telegram',
      headers: { authorization: actor.bearer, ...KEY },
    }),
});

type Api = 'rest' | 'v1' | 'v2' | 'fivesim';
/** The same purchase through every API, `first` first: each one's answer. */
async function everyWay(actor: Actor, first: Api) {
  const apis = through(actor);
  const answers = {} as Record<Api, Awaited<ReturnType<(typeof apis)[Api]>>>;
  for (const name of [first, ...(['rest', 'v1', 'v2', 'fivesim'] as const).filter((other) => other !== first)])
    answers[name] = await apis[name]();
  return answers;
}

function expectEachInItsOwnWords(answers: Awaited<ReturnType<typeof everyWay>>) {
  const { rest, v1, v2, fivesim } = answers;
  expect(rest.statusCode, rest.body).toBe(201);
  expect(rest.json()).toMatchObject({ id: expect.stringMatching(/^act_/), service: 'tg', country: 'ID', status: 'waiting' });
  expect(v1.statusCode, v1.body).toBe(200);
  expect(v1.body).toMatch(/^ACCESS_NUMBER:\d+:\d+$/);
  expect(v2.statusCode, v2.body).toBe(200);
  expect(v2.json()).toMatchObject({ activationId: expect.any(Number), phoneNumber: expect.stringMatching(/^\d+$/) });
  expect(fivesim.statusCode, fivesim.body).toBe(200);
  expect(fivesim.json()).toMatchObject({
    id: expect.any(Number),
    product: 'telegram',
    status: expect.stringMatching(/^(PENDING|RECEIVED)$/),
  });
  // One order behind all four: the same phone, the same protocol number.
  const digits = rest.json().phone.replace(/\D/g, '');
  const [, number, phone] = v1.body.split(':');
  expect(phone).toBe(digits);
  expect(v2.json().phoneNumber).toBe(digits);
  expect(fivesim.json().phone.replace(/\D/g, '')).toBe(digits);
  expect(String(v2.json().activationId)).toBe(number);
  expect(String(fivesim.json().id)).toBe(number);
}

describe('an Idempotency-Key retried through another API', () => {
  for (const [first, title] of [
    ['rest', 'first through REST: each API answers the one order in its own words, charged once'],
    ['fivesim', 'first through 5sim: handler_api.php answers ACCESS_NUMBER, not a server error'],
  ] as const) {
    it(title, async () => {
      const actor = await fundedActor(t, price * 5);
      expectEachInItsOwnWords(await everyWay(actor, first));
      expect(await api(t, actor).balance()).toEqual({ available: price * 4, held: price });
    });
  }

  it('first through handler_api.php, then the others, then each again: the same, and every repeat too', async () => {
    const actor = await fundedActor(t, price * 5);
    const answers = await everyWay(actor, 'v1');
    expectEachInItsOwnWords(answers);
    // Every API's own repeat is its own stored answer again.
    const apis = through(actor);
    expect((await apis.v1()).body).toBe(answers.v1.body);
    expect((await apis.rest()).json()).toMatchObject({ id: answers.rest.json().id });
    expect((await apis.fivesim()).json()).toMatchObject({ id: answers.fivesim.json().id });
    expect((await apis.v2()).json()).toEqual(answers.v2.json());
    expect(await api(t, actor).balance()).toEqual({ available: price * 4, held: price });
  });
});
