import { describe, expect, it } from 'vitest';
import {
  fivesimCountries,
  fivesimCountryFromIso,
  fivesimProductFromService,
  fivesimServices,
  isoFromFivesimCountry,
  serviceFromFivesimProduct,
} from '../names.ts';

const regionName = new Intl.DisplayNames(['en'], { type: 'region' });
const letters = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

/** 5sim names that do not start like the country's English name, with the country they stand for. */
const SPELLED_DIFFERENTLY: Record<string, string> = {
  england: 'GB',
  usa: 'US',
  bih: 'BA',
  tit: 'TT',
  easttimor: 'TL',
  ivorycoast: 'CI',
  salvador: 'SV',
  swaziland: 'SZ',
  saintkittsandnevis: 'KN',
  saintlucia: 'LC',
  saintvincentandgrenadines: 'VC',
  virginislands: 'VG',
};

describe('5sim countries', () => {
  it('maps the anchors both ways', () => {
    const anchors: Record<string, string> = {
      russia: 'RU',
      usa: 'US',
      england: 'GB',
      indonesia: 'ID',
      germany: 'DE',
      india: 'IN',
      brazil: 'BR',
      kazakhstan: 'KZ',
      philippines: 'PH',
      dominicana: 'DO',
      dominica: 'DM',
      czech: 'CZ',
    };
    for (const [name, iso] of Object.entries(anchors)) {
      expect(isoFromFivesimCountry(name), name).toBe(iso);
      expect(fivesimCountryFromIso(iso), iso).toBe(name);
    }
  });

  it('uses only ISO codes that name a real region', () => {
    for (const [name, iso] of fivesimCountries) {
      expect(iso, name).toMatch(/^[A-Z]{2}$/);
      const display = regionName.of(iso);
      expect(display, `${name} → ${iso}`).toBeDefined();
      expect(display, `${name} → ${iso}`).not.toBe(iso);
    }
  });

  it('gives each name the country whose English name it spells, or one of the known odd spellings', () => {
    for (const [name, iso] of fivesimCountries) {
      const odd = SPELLED_DIFFERENTLY[name];
      if (odd) expect(iso, name).toBe(odd);
      else expect(letters(regionName.of(iso) ?? ''), `${name} → ${iso}`).toMatch(new RegExp(`^${name.slice(0, 4)}`));
    }
    for (const name of Object.keys(SPELLED_DIFFERENTLY)) expect(isoFromFivesimCountry(name), name).toBeDefined();
  });

  it('has no duplicate names or codes, and every entry round-trips', () => {
    const names = fivesimCountries.map(([name]) => name);
    const codes = fivesimCountries.map(([, iso]) => iso);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, iso] of fivesimCountries) {
      expect(name).toMatch(/^[a-z]+$/);
      expect(fivesimCountryFromIso(isoFromFivesimCountry(name) ?? ''), name).toBe(name);
      expect(isoFromFivesimCountry(fivesimCountryFromIso(iso) ?? ''), iso).toBe(iso);
    }
  });

  it('normalises case and whitespace, and knows nothing it was not told', () => {
    expect(isoFromFivesimCountry(' England ')).toBe('GB');
    expect(fivesimCountryFromIso('gb')).toBe('england');
    expect(isoFromFivesimCountry('atlantis')).toBeUndefined();
    expect(isoFromFivesimCountry('any')).toBeUndefined();
    expect(fivesimCountryFromIso('XX')).toBeUndefined();
    expect(fivesimCountryFromIso('')).toBeUndefined();
  });
});

describe('5sim products', () => {
  it('maps the anchors both ways', () => {
    const anchors: Record<string, string> = {
      tg: 'telegram',
      wa: 'whatsapp',
      go: 'google',
      fb: 'facebook',
      ig: 'instagram',
      ds: 'discord',
      tw: 'twitter',
      am: 'amazon',
      ya: 'yandex',
      vi: 'viber',
      vk: 'vkontakte',
      ok: 'odnoklassniki',
      ot: 'other',
    };
    for (const [service, product] of Object.entries(anchors)) {
      expect(fivesimProductFromService(service), service).toBe(product);
      expect(serviceFromFivesimProduct(product), product).toBe(service);
    }
  });

  it('has well-formed, unique names and codes that round-trip', () => {
    const products = fivesimServices.map(([product]) => product);
    const services = fivesimServices.map(([, service]) => service);
    expect(new Set(products).size).toBe(products.length);
    expect(new Set(services).size).toBe(services.length);
    for (const [product, service] of fivesimServices) {
      expect(product).toMatch(/^[a-z0-9]+$/);
      expect(service).toMatch(/^[a-z0-9]{2,4}$/);
      expect(fivesimProductFromService(serviceFromFivesimProduct(product) ?? ''), product).toBe(product);
      expect(serviceFromFivesimProduct(fivesimProductFromService(service) ?? ''), service).toBe(service);
    }
  });

  it('normalises case and knows nothing it was not told', () => {
    expect(fivesimProductFromService('TG')).toBe('telegram');
    expect(serviceFromFivesimProduct('Telegram')).toBe('tg');
    expect(serviceFromFivesimProduct('openai')).toBeUndefined();
    expect(fivesimProductFromService('zz')).toBeUndefined();
  });
});
