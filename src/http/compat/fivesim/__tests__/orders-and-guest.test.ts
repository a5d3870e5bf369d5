import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, uniqueIp } from '../../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../../test/support/app.ts';
import { fundedActor } from '../../../../../test/support/orders.ts';
import { isoFromFivesimCountry, serviceFromFivesimProduct } from '../../../../provider-clients/fivesim/names.ts';

/**
 * 5sim's order history (`user/orders`, 5sim.net/docs "Order history": `category` required,
 * `limit`/`offset`/`order`/`reverse`, the answer `{Data, ProductNames, Statuses, Total}`) and its public
 * catalog (`guest/countries`, `guest/products/{country}/{operator}`, `guest/prices`), shapes taken
 * from the docs and from captures of 5sim's live answers.
 */
let t: TestApp;
const BASE = '/compat/5sim/v1';

beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', API_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '50' } });
});
afterAll(() => t?.close());

const get = (actor: Actor | undefined, path: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'GET',
    url: `${BASE}${path}`,
    headers: { ...(actor ? { authorization: actor.bearer } : {}), ...headers },
    remoteAddress: uniqueIp(),
  });
const refusal = (response: LightMyRequestResponse) => `${response.statusCode} ${response.body}`;
const units = (credits: number) => credits / t.config.creditsPerUsd;

describe('user/orders', () => {
  it('pages by limit and offset, oldest first unless reverse=true, with the total', async () => {
    const actor = await fundedActor(t, 10_000);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await get(actor, '/user/buy/activation/indonesia/any/telegram')).json().id);
      t.clock.advance(1000);
    }
    const page = async (query: string) => (await get(actor, `/user/orders?category=activation${query}`)).json();

    const first = await page('&limit=2&offset=0&order=id');
    expect(Object.keys(first).sort()).toEqual(['Data', 'ProductNames', 'Statuses', 'Total']);
    expect(first.Total).toBe(5);
    expect(ids.every((id) => Number.isSafeInteger(id))).toBe(true);
    expect(first.Data.map((o: { id: number }) => o.id)).toEqual(ids.slice(0, 2));
    expect((await page('&limit=2&offset=4')).Data.map((o: { id: number }) => o.id)).toEqual(ids.slice(4));
    expect((await page('&limit=15&offset=0&order=id&reverse=true')).Data.map((o: { id: number }) => o.id)).toEqual([...ids].reverse());
    expect((await page('&limit=2&offset=10')).Data).toEqual([]);
    // Each entry is an order as check shows it.
    expect(first.Data[0]).toMatchObject({ product: 'telegram', country: 'indonesia', operator: 'any', status: 'RECEIVED', sms: [] });
    expect((await page('')).Data).toHaveLength(5);
  });

  it('hosting: otpbox sells activations only, so the hosting history is empty', async () => {
    const actor = await fundedActor(t, 1000);
    await get(actor, '/user/buy/activation/indonesia/any/telegram');
    expect((await get(actor, '/user/orders?category=hosting')).json()).toEqual({ Data: [], ProductNames: [], Statuses: [], Total: 0 });
  });

  it('refuses a missing category and bad paging parameters in words', async () => {
    const actor = await fundedActor(t, 0);
    expect(refusal(await get(actor, '/user/orders'))).toBe('400 bad category');
    expect(refusal(await get(actor, '/user/orders?category=rent'))).toBe('400 bad category');
    expect(refusal(await get(actor, '/user/orders?category=activation&limit=0'))).toBe('400 bad limit');
    expect(refusal(await get(actor, '/user/orders?category=activation&limit=501'))).toBe('400 bad limit');
    expect(refusal(await get(actor, '/user/orders?category=activation&offset=-1'))).toBe('400 bad offset');
    expect(refusal(await get(actor, '/user/orders?category=activation&order=price'))).toBe('400 bad order');
    expect(refusal(await get(actor, '/user/orders?category=activation&reverse=maybe'))).toBe('400 bad reverse');
    expect(refusal(await get(undefined, '/user/orders?category=activation'))).toBe('401 ');
  });

  it("never shows another account's orders", async () => {
    const owner = await fundedActor(t, 1000);
    await get(owner, '/user/buy/activation/indonesia/any/telegram');
    const other = await fundedActor(t, 0);
    expect((await get(other, '/user/orders?category=activation')).json()).toMatchObject({ Data: [], Total: 0 });
  });
});

