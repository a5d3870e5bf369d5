import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { countryByCode, formatPhone } from '../../../modules/catalog/index.ts';
import { SANDBOX_NUMBER_COUNTRIES, SANDBOX_OFFERS, sandboxNumber } from '../catalog.ts';

/** Countries whose numbers come from a range published for fiction; the others use unassigned blocks. */
const FICTION_RANGES = ['US', 'CA', 'GB', 'AU', 'FR', 'SE', 'DE'];

/** The first thousand sequences, then a spread over the whole range of safe integers. */
const SEQUENCES = [...Array.from({ length: 1000 }, (_, i) => i), ...Array.from({ length: 500 }, (_, i) => (i * 2_654_435_761) % 2 ** 40)];

const numbersOf = (country: string) => SEQUENCES.map((n) => sandboxNumber(country, n));

describe('sandboxNumber', () => {
  it('has numbers for every country the sandbox sells in', () => {
    for (const country of new Set(SANDBOX_OFFERS.map((o) => o.country))) expect(SANDBOX_NUMBER_COUNTRIES).toContain(country);
  });

  it('writes well-formed E.164 numbers of the right country', () => {
    for (const country of SANDBOX_NUMBER_COUNTRIES) {
      const dial = countryByCode(country)?.dialCode;
      expect(dial, country).toBeDefined();
      for (const e164 of numbersOf(country).slice(0, 50)) {
        expect(e164, country).toMatch(new RegExp(`^\\+${dial}\\d+$`));
        expect(e164.length - 1, e164).toBeLessThanOrEqual(15);
        const phone = parsePhoneNumberFromString(e164);
        expect(phone?.isPossible(), e164).toBe(true);
        expect(phone?.getPossibleCountries(), e164).toContain(country);
      }
    }
  });

  it('uses the NANP fiction range 555-0100 to 555-0199 in the US and Canada', () => {
    for (const country of ['US', 'CA']) {
      const numbers = numbersOf(country);
      for (const e164 of numbers) {
        expect(e164).toMatch(/^\+1[2-9]\d{2}55501\d{2}$/);
        expect(parsePhoneNumberFromString(e164)?.country, e164).toBe(country);
      }
      expect(new Set(numbers).size, country).toBeGreaterThanOrEqual(500);
    }
  });

  it("uses Ofcom's drama range 07700 900000 to 07700 900999 in the UK", () => {
    const numbers = numbersOf('GB');
    for (const e164 of numbers) expect(e164).toMatch(/^\+447700900\d{3}$/);
    expect(new Set(numbers.slice(0, 1000)).size).toBe(1000);
    expect(formatPhone(sandboxNumber('GB', 123)).national).toBe('07700 900123');
  });

  it("uses the ACMA's fictitious mobile numbers in Australia", () => {
    const acma = new Set(['+61491570156', '+61491570157', '+61491570158', '+61491570159', '+61491570110']);
    const numbers = numbersOf('AU');
    for (const e164 of numbers) expect(acma.has(e164), e164).toBe(true);
    expect(new Set(numbers)).toEqual(acma);
  });

  it("uses ARCEP's fiction block 06 39 98 in France", () => {
    for (const e164 of numbersOf('FR')) expect(e164).toMatch(/^\+3363998\d{4}$/);
  });

  it("uses PTS's fiction range 070-174 06 05 to 070-174 06 99 in Sweden", () => {
    const numbers = numbersOf('SE');
    for (const e164 of numbers) {
      const last = Number(/^\+4670174(\d{4})$/.exec(e164)?.[1]);
      expect(last >= 605 && last <= 699, e164).toBe(true);
    }
    expect(new Set(numbers).size).toBe(95);
  });

  it("uses the Bundesnetzagentur's drama numbers in Germany", () => {
    for (const e164 of numbersOf('DE')) expect(e164).toMatch(/^\+49(?:3023125|6990009|4066969|2214710|8999998)\d{3}$/);
  });

  it('elsewhere uses well-formed numbers that no numbering plan assigns', () => {
    for (const country of SANDBOX_NUMBER_COUNTRIES.filter((c) => !FICTION_RANGES.includes(c))) {
      for (const e164 of numbersOf(country)) {
        const phone = parsePhoneNumberFromString(e164);
        expect(phone?.isPossible(), `${e164} is not of a possible length`).toBe(true);
        expect(phone?.isValid(), `${e164} (${country}) is in an assigned range`).toBe(false);
      }
    }
  });

  it('is formatted by formatPhone, which tells its country', () => {
    for (const country of SANDBOX_NUMBER_COUNTRIES) {
      const e164 = sandboxNumber(country, 42);
      const formatted = formatPhone(e164);
      expect(formatted.international, e164).toMatch(new RegExp(`^\\+${countryByCode(country)?.dialCode} \\d`));
      expect(formatted.international.replace(/\s/g, ''), e164).toBe(e164);
      expect(formatted.national, e164).not.toBe(e164);
      expect(formatted.country, e164).toBe(country);
    }
  });

  it('gives the same number for the same arguments, in any case of the country code', () => {
    expect(sandboxNumber('us', 7)).toBe(sandboxNumber('US', 7));
    expect(sandboxNumber('ID', 123_456)).toBe(sandboxNumber('ID', 123_456));
    expect(sandboxNumber('ID', 1)).not.toBe(sandboxNumber('ID', 2));
  });

  it('refuses a country without numbers and a sequence that is not a non-negative integer', () => {
    expect(() => sandboxNumber('AQ', 0)).toThrow(RangeError);
    expect(() => sandboxNumber('US', -1)).toThrow(RangeError);
    expect(() => sandboxNumber('US', 1.5)).toThrow(RangeError);
    expect(() => sandboxNumber('US', Number.NaN)).toThrow(RangeError);
  });
});
