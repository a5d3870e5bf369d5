import { describe, expect, it } from 'vitest';
import { extractCode } from '../extract-code.ts';
import { findKeywords } from '../keywords.ts';

// Round 6 (issue 14): what tuning-6 (half of the blind round-6 corpus) taught. Every message here is
// invented; each pair shows the rule and the message it must leave alone.
describe('extractCode: promotions, references and Turkish', () => {
  it('reads Turkish words written in capitals with a dotted İ', () => {
    expect(extractCode('Giriş ŞİFRENİZ: 4829')).toBe('4829');
    expect(extractCode('İNDİRİM KODUNUZ: 48291, tüm mağazalarımızda Mart sonuna kadar geçerlidir.')).toBeNull();
  });

  it('reads Turkish discount, campaign, coupon, gift and deal codes as other kinds of code', () => {
    expect(extractCode('Hediye kodunuz 48291, tüm mağazalarımızda Mart sonuna kadar geçerlidir.')).toBeNull();
    expect(extractCode('Kampanya kodu 73024 ile kayıt olan herkes bu ay ücretsiz kargo kazanır.')).toBeNull();
    expect(extractCode('Doğrulama kodunuz 48291, tüm işlemleriniz için 3 dakika geçerlidir.')).toBe('48291');
  });

  it('reads the Persian discount code, named after the code word, as a coupon', () => {
    expect(extractCode('کد تخفیف شما 48291 است و تا پایان ماه اعتبار دارد')).toBeNull();
    expect(extractCode('کد تایید شما 48291 است و تا پایان ماه اعتبار دارد')).toBe('48291');
  });

  it('takes no letter code from a message that sells something, in whichever sentence', () => {
    expect(extractCode('Spring sale: 30% off everything! Your personal code: SPR7QX')).toBeNull();
    expect(extractCode('Yaz kampanyası başladı! Size özel kodunuz: YZ7KQ2')).toBeNull();
    expect(extractCode('Your sign-in code: K7PQ2X')).toBe('K7PQ2X');
  });

  it('reads an abbreviation with its dot before the code word as the kind of code', () => {
    expect(extractCode('Your OTP to approve this card payment is 583920 (Ref. Code: HQPZ). Do not share it.')).toBe('583920');
    expect(extractCode('Thanks for your order. Code 4821 opens locker 12 at the station.')).toBe('4821');
  });

  it('holds a Thai reference (อ้างอิง) to be a reference, not the code', () => {
    expect(extractCode('รหัส OTP คือ 583920 อ้างอิง (K7PQ2X) รหัส OTP ใช้ได้ภายใน 3 นาที')).toBe('583920');
  });

  it('takes a number Turkish tells the reader to send a message to for a short number', () => {
    expect(extractCode('Yeni şifre almak için SIFRE yazıp 4455e gönderin.')).toBeNull();
    expect(extractCode("Aboneliği bitirmek için IPTAL yazıp 7070'e ücretsiz gönderin, şifreniz iptal olur.")).toBeNull();
    expect(extractCode('Şifreniz 4455, kimseyle paylaşmayın.')).toBe('4455');
  });

  it('finds no code in a Persian message announcing a prize', () => {
    expect(extractCode('مشترک گرامی جایزه شما آماده تحویل است کد 4821 را به پشتیبانی اعلام کنید')).toBeNull();
  });
});

// Round 7 (issue 14): what tuning-7 (half of the blind round-7 corpus) taught. Messages invented.
describe('extractCode: offers, windfalls and glued amounts', () => {
  it('takes no letter code from a message that makes an offer or takes money off', () => {
    expect(extractCode('Limited offer for members: your code FRIDAY25 works all weekend.')).toBeNull();
    expect(extractCode('Get Rs 150 off on your next ride with code RIDE150.')).toBeNull();
    expect(extractCode('Your login code: RX7Q2K. It works for 10 minutes.')).toBe('RX7Q2K');
  });

  it('knows Spanish coupons written without the accent and Polish free gifts', () => {
    expect(extractCode('Cupon de 20% para tu compra: usa el codigo VERANO7 hoy')).toBeNull();
    expect(extractCode('Darmowe dostawy w tym tygodniu, wpisz kod DOST4W w aplikacji')).toBeNull();
    expect(extractCode('Twój kod weryfikacyjny to 482913')).toBe('482913');
  });

  it('reads a renewal code as an offer, not a code that verifies', () => {
    expect(extractCode('Your magazine renewal code is 582913, valid this month.')).toBeNull();
    // Whatever else the message holds: with no other candidate, no fallback takes the number either.
    expect(extractCode('Your magazine renewal code is 582913, valid this week.')).toBeNull();
    expect(extractCode('Your booking code is 582913.')).toBeNull();
  });

  it('leaves a letter code named as one that verifies to a sale in another sentence, never in its own', () => {
    expect(extractCode('Your verification code is K7QM2X. Check out our offers in the app.')).toBe('K7QM2X');
    expect(extractCode('Your OTP is AB12CD. Shop our latest offers at example.com')).toBe('AB12CD');
    // Polish "weryfikacyjny" (verification) is a hint too.
    expect(extractCode('Kod weryfikacyjny: KX7Q2P. Sprawdz nasze promo w aplikacji.')).toBe('KX7Q2P');
    // The code's own sentence sells, or it names no code that verifies: a coupon, as before.
    expect(extractCode('Confirm your order now and get 20% off with code SAVE20')).toBeNull();
    expect(extractCode('20% indirim! Size özel kod T8KYEEWP')).toBeNull();
    expect(extractCode('Your code is K7QM2X. Check out our offers in the app.')).toBeNull();
  });

  it('takes a kind from the word before a generic code word only, never before a word for a one-time code', () => {
    // A bank's name, an order or a booking before its one-time password: the code's issuer or purpose.
    expect(extractCode('Your Equitas Bank OTP for UPI transaction is 582913.')).toBe('582913');
    expect(extractCode('Your order OTP is 4821. Share it with the delivery partner only.')).toBe('4821');
    expect(extractCode('Your Booking OTP: 552201')).toBe('552201');
    // Before "code", the same words name another kind of code: no fallback takes its number either.
    expect(extractCode('Transfer via bank code 0140 to account 1234567890.')).toBeNull();
    expect(findKeywords('bank code 0140', () => false)).toEqual({ hits: [], namesAnotherKind: true });
  });

  it('takes the PINs of a message promising millions of rupiah or a cash cheque for claim PINs', () => {
    expect(extractCode('SELAMAT Anda dapat Rp.50jt dari program kami, kode id 4TR82K9 info klik s.id/x')).toBeNull();
    expect(extractCode('No Anda mendapat Uang tunai, PIN anda 58Q2RT7, info klik s.id/x')).toBeNull();
    expect(extractCode('Kode OTP Anda 482913 untuk transaksi Rp 250.000. Jangan berikan ke siapapun.')).toBe('482913');
  });

  it('reads a currency glued to its amount as an amount', () => {
    expect(extractCode('Text JOIN to 35850 to get your entry PIN @ N100 per sms')).toBeNull();
    expect(extractCode('Your activation code is N4821Q, enter it in the app')).toBe('N4821Q');
  });
});
