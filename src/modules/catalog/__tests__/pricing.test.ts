import { describe, expect, it } from 'vitest';
import { basisPointsToPercent, type CatalogRule, CatalogRules, percentToBasisPoints, sellingPrice } from '../pricing.ts';

const usd = { creditsPerUnitMicros: 100_000_000, markupBasisPoints: 0, feeCredits: 0 };

const rule = (partial: Partial<CatalogRule> & Pick<CatalogRule, 'scope'>): CatalogRule => ({
  id: `rul_${Math.random()}`,
  service: null,
  country: null,
  disabled: false,
  priceCredits: null,
  markupBasisPoints: null,
  ...partial,
});

describe('selling price', () => {
  it('converts cost to credits, applies the markup, rounds up to a whole credit and adds the fee', () => {
    expect(sellingPrice(500_000, usd)).toBe(50); // $0.50 at 100 credits per dollar
    expect(sellingPrice(500_000, { ...usd, markupBasisPoints: 2_500 })).toBe(63); // 62.5 → 63
    expect(sellingPrice(500_000, { ...usd, markupBasisPoints: 2_500, feeCredits: 5 })).toBe(68);
    expect(sellingPrice(256_700, usd)).toBe(26); // 25.67 → 26
  });

  it('is exact where floating point is not: 0.1 + 0.2 style inputs never gain a credit', () => {
    // 0.3 USD × 100 = 30 exactly; a float computation gives 30.000000000000004 and would charge 31.
    expect(sellingPrice(300_000, usd)).toBe(30);
    expect(sellingPrice(700_000, { ...usd, markupBasisPoints: 1_000 })).toBe(77); // 0.7 × 1.1 × 100 = 77
    expect(sellingPrice(1, usd)).toBe(1);
  });

  it('never sells for nothing, and converts other currencies at their rate', () => {
    expect(sellingPrice(0, usd)).toBe(1);
    // A rouble provider at 1.1 credits per rouble: 15 RUB → 16.5 → 17.
    expect(sellingPrice(15_000_000, { creditsPerUnitMicros: 1_100_000, markupBasisPoints: 0, feeCredits: 0 })).toBe(17);
    // A discount (negative markup) is allowed.
    expect(sellingPrice(1_000_000, { ...usd, markupBasisPoints: -1_000 })).toBe(90);
  });

  it('refuses a cost that is not an integer of micro-units', () => {
    expect(() => sellingPrice(0.5, usd)).toThrow(RangeError);
    expect(() => sellingPrice(-1, usd)).toThrow(RangeError);
  });
});

describe('catalog rules', () => {
  it('disables a service, a country or one pair', () => {
    const rules = new CatalogRules([
      rule({ scope: 'service', service: 'wa', disabled: true }),
      rule({ scope: 'country', country: 'RU', disabled: true }),
      rule({ scope: 'pair', service: 'tg', country: 'US', disabled: true }),
    ]);
    expect(rules.price('wa', 'GB', 500_000, usd)).toBeUndefined();
    expect(rules.price('tg', 'RU', 500_000, usd)).toBeUndefined();
    expect(rules.price('tg', 'US', 500_000, usd)).toBeUndefined();
    expect(rules.price('tg', 'GB', 500_000, usd)).toBe(50);
    expect(rules.disabled('go', 'RU')).toBe(true);
    expect(rules.serviceDisabled('wa')).toBe(true);
    expect(rules.countryDisabled('RU')).toBe(true);
    expect(rules.countryDisabled('US')).toBe(false);
  });

  it('takes the most specific fixed price, then the most specific markup, over the provider markup', () => {
    const rules = new CatalogRules([
      rule({ scope: 'country', country: 'US', markupBasisPoints: 5_000 }),
      rule({ scope: 'service', service: 'tg', markupBasisPoints: 10_000 }),
      rule({ scope: 'pair', service: 'tg', country: 'GB', priceCredits: 99 }),
    ]);
    const terms = { ...usd, markupBasisPoints: 2_000, feeCredits: 1 };
    expect(rules.price('tg', 'GB', 500_000, terms)).toBe(99); // fixed
    expect(rules.price('tg', 'US', 500_000, terms)).toBe(101); // service markup (100 %) beats country: 100 + fee
    expect(rules.price('wa', 'US', 500_000, terms)).toBe(76); // country markup 50 %: 75 + fee
    expect(rules.price('wa', 'DE', 500_000, terms)).toBe(61); // provider markup 20 %: 60 + fee
  });
});

describe('percent ↔ basis points', () => {
  it('reads percents with up to two decimals and writes them back', () => {
    expect(percentToBasisPoints('25')).toBe(2_500);
    expect(percentToBasisPoints('12.5')).toBe(1_250);
    expect(percentToBasisPoints('0.05')).toBe(5);
    expect(percentToBasisPoints('-10')).toBe(-1_000);
    expect(percentToBasisPoints('1.234')).toBeUndefined();
    expect(percentToBasisPoints('1e3')).toBeUndefined();
    expect(percentToBasisPoints('')).toBeUndefined();
    expect(basisPointsToPercent(2_500)).toBe('25');
    expect(basisPointsToPercent(1_250)).toBe('12.5');
    expect(basisPointsToPercent(5)).toBe('0.05');
    expect(basisPointsToPercent(-1_000)).toBe('-10');
  });
});
