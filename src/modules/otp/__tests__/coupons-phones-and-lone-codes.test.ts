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

  it('takes no code from a warning whose last word is a noun with few vowels', () => {
    expect(extractCode('HSBC: never share your one-time password with anyone, not even our staff.')).toBeNull();
    expect(extractCode('Never give your password to anyone, including the staff')).toBeNull();
    // The same letters handed over as the code are still read.
    expect(extractCode('Your one-time password is staff')).toBe('staff');
    expect(extractCode('Your one-time password: staff')).toBe('staff');
  });

  it('leaves a lone number alone when it is short, or the message is long', () => {
    expect(extractCode('Sajili kwa 48291')).toBeNull();
    expect(extractCode('Thanks for shopping with us today, we hope to see you again soon at our store 482913.')).toBeNull();
  });
});

// Round 3 (issue 14): what tuning-4 (half of the blind round-3 corpus) taught.
describe('extractCode: prizes, kinds of code and receipts', () => {
  it('knows the one-time password in Polish cases and in European Portuguese', () => {
    expect(extractCode('Zaloguj się w serwisie za pomocą tego jednorazowego hasła 604218.\n\nNie udostępniaj go nikomu.')).toBe('604218');
    expect(
      extractCode('Entre na sua conta com esta palavra-passe única 771024.\n\nNão a partilhe com ninguém, nem com a nossa equipa.'),
    ).toBe('771024');
  });

  it('reads a kind named after the code word as another kind of code', () => {
    expect(extractCode('Transfer antar bank: pilih bank TCASH (Kode bank 911).')).toBeNull();
    expect(extractCode('Isi kode pos 40115 pada formulir alamat.')).toBeNull();
  });

  it('takes a PIN in a message announcing a prize or a sale for a claim code', () => {
    expect(extractCode('Selamat! Nomor anda pemenang undian Rp 50jt. PIN anda: K4R8ZQ2 info klik www.example.com')).toBeNull();
    expect(extractCode('BIG SALE 40% semua produk PIN: 7QX2M9KD cek di toko kami')).toBeNull();
  });

  it('finds no code in a receipt that states a balance unless a code is named', () => {
    expect(
      extractCode(
        'QX71PL20AB Confirmed.You have received Ksh1,250.00 from KCB to Duka Retail 518204 on 3/1/23 at 9:14 AM New M-PESA balance is Ksh7,310.50.',
      ),
    ).toBeNull();
    expect(extractCode('Your OTP is 402913. Available balance Ksh1,200.00.')).toBe('402913');
  });
});
