import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor } from '../../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../../test/support/app.ts';
import { smsActivateCountryId } from '../../../../provider-clients/sms-activate/index.ts';
import { ceilingCredits } from '../../price-ceiling.ts';
import { unitsOf } from '../money.ts';
import { protocol } from './support.ts';

/** The catalogue actions as sms-activate.org/en/api2 documents their JSON. */
let t: TestApp;
let client: ReturnType<typeof protocol>;
beforeAll(async () => {
  t = await createTestApp();
  client = protocol(t, await createActor(t));
});
afterAll(() => t?.close());

const best = (service: string, iso: string) => {
  const stock = t.orders.activations.catalog.countryAvailability(iso, service);
  return { cost: Number(unitsOf(stock.fromPrice ?? 0, t.config.creditsPerUsd, 'up')), count: stock.available };
};

describe('catalogue actions', () => {
  it('getPrices: {country id: {service: {cost, count}}}, filtered by country and service', async () => {
    const all = (await client.call('getPrices')).json();
    expect(all['6'].tg).toEqual(best('tg', 'ID'));
    const one = (await client.call('getPrices', { country: 6, service: 'tg' })).json();
    expect(one).toEqual({ 6: { tg: best('tg', 'ID') } });
    expect((await client.call('getPrices', { country: 9999 })).json()).toEqual({});
  });

  it('getNumbersStatus: {"<service>_0": count} for a country', async () => {
    const counts = (await client.call('getNumbersStatus', { country: 6 })).json();
    expect(counts.tg_0).toBe(best('tg', 'ID').count);
    for (const key of Object.keys(counts)) expect(key).toMatch(/^[a-z0-9]+_0$/);
  });

  it('getCountries: every id of the table with the documented fields, visible where something is sold', async () => {
    const countries = (await client.call('getCountries')).json();
    expect(countries['6']).toMatchObject({ id: 6, eng: 'Indonesia', visible: 1 });
    expect(Object.keys(countries['6']).sort()).toEqual(['chn', 'eng', 'id', 'multiService', 'rent', 'retry', 'rus', 'visible']);
    expect(countries['12'].visible).toBe(0);
  });

  it('getServicesList: {status: success, services: [{code, name}]}', async () => {
    const list = (await client.call('getServicesList', { country: 6 })).json();
    expect(list.status).toBe('success');
    expect(list.services).toContainEqual({ code: 'tg', name: 'Telegram' });
  });

  it('getTopCountriesByService: {"0": {country, count, price, retail_price}}, most stock first; freePriceMap on request', async () => {
    const top = (await client.call('getTopCountriesByService', { service: 'tg' })).json();
    const rows = Object.keys(top)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => top[k]);
    expect(rows.length).toBeGreaterThan(1);
    expect(Object.keys(rows[0]).sort()).toEqual(['count', 'country', 'price', 'retail_price']);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].count).toBeGreaterThanOrEqual(rows[i].count);
    const indonesia = rows.find((row) => row.country === smsActivateCountryId('ID'));
    expect(indonesia).toMatchObject({ count: best('tg', 'ID').count, price: best('tg', 'ID').cost });
    const free = (await client.call('getTopCountriesByService', { service: 'tg', freePrice: 'true' })).json();
    const priced = Object.values(free) as { freePriceMap: Record<string, number>; count: number }[];
    for (const row of priced) expect(Object.values(row.freePriceMap).reduce((a, b) => a + b, 0)).toBe(row.count);
  });
});

describe('money', () => {
  it('credits ↔ units: a balance rounds down, a price up, a maxPrice down; the rate decides the decimals', () => {
    expect(unitsOf(1234, 100, 'down')).toBe('12.34');
    expect(unitsOf(5, 100, 'down')).toBe('0.05');
    expect(unitsOf(7, 3, 'down')).toBe('2.33');
    expect(unitsOf(7, 3, 'up')).toBe('2.34');
    expect(unitsOf(1234, 1000, 'down')).toBe('1.234');
    expect(ceilingCredits('2.34', 3)).toBe(7);
    expect(ceilingCredits('0.25', 100)).toBe(25);
    expect(ceilingCredits(' 1 ', 100)).toBe(100);
    expect(ceilingCredits('0,5', 100)).toBe(50);
    expect(ceilingCredits('-1', 100)).toBeUndefined();
    expect(ceilingCredits('abc', 100)).toBeUndefined();
    expect(ceilingCredits('Infinity', 100)).toBeUndefined();
  });

  it('reads a maxPrice in exponent notation as other clients send it, and caps a ceiling above every price', () => {
    expect(ceilingCredits('1e3', 100)).toBe(100_000);
    expect(ceilingCredits('2.5E-1', 100)).toBe(25);
    expect(ceilingCredits('1e300', 100)).toBe(Number.MAX_SAFE_INTEGER);
    // Past what a double holds, still a finite amount above every price: no ceiling, as 1e300 (a probe
    // got WRONG_MAX_PRICE for it, and 5sim's "bad maxPrice").
    expect(ceilingCredits('1e999', 100)).toBe(Number.MAX_SAFE_INTEGER);
    expect(ceilingCredits('1e999999999', 100)).toBe(Number.MAX_SAFE_INTEGER);
    expect(ceilingCredits('1e-999999999', 100)).toBe(0);
    // Read exactly, as a decimal is: just under a price stays under it (a probe bought at 0.17 with this).
    expect(ceilingCredits('1.6999999999e-1', 100)).toBe(16);
    expect(ceilingCredits('0.16999999999', 100)).toBe(16);
    expect(ceilingCredits('2.9e-1', 100)).toBe(29);
    expect(ceilingCredits('999999999999999999999999', 100)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
