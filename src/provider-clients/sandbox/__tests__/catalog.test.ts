import { afterEach, describe, expect, it, vi } from 'vitest';
import { countryByCode, serviceByCode } from '../../../modules/catalog/index.ts';
import { SANDBOX_NUMBER_COUNTRIES, SANDBOX_OFFERS } from '../catalog.ts';

const offer = (service: string, country: string) => SANDBOX_OFFERS.find((o) => o.service === service && o.country === country);
const usd = (dollars: number) => Math.round(dollars * 1_000_000);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SANDBOX_OFFERS', () => {
  it('names only services and countries of the catalogue, each pair once', () => {
    const pairs = new Set<string>();
    for (const { service, country } of SANDBOX_OFFERS) {
      expect(serviceByCode(service), service).toBeDefined();
      expect(countryByCode(country), country).toBeDefined();
      expect(SANDBOX_NUMBER_COUNTRIES, `no sandbox numbers for ${country}`).toContain(country);
      const pair = `${service}:${country}`;
      expect(pairs.has(pair), pair).toBe(false);
      pairs.add(pair);
    }
  });

  it('sells the big three in about thirty countries and the rest in fewer', () => {
    const countriesOf = (service: string) => SANDBOX_OFFERS.filter((o) => o.service === service).length;
    for (const service of ['tg', 'wa', 'go']) expect(countriesOf(service), service).toBeGreaterThanOrEqual(30);
    expect(countriesOf('kt')).toBeLessThan(5);
    expect(new Set(SANDBOX_OFFERS.map((o) => o.service)).size).toBeGreaterThanOrEqual(40);
  });

  it('quotes positive whole micro-dollars and whole, non-negative stock', () => {
    for (const { service, country, cost, count } of SANDBOX_OFFERS) {
      expect(Number.isSafeInteger(cost) && cost > 0, `${service}:${country} cost ${cost}`).toBe(true);
      expect(Number.isSafeInteger(count) && count >= 0, `${service}:${country} count ${count}`).toBe(true);
    }
  });

  it('prices like a real provider', () => {
    for (const country of ['ID', 'IN', 'PH']) {
      const cost = offer('tg', country)?.cost ?? 0;
      expect(cost, `tg:${country}`).toBeGreaterThanOrEqual(usd(0.1));
      expect(cost, `tg:${country}`).toBeLessThanOrEqual(usd(0.4));
    }
    for (const country of ['US', 'GB']) {
      const cost = offer('tg', country)?.cost ?? 0;
      expect(cost, `tg:${country}`).toBeGreaterThanOrEqual(usd(0.5));
      expect(cost, `tg:${country}`).toBeLessThanOrEqual(usd(2.5));
    }
    for (const wa of SANDBOX_OFFERS.filter((o) => o.service === 'wa')) {
      const tg = offer('tg', wa.country);
      expect(tg, wa.country).toBeDefined();
      expect(wa.cost, `wa vs tg in ${wa.country}`).toBeGreaterThan(tg?.cost ?? Number.POSITIVE_INFINITY);
    }
  });

  it('has some pairs with no numbers, WhatsApp in Turkey among them, and stock almost everywhere else', () => {
    const empty = SANDBOX_OFFERS.filter((o) => o.count === 0);
    expect(offer('wa', 'TR')?.count).toBe(0);
    expect(empty.length).toBeGreaterThanOrEqual(5);
    expect(empty.length).toBeLessThan(SANDBOX_OFFERS.length / 5);
    expect(offer('tg', 'US')?.count).toBeGreaterThan(0);
  });

  it('is the same on every start, without Math.random', async () => {
    const random = vi.spyOn(Math, 'random');
    vi.resetModules();
    const fresh = await import('../catalog.ts');
    expect(fresh.SANDBOX_OFFERS).not.toBe(SANDBOX_OFFERS);
    expect(fresh.SANDBOX_OFFERS).toEqual(SANDBOX_OFFERS);
    expect(random).not.toHaveBeenCalled();
  });
});
