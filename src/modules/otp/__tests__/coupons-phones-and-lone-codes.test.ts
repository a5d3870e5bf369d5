import { describe, expect, it } from 'vitest';
import { extractCode } from '../extract-code.ts';

// Rules added in the second round of issue 14, each from a kind of message the tuning corpora missed.
describe('extractCode: coupons, spelled phone numbers, phrases and lone codes', () => {
  it('takes no coupon from a sentence that sells something', () => {
    expect(extractCode('Get 15% off your next ride. Use code RIDE15 at checkout.')).toBeNull();
    expect(extractCode('Weekend deal: use code WEEKEND25 for a discount on every pizza!')).toBeNull();
  });

  it('still reads a code in a message that also advertises', () => {
    expect(extractCode('Your verification code is 482913. Shop now and get 10% off!')).toBe('482913');
  });

  it('does not take the digits of a number spelled on with letters', () => {
    expect(extractCode('Your account is locked. Reach customer care at 1800-HELP-NOW to verify your identity with an OTP.')).toBeNull();
  });

  it('reads Vietnamese activation codes written without accents', () => {
    expect(extractCode('(Grab) 4821 la ma kich hoat tai khoan cua ban.')).toBe('4821');
  });

  it('joins a code word and a hint three short words apart into one label', () => {
    expect(extractCode('Folosiți următorul cod pentru a-l verifica: lomiku')).toBe('lomiku');
  });

  it('takes the only six-digit number of a short message as its code, in any language', () => {
    expect(extractCode('Sajili kwa 482913')).toBe('482913');
    expect(extractCode('482-913 ile giriş yapın')).toBe('482913');
  });

  it('leaves a lone number alone when it is short, or the message is long', () => {
    expect(extractCode('Sajili kwa 48291')).toBeNull();
    expect(extractCode('Thanks for shopping with us today, we hope to see you again soon at our store 482913.')).toBeNull();
  });
});
