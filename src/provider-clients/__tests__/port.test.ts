import { describe, expect, it } from 'vitest';
import { decimalToMicros } from '../port.ts';

describe('decimalToMicros', () => {
  it('parses provider decimals exactly, from strings and numbers', () => {
    expect(decimalToMicros('15')).toBe(15_000_000);
    expect(decimalToMicros('0.15')).toBe(150_000);
    expect(decimalToMicros(0.15)).toBe(150_000);
    expect(decimalToMicros(0.1 + 0.2)).toBe(300_000);
    expect(decimalToMicros('12.3456789')).toBe(12_345_679);
    expect(decimalToMicros(' 7.5 ')).toBe(7_500_000);
    expect(decimalToMicros(0)).toBe(0);
  });

  it('refuses what is not a plain non-negative decimal', () => {
    for (const bad of ['-1', '1e3', 'abc', '', '1.2.3', '0x10', 'NaN']) expect(decimalToMicros(bad), bad).toBeUndefined();
    expect(decimalToMicros(Number.NaN)).toBeUndefined();
    expect(decimalToMicros(-2)).toBeUndefined();
    expect(decimalToMicros(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});
