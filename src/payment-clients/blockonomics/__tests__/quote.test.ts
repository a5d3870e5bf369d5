import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../lib/clock.ts';
import { parseDecimal } from '../money.ts';
import { DEFAULT_QUOTE_WINDOW_MS, quoteBitcoin, quoteExpiry } from '../quote.ts';

const SEGWIT = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';

describe('quoteBitcoin', () => {
  it('answers address, amountBtc, uri and expiresAt from the injected clock', () => {
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const perBtc = parseDecimal(65000.5) ?? expect.unreachable();
    const quote = quoteBitcoin({ address: SEGWIT, amountMinor: 499, currency: 'USD', pricePerBtc: perBtc, clock });
    expect(quote).toEqual({
      address: SEGWIT,
      satoshis: 7677,
      amountBtc: '0.00007677',
      uri: `bitcoin:${SEGWIT}?amount=0.00007677`,
      expiresAt: new Date('2026-03-01T12:10:00.000Z'),
    });
    clock.advance(60_000);
    expect(quoteExpiry(clock, 30 * 60_000)).toEqual(new Date('2026-03-01T12:31:00.000Z'));
    expect(DEFAULT_QUOTE_WINDOW_MS).toBe(600_000);
  });

  it('refuses a window that is not a positive number of milliseconds', () => {
    const clock = new ManualClock();
    expect(() => quoteExpiry(clock, 0)).toThrow(/positive number of milliseconds/);
    expect(() => quoteExpiry(clock, 1.5)).toThrow(RangeError);
  });
});
