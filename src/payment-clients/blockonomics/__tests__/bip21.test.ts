import { describe, expect, it } from 'vitest';
import { bitcoinPaymentUri, isBitcoinAddress } from '../bip21.ts';

const SEGWIT = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';
const TAPROOT = 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297';

describe('isBitcoinAddress', () => {
  it('accepts the address kinds Blockonomics hands out', () => {
    for (const address of [
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
      '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
      SEGWIT,
      SEGWIT.toUpperCase(),
      TAPROOT,
      'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx',
      'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn',
    ]) {
      expect(isBitcoinAddress(address), address).toBe(true);
    }
  });

  it('refuses what would break a URI or is not an address', () => {
    for (const value of [
      '',
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4?amount=100',
      'bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', // mixed case
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb', // b is not in Bech32's alphabet
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0', // 0 is not Base58
      '<html>',
      '0x742d35Cc6634C0532925a3b844Bc454e4438f44e',
      `bc1q${'q'.repeat(100)}`,
      42,
      null,
    ]) {
      expect(isBitcoinAddress(value), String(value)).toBe(false);
    }
  });
});

describe('bitcoinPaymentUri', () => {
  it('writes a BIP 21 URI with the amount in BTC from integer satoshis', () => {
    expect(bitcoinPaymentUri({ address: SEGWIT, satoshis: 7677 })).toBe(`bitcoin:${SEGWIT}?amount=0.00007677`);
    expect(bitcoinPaymentUri({ address: SEGWIT, satoshis: 30_000_000 })).toBe(`bitcoin:${SEGWIT}?amount=0.30000000`);
  });

  it('percent-encodes label and message', () => {
    expect(bitcoinPaymentUri({ address: SEGWIT, satoshis: 1, label: 'otpbox & co', message: 'pay_01 credits?' })).toBe(
      `bitcoin:${SEGWIT}?amount=0.00000001&label=otpbox%20%26%20co&message=pay_01%20credits%3F`,
    );
  });

  it('refuses a bad address or amount', () => {
    expect(() => bitcoinPaymentUri({ address: 'nope', satoshis: 1 })).toThrow(/Not a bitcoin address/);
    expect(() => bitcoinPaymentUri({ address: SEGWIT, satoshis: 0 })).toThrow(/positive amount/);
    expect(() => bitcoinPaymentUri({ address: SEGWIT, satoshis: 0.5 })).toThrow(RangeError);
  });
});
