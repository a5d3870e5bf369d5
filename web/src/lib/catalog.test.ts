import { describe, expect, it } from 'vitest';
import { countryRank, searchServices, sortCountries, sortServices } from './catalog.ts';
import type { Country, Service } from './types.ts';

const country = (
  code: string,
  name: string,
  fromPrice: number | null,
  available: number,
  dialCode = '1',
  aliases: string[] = [],
): Country => ({
  code,
  name,
  dialCode,
  aliases,
  flag: '',
  available,
  fromPrice,
});
const service = (code: string, name: string, available: number, aliases: string[] = []): Service => ({
  code,
  name,
  aliases,
  icon: null,
  color: null,
  available,
  fromPrice: available > 0 ? 10 : null,
});

describe('sortCountries', () => {
  const countries = [
    country('DE', 'Germany', 150, 500),
    country('ID', 'Indonesia', 18, 9400),
    country('BD', 'Bangladesh', 15, 3900),
    country('AF', 'Afghanistan', null, 0),
    country('VN', 'Vietnam', 18, 12000),
    country('TR', 'Turkey', 45, 0),
  ];

  it('puts countries with stock first, cheapest first, the better stocked first at equal price', () => {
    const { inStock, outOfStock } = sortCountries(countries, []);
    expect(inStock.map((c) => c.code)).toEqual(['BD', 'VN', 'ID', 'DE']);
    expect(outOfStock.map((c) => c.code)).toEqual(['AF', 'TR']);
  });

  it('puts remembered favourites with stock before everything, never a favourite without stock', () => {
    const { inStock, outOfStock } = sortCountries(countries, ['DE', 'TR']);
    expect(inStock.map((c) => c.code)).toEqual(['DE', 'BD', 'VN', 'ID']);
    expect(outOfStock.map((c) => c.code)).toEqual(['AF', 'TR']);
  });
});

describe('sortServices', () => {
  it('keeps the server order (most used first), favourites first in the order chosen, services without stock last', () => {
    const services = [service('tg', 'Telegram', 10), service('wa', 'WhatsApp', 0), service('go', 'Google', 5), service('ds', 'Discord', 3)];
    expect(sortServices(services, []).map((s) => s.code)).toEqual(['tg', 'go', 'ds', 'wa']);
    expect(sortServices(services, ['ds', 'wa']).map((s) => s.code)).toEqual(['ds', 'wa', 'tg', 'go']);
  });
});

describe('search', () => {
  const services = [
    service('tg', 'Telegram', 10, ['tg']),
    service('wa', 'WhatsApp', 10, ['whatsapp business', 'wa']),
    service('go', 'Google', 10, ['youtube', 'gmail', 'google play']),
    service('am', 'Amazon', 10, ['amazon prime', 'prime video', 'aws']),
    service('uk', 'Airbnb', 10),
    service('mb', 'Yahoo', 10, ['yahoo mail']),
    service('ma', 'Mail.ru', 10, ['mailru']),
    service('ya', 'Yandex', 10, ['яндекс', 'yandex go']),
  ];
  const found = (query: string) => searchServices(services, query).map((s) => s.code);

  it('finds services by name and alias from the start of a word, never by our provider codes or inside a word', () => {
    expect(found('uk')).toEqual([]);
    expect(found('gram')).toEqual([]);
    expect(found('bnb')).toEqual([]);
    expect(found('TELE')).toEqual(['tg']);
    expect(found('youtube')).toEqual(['go']);
    expect(found('whats app')).toEqual(['wa']);
    expect(found('ЯНДЕКС')).toEqual(['ya']);
    expect(found('video')).toEqual(['am']);
    expect(found('whats')).toEqual(['wa']);
    expect(found('')).toEqual(services.map((s) => s.code));
  });

  it('puts an exact name first, then names that start with the query, then later words', () => {
    expect(found('go')).toEqual(['go', 'ya']);
    expect(found('mail')).toEqual(['ma', 'mb']);
    expect(found('a')).toEqual(['am', 'uk']);
  });

  it('finds countries by code, calling code, name and alias: "uk" is the United Kingdom first, then Ukraine', () => {
    const gb = country('GB', 'United Kingdom', 1, 1, '44', ['UK', 'England', 'Great Britain', 'Britain']);
    const ua = country('UA', 'Ukraine', 1, 1, '380');
    const ci = country('CI', 'Côte d’Ivoire', 1, 1, '225', ['Ivory Coast']);
    const id = country('ID', 'Indonesia', 1, 1, '62');
    const rank = (c: Country, query: string) => countryRank(c, query);
    expect(rank(gb, 'uk')).toBe(0);
    expect(rank(ua, 'uk')).toBe(1);
    expect(rank(ci, 'cote')).toBe(1);
    expect(rank(ci, 'ivory')).toBe(1);
    expect(rank(ci, 'coast')).toBe(2);
    expect(rank(gb, 'land')).toBeUndefined();
    expect(rank(id, 'id')).toBe(0);
    expect(rank(id, '+62')).toBe(0);
    expect(rank(id, '6')).toBe(1);
    expect(rank(country('IN', 'India', 1, 1, '91'), '+62')).toBeUndefined();
    expect(rank(id, '')).toBe(0);
  });

  it('sorts countries by how well they match before favourites and price', () => {
    const gb = country('GB', 'United Kingdom', 90, 10, '44', ['UK']);
    const ua = country('UA', 'Ukraine', 20, 10, '380');
    const ranks = new Map([
      ['GB', 0],
      ['UA', 1],
    ]);
    expect(sortCountries([ua, gb], ['UA'], (c) => ranks.get(c.code) ?? 0).inStock.map((c) => c.code)).toEqual(['GB', 'UA']);
    expect(sortCountries([ua, gb], []).inStock.map((c) => c.code)).toEqual(['UA', 'GB']);
  });
});