describe('guest endpoints (public)', () => {
  const catalog = () => t.orders.activations.catalog;
  const telegramIndonesia = () => {
    const stock = catalog().countryAvailability('ID', 'tg');
    return { cost: units(stock.fromPrice ?? 0), count: stock.available };
  };

  it('answer without a token, and with a token that does not check out (5sim ignores it there)', async () => {
    for (const headers of [{}, { authorization: 'Bearer eyJhbGciOiJSUzUxMiJ9.bogus.token' }] as Record<string, string>[]) {
      for (const path of ['/guest/countries', '/guest/products/indonesia/any', '/guest/prices?country=indonesia']) {
        expect((await get(undefined, path, headers)).statusCode, path).toBe(200);
      }
    }
  });

  it('guest/countries: {name: {iso: {xx: 1}, prefix: {"+NN": 1}, text_en, <operator>: {activation: 1}}}', async () => {
    const countries = (await get(undefined, '/guest/countries')).json();
    expect(countries.indonesia).toEqual({ iso: { id: 1 }, prefix: { '+62': 1 }, text_en: 'Indonesia', any: { activation: 1 } });
    expect(countries.england).toMatchObject({ iso: { gb: 1 }, prefix: { '+44': 1 } });
    for (const name of Object.keys(countries))
      expect(isoFromFivesimCountry(name), name).toBe(Object.keys(countries[name].iso)[0]?.toUpperCase());
  });

  it('guest/products/{country}/any: {product: {Category, Qty, Price}}; a bad country or operator refused', async () => {
    const products = (await get(undefined, '/guest/products/indonesia/any')).json();
    const { cost, count } = telegramIndonesia();
    expect(products.telegram).toEqual({ Category: 'activation', Qty: count, Price: cost });
    for (const name of Object.keys(products)) expect(serviceFromFivesimProduct(name), name).toBeDefined();
    expect(refusal(await get(undefined, '/guest/products/__probe__/any'))).toBe('400 bad country');
    expect(refusal(await get(undefined, '/guest/products/indonesia/virtual21'))).toBe('400 bad operator');
  });

  it('guest/prices nests country → product → operator, or product first when only the product is given', async () => {
    const entry = { any: telegramIndonesia() };
    const all = (await get(undefined, '/guest/prices')).json();
    expect(all.indonesia.telegram).toEqual(entry);
    expect(Object.keys(all).length).toBeGreaterThan(10);
    const byCountry = (await get(undefined, '/guest/prices?country=indonesia')).json();
    expect(Object.keys(byCountry)).toEqual(['indonesia']);
    expect(byCountry.indonesia.telegram).toEqual(entry);
    expect((await get(undefined, '/guest/prices?country=indonesia&product=telegram')).json()).toEqual({ indonesia: { telegram: entry } });
    const byProduct = (await get(undefined, '/guest/prices?product=telegram')).json();
    expect(Object.keys(byProduct)).toEqual(['telegram']);
    expect(byProduct.telegram.indonesia).toEqual(entry);
    // Every priced pair is one a 5sim client can buy: both names are in the table.
    for (const [country, products] of Object.entries(all as Record<string, Record<string, unknown>>)) {
      expect(isoFromFivesimCountry(country), country).toBeDefined();
      for (const product of Object.keys(products)) expect(serviceFromFivesimProduct(product), product).toBeDefined();
    }
  });

  it('guest/prices refuses unknown names as 5sim does', async () => {
    expect(refusal(await get(undefined, '/guest/prices?country=england&product=__probe__'))).toBe('400 product is incorrect');
    expect(refusal(await get(undefined, '/guest/prices?country=__probe__&product=telegram'))).toBe('400 country is incorrect');
  });

  it('a price shown here is what a buy pays', async () => {
    const actor = await fundedActor(t, 10_000);
    const shown = (await get(undefined, '/guest/prices?country=indonesia&product=telegram')).json().indonesia.telegram.any.cost;
    expect((await get(actor, '/user/buy/activation/indonesia/any/telegram')).json().price).toBe(shown);
  });
});
