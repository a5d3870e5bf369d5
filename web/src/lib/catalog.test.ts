import { describe, expect, it } from 'vitest';
import { fold, matchesCountry, matchesService, mergeMatches, sortCountries, sortServices } from './catalog.ts';
import type { Country, Service } from './types.ts';

const country = (code: string, name: string, fromPrice: number | null, available: number, dialCode = '1'): Country => ({
  code,
  name,
  dialCode,
  flag: '',
  available,
  fromPrice,
});
const service = (code: string, name: string, available: number): Service => ({
  code,
  name,
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
  it('ignores case and accents, and finds countries by code and calling code', () => {
    expect(fold('Côte d’Ivoire')).toBe('cote divoire');
    expect(matchesCountry(country('CI', 'Côte d’Ivoire', 1, 1, '225'), 'cote')).toBe(true);
    expect(matchesCountry(country('ID', 'Indonesia', 1, 1, '62'), 'id')).toBe(true);
    expect(matchesCountry(country('ID', 'Indonesia', 1, 1, '62'), '+62')).toBe(true);
    expect(matchesCountry(country('IN', 'India', 1, 1, '91'), '+62')).toBe(false);
    expect(matchesService(service('tg', 'Telegram', 1), 'TELE')).toBe(true);
    expect(matchesService(service('tg', 'Telegram', 1), 'whats')).toBe(false);
  });

  it('adds what the server search found (other names) to the local matches, in the list order', () => {
    const all = [service('tg', 'Telegram', 1), service('go', 'Google', 1), service('wa', 'WhatsApp', 1)];
    expect(mergeMatches([], [service('go', 'Google', 1)], all).map((s) => s.code)).toEqual(['go']);
    expect(mergeMatches([all[2] as Service], [all[0] as Service], all).map((s) => s.code)).toEqual(['tg', 'wa']);
    expect(mergeMatches([all[1] as Service], undefined, all).map((s) => s.code)).toEqual(['go']);
  });
});
