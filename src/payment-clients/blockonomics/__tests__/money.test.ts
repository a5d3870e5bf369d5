import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyMinorDigits, fiatToSatoshis, formatBtc, MAX_SATOSHIS, parseDecimal } from '../money.ts';

describe('formatBtc', () => {
  it('writes eight decimals from integer satoshis', () => {
    expect(formatBtc(0)).toBe('0.00000000');
    expect(formatBtc(1)).toBe('0.00000001');
    expect(formatBtc(12_345)).toBe('0.00012345');
    expect(formatBtc(100_000_000)).toBe('1.00000000');
    expect(formatBtc(MAX_SATOSHIS)).toBe('21000000.00000000');
  });

  it('has none of the float errors of dividing by 1e8', () => {
    // 0.1 + 0.2 BTC, and amounts whose float quotient prints badly.
    expect(formatBtc(30_000_000)).toBe('0.30000000');
    expect(String(29 / 1e8)).toBe('2.9e-7');
    expect(formatBtc(29)).toBe('0.00000029');
  });

  it('round-trips every amount through its text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SATOSHIS }), (satoshis) => {
        const text = formatBtc(satoshis);
        expect(text).toMatch(/^\d+\.\d{8}$/);
        expect(Number(text.replace('.', ''))).toBe(satoshis);
      }),
    );
  });

  it('refuses what is not a number of satoshis', () => {
    expect(() => formatBtc(-1)).toThrow(RangeError);
    expect(() => formatBtc(0.5)).toThrow(/whole number of satoshis/);
    expect(() => formatBtc(MAX_SATOSHIS + 1)).toThrow(RangeError);
  });
});

describe('parseDecimal', () => {
  it('reads prices exactly, from numbers or text', () => {
    expect(parseDecimal(43251.23)).toEqual({ units: 4325123n, scale: 2 });
    expect(parseDecimal('65000.50')).toEqual({ units: 6500050n, scale: 2 });
    expect(parseDecimal(9750000)).toEqual({ units: 9750000n, scale: 0 });
    expect(parseDecimal(1e21)).toEqual({ units: 10n ** 21n, scale: 0 });
    expect(parseDecimal(2.9e-7)).toEqual({ units: 29n, scale: 8 });
  });

  it('refuses negative, non-finite and non-numeric values', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '', 'abc', '1,5', '0x10']) expect(parseDecimal(bad)).toBeNull();
  });
});

describe('currencyMinorDigits', () => {
  it('knows the usual exponents and refuses what is not a code', () => {
    expect(currencyMinorDigits('USD')).toBe(2);
    expect(currencyMinorDigits('JPY')).toBe(0);
    expect(currencyMinorDigits('BHD')).toBe(3);
    expect(() => currencyMinorDigits('usd')).toThrow(/ISO 4217/);
  });
});

describe('fiatToSatoshis', () => {
  const price = (text: string) => parseDecimal(text) ?? expect.unreachable();

  it('prices a package in satoshis and rounds up', () => {
    // USD 5.00 at 50000 per BTC = 0.0001 BTC exactly.
    expect(fiatToSatoshis({ amountMinor: 500, currency: 'USD' }, price('50000'))).toBe(10_000);
    // USD 4.99 at 65000.5: 7676.864… satoshis → 7677.
    expect(fiatToSatoshis({ amountMinor: 499, currency: 'USD' }, price('65000.5'))).toBe(7677);
    // JPY has no minor unit: JPY 1500 at 9750000 per BTC = 15384.61… → 15385.
    expect(fiatToSatoshis({ amountMinor: 1500, currency: 'JPY' }, price('9750000'))).toBe(15_385);
    expect(fiatToSatoshis({ amountMinor: 1500, currency: 'XXX', minorDigits: 0 }, price('9750000'))).toBe(15_385);
  });

  it('never asks for less than the price, nor one satoshi more than needed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 100, max: 100_000_000_000 }),
        fc.integer({ min: 0, max: 4 }),
        (amountMinor, priceUnits, scale) => {
          const perBtc = { units: BigInt(priceUnits), scale };
          const satoshis = BigInt(fiatToSatoshis({ amountMinor, currency: 'USD' }, perBtc));
          // Both sides in 10^-(2 + scale + 8) dollars: what the satoshis are worth vs the amount asked.
          const asked = BigInt(amountMinor) * 10n ** BigInt(scale) * 100_000_000n;
          expect(satoshis * perBtc.units * 100n).toBeGreaterThanOrEqual(asked);
          expect((satoshis - 1n) * perBtc.units * 100n).toBeLessThan(asked);
        },
      ),
    );
  });

  it('refuses a zero price, a bad amount, or more bitcoin than exists', () => {
    expect(() => fiatToSatoshis({ amountMinor: 500, currency: 'USD' }, { units: 0n, scale: 0 })).toThrow(/positive/);
    expect(() => fiatToSatoshis({ amountMinor: 0, currency: 'USD' }, price('50000'))).toThrow(/positive integer/);
    expect(() => fiatToSatoshis({ amountMinor: 4.5, currency: 'USD' }, price('50000'))).toThrow(/positive integer/);
    expect(() => fiatToSatoshis({ amountMinor: 1_000_000_000, currency: 'USD' }, price('0.0001'))).toThrow(/more than all bitcoin/);
  });
});
