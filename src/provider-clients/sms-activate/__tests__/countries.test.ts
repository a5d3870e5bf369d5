import { describe, expect, it } from 'vitest';
import { isoFromSmsActivateId, SMS_ACTIVATE_COUNTRIES, smsActivateCountry, smsActivateCountryId } from '../countries.ts';

const ANCHORS: Record<string, number> = {
  RU: 0,
  UA: 1,
  KZ: 2,
  CN: 3,
  PH: 4,
  ID: 6,
  MY: 7,
  VN: 10,
  GB: 16,
  IN: 22,
  CA: 36,
  DE: 43,
  TH: 52,
  TR: 62,
  BR: 73,
  FR: 78,
  IT: 86,
  US: 187,
};

describe('SMS-Activate country table', () => {
  it('holds the documented anchors both ways', () => {
    for (const [iso, id] of Object.entries(ANCHORS)) {
      expect(smsActivateCountryId(iso), iso).toBe(id);
      expect(isoFromSmsActivateId(id), String(id)).toBe(iso);
    }
  });

  it('resolves the virtual USA id to US but buys US numbers under the real id', () => {
    expect(isoFromSmsActivateId(12)).toBe('US');
    expect(smsActivateCountry(12)?.virtual).toBe(true);
    expect(smsActivateCountryId('US')).toBe(187);
  });

  it('is the complete list: ids 0–204 except the unnamed 202, each id once', () => {
    const ids = SMS_ACTIVATE_COUNTRIES.map((country) => country.id);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = Array.from({ length: 205 }, (_, id) => id).filter((id) => id !== 202);
    expect([...ids].sort((a, b) => a - b)).toEqual(expected);
  });

  it('uses only ISO codes that name a region, and names it differently from the code', () => {
    const regions = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const country of SMS_ACTIVATE_COUNTRIES) {
      expect(country.iso, `${country.id}`).toMatch(/^[A-Z]{2}$/);
      const name = regions.of(country.iso);
      expect(name, `${country.id} ${country.iso}`).toBeTruthy();
      expect(name, `${country.id} ${country.iso}`).not.toBe(country.iso);
      // Aliases such as UK (for GB) also have a name; canonical form shows them.
      expect(Intl.getCanonicalLocales(`und-${country.iso}`), `${country.id} ${country.iso}`).toEqual([`und-${country.iso}`]);
    }
  });

  it('maps no ISO code to two real ids, and every virtual id has a real twin', () => {
    const real = SMS_ACTIVATE_COUNTRIES.filter((country) => !country.virtual);
    const isos = real.map((country) => country.iso);
    expect(isos.filter((iso, index) => isos.indexOf(iso) !== index)).toEqual([]);
    for (const virtual of SMS_ACTIVATE_COUNTRIES.filter((country) => country.virtual)) {
      expect(isos, `${virtual.id}`).toContain(virtual.iso);
    }
  });

  it('round-trips every real entry and sends every virtual one to its real twin', () => {
    for (const country of SMS_ACTIVATE_COUNTRIES) {
      const iso = isoFromSmsActivateId(country.id);
      expect(iso).toBe(country.iso);
      const back = smsActivateCountryId(country.iso);
      if (country.virtual) {
        expect(back).not.toBe(country.id);
        expect(back === undefined ? undefined : smsActivateCountry(back)?.virtual).toBeUndefined();
      } else {
        expect(back).toBe(country.id);
      }
    }
  });

  it('reads ids as the protocol sends them and refuses what it does not know', () => {
    expect(isoFromSmsActivateId('187')).toBe('US');
    expect(isoFromSmsActivateId(' 16 ')).toBe('GB');
    expect(smsActivateCountryId('gb')).toBe(16);
    for (const unknown of [202, 205, 999, -1, 1.5, Number.NaN]) expect(isoFromSmsActivateId(unknown), String(unknown)).toBeUndefined();
    for (const unknown of ['', 'abc', '1e2', '0x10', '12a']) expect(isoFromSmsActivateId(unknown), unknown).toBeUndefined();
    for (const unknown of ['', 'ZZ', 'USA', 'EU']) expect(smsActivateCountryId(unknown), unknown).toBeUndefined();
  });
});
