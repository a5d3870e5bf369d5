import { getCountryCallingCode } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { fivesimCountries } from '../../../provider-clients/fivesim/names.ts';
import { SMS_ACTIVATE_COUNTRIES } from '../../../provider-clients/sms-activate/countries.ts';
import { COUNTRIES, countryByCode, formatPhone, searchCountries } from '../countries.ts';

const regionName = new Intl.DisplayNames(['en'], { type: 'region' });
const codes = (countries: readonly { code: string }[]) => countries.map((country) => country.code);

describe('COUNTRIES', () => {
  it('is exactly the countries of the SMS-Activate and 5sim tables', () => {
    const providers = new Set([...SMS_ACTIVATE_COUNTRIES.map((country) => country.iso), ...fivesimCountries.map(([, iso]) => iso)]);
    const ours = new Set(codes(COUNTRIES));
    for (const iso of providers) expect(ours.has(iso), `${iso} is sold by a provider but missing here`).toBe(true);
    for (const iso of ours) expect(providers.has(iso), `${iso} is here but no provider sells it`).toBe(true);
    expect(COUNTRIES).toHaveLength(ours.size);
  });

  it('uses only ISO codes that name a real region', () => {
    for (const { code, name } of COUNTRIES) {
      expect(code).toMatch(/^[A-Z]{2}$/);
      expect(regionName.of(code), code).not.toBe(code);
      expect(name, code).toBe(regionName.of(code));
    }
  });

  it('gives each country its calling code', () => {
    for (const { code, dialCode } of COUNTRIES) {
      expect(dialCode, code).toMatch(/^[1-9]\d{0,2}$/);
      expect(dialCode, code).toBe(getCountryCallingCode(code as Parameters<typeof getCountryCallingCode>[0]));
    }
    expect(countryByCode('ID')?.dialCode).toBe('62');
    expect(countryByCode('US')?.dialCode).toBe('1');
    expect(countryByCode('KZ')?.dialCode).toBe('7');
  });

  it('gives each country the two regional indicators of its code as flag', () => {
    for (const { code, flag } of COUNTRIES) {
      const points = [...flag].map((char) => char.codePointAt(0));
      expect(points, code).toEqual([...code].map((letter) => 0x1f1e6 + letter.charCodeAt(0) - 65));
    }
    expect(countryByCode('ID')?.flag).toBe('🇮🇩');
  });

  it('is sorted by name', () => {
    const names = COUNTRIES.map((country) => country.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('looks codes up in any case', () => {
    expect(countryByCode('id')?.name).toBe('Indonesia');
    expect(countryByCode(' gb ')?.name).toBe('United Kingdom');
    expect(countryByCode('ZZ')).toBeUndefined();
    expect(countryByCode('')).toBeUndefined();
  });
});

describe('searchCountries', () => {
  it('returns every country for an empty query', () => {
    expect(codes(searchCountries(''))).toEqual(codes(COUNTRIES));
  });

  it('finds countries by name, ignoring case and accents on both sides', () => {
    expect(codes(searchCountries('indonesia'))).toEqual(['ID']);
    expect(codes(searchCountries('INDO'))[0]).toBe('ID');
    expect(codes(searchCountries('Reunion'))).toEqual(['RE']);
    expect(codes(searchCountries("cote d'ivoire"))).toEqual(['CI']);
    expect(codes(searchCountries('São Tomé'))).toEqual(['ST']);
    expect(codes(searchCountries('bosnia and herzegovina'))).toEqual(['BA']);
  });

  it('finds countries by the names people and providers use', () => {
    expect(codes(searchCountries('usa'))[0]).toBe('US');
    expect(codes(searchCountries('UK'))[0]).toBe('GB');
    expect(codes(searchCountries('england'))).toEqual(['GB']);
    expect(codes(searchCountries('turkey'))).toEqual(['TR']);
    expect(codes(searchCountries('ivory coast'))).toEqual(['CI']);
  });

  it('puts an alias before names that merely start with the query, and never matches inside a word', () => {
    expect(codes(searchCountries('uk'))).toEqual(['GB', 'UA']);
    expect(codes(searchCountries('land'))).toEqual([]);
    expect(codes(searchCountries('stan'))).toEqual([]);
    expect(codes(searchCountries('guinea'))).toEqual(['GN', 'GW', 'GQ', 'PG']);
    expect(codes(searchCountries('korea'))[0]).toBe('KR');
    expect(codes(searchCountries('kinshasa'))).toEqual(['CD']);
    expect(codes(searchCountries('ivoire'))).toEqual(['CI']);
  });

  it('finds a country by its code first', () => {
    expect(codes(searchCountries('id'))[0]).toBe('ID');
    expect(codes(searchCountries('in'))[0]).toBe('IN');
    expect(codes(searchCountries('in'))).toContain('ID');
  });

  it('finds countries by calling code, with or without +', () => {
    expect(codes(searchCountries('62'))).toEqual(['ID']);
    expect(codes(searchCountries('+62'))).toEqual(['ID']);
    expect(codes(searchCountries('+1'))).toEqual(expect.arrayContaining(['US', 'CA', 'PR', 'JM']));
    expect(codes(searchCountries('7'))).toEqual(expect.arrayContaining(['RU', 'KZ']));
    expect(codes(searchCountries('44')).slice(0, 2).sort()).toEqual(['GB', 'JE']);
  });

  it('finds nothing for a word no country has', () => {
    expect(searchCountries('atlantis')).toEqual([]);
    expect(searchCountries('+999')).toEqual([]);
  });
});

describe('formatPhone', () => {
  it('formats a number for display, internationally and nationally', () => {
    expect(formatPhone('+6281234567890')).toEqual({ international: '+62 812 3456 7890', national: '0812-3456-7890', country: 'ID' });
    expect(formatPhone('+12025550123')).toEqual({ international: '+1 202 555 0123', national: '(202) 555-0123', country: 'US' });
    expect(formatPhone('+79123456789')).toMatchObject({ international: '+7 912 345 67 89', country: 'RU' });
  });

  it('formats well-formed numbers nobody holds, with the country their calling code means', () => {
    expect(formatPhone('+447700900123')).toEqual({ international: '+44 7700 900123', national: '07700 900123', country: 'GB' });
  });

  it('returns bad input unchanged, with no country, and never throws', () => {
    const bad = [
      '',
      ' ',
      'hello',
      '+',
      '+62',
      '+62 812',
      '12025550123',
      '+999 123 456 789',
      '+1 202 555 0123 456 789 000',
      '\u0000',
      '+'.repeat(5000),
    ];
    for (const input of bad)
      expect(formatPhone(input), JSON.stringify(input)).toEqual({ international: input, national: input, country: null });
  });
});
