import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractCode, MAX_INPUT_CHARS } from '../extract-code.ts';

describe('extractCode: how codes are written', () => {
  it('joins digits written with a dash or a space', () => {
    expect(extractCode('Your verification code is 417-093')).toBe('417093');
    expect(extractCode('Your verification code is 417 093')).toBe('417093');
    expect(extractCode('Your Discord code: 5512–8821')).toBe('55128821');
  });

  it('drops the G- prefix: the person types the digits', () => {
    expect(extractCode('G-123456 is your Google verification code.')).toBe('123456');
  });

  it('reads alphanumeric codes, but not lower-case or mixed-case words', () => {
    expect(extractCode('Openbank: Bestätigungscode ABC4')).toBe('ABC4');
    expect(extractCode('Your login code: K7X9QZ')).toBe('K7X9QZ');
    expect(extractCode('858365 is your 98point6 security code.')).toBe('858365');
    expect(extractCode('Your code: Xy7Kp')).toBeNull();
  });

  it('reads a code printed as single characters separated by spaces', () => {
    expect(extractCode('TAN\n 4 u 8 k u f\n(5 Min. gültig)')).toBe('4u8kuf');
    expect(extractCode('Your passcode is: 1 2 3 4 5 6')).toBe('123456');
  });

  it('reads right-to-left messages wrapped in directional marks', () => {
    expect(extractCode('\u202Bرمز التحقق الخاص بك هو 482913\u202C')).toBe('482913');
    expect(extractCode('\u200Fקוד האימות שלך הוא\u200F 5521')).toBe('5521');
    // A mark inside the number does not split it.
    expect(extractCode('\u200Fرمز التحقق: 48\u200E2913')).toBe('482913');
    expect(extractCode('4280 הוא קוד האימות שלכם')).toBe('4280');
  });

  it('reads CJK messages with no spaces around the code, and full-width digits', () => {
    expect(extractCode('【哔哩哔哩】546054短信登录验证码，5分钟内有效，请勿泄露。')).toBe('546054');
    expect(extractCode('您的验证码是１２３４５６，请勿泄露。')).toBe('123456');
    expect(extractCode('[ログイン] 認証番号：482019\nメルカリ')).toBe('482019');
    expect(extractCode('[네이버] 인증번호 [123456]를 입력해 주세요.')).toBe('123456');
  });

  it('normalises the digits of other scripts', () => {
    expect(extractCode('رمز التحقق: ٤٨٢٩١٣')).toBe('482913');
    expect(extractCode('کد تایید شما: ۴۸۲۹۱۳')).toBe('482913');
  });

  it('handles the SMS Retriever <#> prefix and never returns the app hash', () => {
    expect(extractCode('<#> Your ExampleApp code is 123456\nFA+9qCX9VSu')).toBe('123456');
    expect(extractCode('<#> Welcome to ExampleApp\nFA+9qCX9VSu')).toBeNull();
    // A hash with a '/' would otherwise leave an upper-case piece that looks like a code.
    expect(extractCode('<#> Your code: Kq/X7ZQ9A2B')).toBeNull();
    expect(extractCode('Snapchat: 746766 is your one time passcode. qunyt57f5Rf')).toBe('746766');
  });

  it('separates a code glued to the app hash, and trusts a retriever message without a keyword', () => {
    expect(extractCode('MAX. . : 691582+QyYAqib1U4')).toBe('691582');
  });

  it('reads the origin-bound (WebOTP) last line', () => {
    expect(extractCode('Your code for example.com\n\n@example.com #AB12CD')).toBe('AB12CD');
  });

  it('reads an origin-bound tail whose "@" was lost only when it restates a code the message gave', () => {
    expect(extractCode('Kodi i Regjistrimit LO ID: 29503. Mos e ndani atë. LO.ink #29503')).toBe('29503');
    expect(extractCode('Your ID: 482913\nexample.com #482913')).toBe('482913');
    // A tail that restates nothing is an order or a ticket, not a code.
    expect(extractCode('Your parcel has shipped. Track it at shop.com #12345')).toBeNull();
    // Inside a longer number is not a restatement.
    expect(extractCode('Reference 7482913 is booked. example.com #48291')).toBeNull();
  });

  it('knows code keywords in many languages', () => {
    const messages: Array<[string, string]> = [
      ['Код подтверждения: 5932. Никому не сообщайте его.', '5932'],
      ['Tu código de verificación es 847362', '847362'],
      ['Votre code de vérification est : 204918', '204918'],
      ['Il tuo codice è 55102', '55102'],
      ['Doğrulama kodunuz: 771029', '771029'],
      ['Twój kod weryfikacyjny to 582-190', '582190'],
      ['Ο κωδικός σας είναι 582910', '582910'],
      ['आपका OTP 582910 है।', '582910'],
      ['Mã OTP của bạn là 582019. Không chia sẻ mã này.', '582019'],
      ['Kode verifikasi Anda 882910.', '882910'],
      ['รหัส OTP ของคุณคือ 582910', '582910'],
      ['Microsoft todennuksessa käytetään vahvistuskoodia 661094', '661094'],
    ];
    for (const [text, code] of messages) expect(extractCode(text), text).toBe(code);
  });
});

describe('extractCode: numbers that are not the code', () => {
  it('never returns a phone number', () => {
    expect(extractCode('Problems with your code? Call 5550199.')).toBeNull();
    expect(extractCode('If you did not request a code, call 0800 555 0199.')).toBeNull();
    expect(extractCode('Your code is 839201. Questions? Call +1 (555) 123-4567.')).toBe('839201');
    expect(extractCode('Simply text the password "MIX" to 85069 to verify.')).toBeNull();
  });

  it('never returns a price or an amount', () => {
    expect(extractCode('Your OTP for the payment of $4500 will follow')).toBeNull();
    expect(extractCode('Code for your 10.00 EUR purchase: 884120')).toBe('884120');
    expect(extractCode('Kode OTP untuk Rp 50.000 akan dikirim')).toBeNull();
    expect(extractCode('Your PIN was reset. Balance 2300')).toBeNull();
    expect(extractCode('【支付宝】校验码1234，付款金额169.00')).toBe('1234');
    expect(extractCode('Your OTP for 3,500.00 is on its way')).toBeNull();
  });

  it('never returns a date or a time', () => {
    expect(extractCode('Your code was sent on 2024-03-05 at 14:22')).toBeNull();
    expect(extractCode('Verification code requested 05.03.2024 14:22: 448190')).toBe('448190');
    expect(extractCode('Your code was used at 1430 hrs')).toBeNull();
    expect(extractCode('Your code was sent 1400/01/01')).toBeNull();
  });

  it('never returns a validity duration', () => {
    expect(extractCode('Your code 5821, valid for 10 minutes')).toBe('5821');
    expect(extractCode('Your verification code expires in 1440 minutes')).toBeNull();
    expect(extractCode('Code expires in 120 min.')).toBeNull();
    expect(extractCode('验证码 3391，10 分钟内有效')).toBe('3391');
    expect(extractCode('验证码 120 分钟内有效')).toBeNull();
  });

  it('prefers the code to an order or reference number', () => {
    expect(extractCode('Your code for order 55123 is 882190')).toBe('882190');
    expect(extractCode('You are paying with card ending 4888. Your PURCHASE code is 916955.')).toBe('916955');
  });

  it('never returns digits from a link', () => {
    expect(extractCode('Your code is below. Link: https://ex.co/c/771234')).toBeNull();
    expect(extractCode('Your WhatsApp code is 105-876 or tap v.whatsapp.com/105876')).toBe('105876');
  });

  it('never returns a year, unless a code keyword introduces it', () => {
    expect(extractCode('Your verification code © 2024 Acme')).toBeNull();
    expect(extractCode('Verification code 882190 © 2024 Acme Inc.')).toBe('882190');
    expect(extractCode('Your verification code expired in March 2024')).toBeNull();
    expect(extractCode('Your code is 2019')).toBe('2019');
  });

  it('ignores codes that verify nothing and messages without any code keyword', () => {
    expect(extractCode('WINNER! To claim call 09061701461. Claim code KL341.')).toBeNull();
    expect(extractCode('Use promo code 558812 for 20% off!')).toBeNull();
    expect(extractCode('See you at gate 1027 in 20 min')).toBeNull();
    expect(extractCode('')).toBeNull();
  });

  it('ignores digits in the sender tag', () => {
    expect(extractCode('【1024CODE】欢迎使用，您的手机验证码是636246。')).toBe('636246');
    expect(extractCode('【12306】验证通过，欢迎使用')).toBeNull();
    expect(extractCode('您的登录验证已通过 [Shop 5521]')).toBeNull();
  });
});

describe('extractCode: where the keyword may be', () => {
  it('looks into the next or previous sentence only from the edge of the sentence', () => {
    expect(extractCode('Your Foo login: 123456. Never share this code.')).toBe('123456');
    expect(extractCode('Never share your PIN. Your parcel 55123 arrives Monday.')).toBeNull();
  });

  it('counts three-digit numbers and letter codes only right next to their keyword', () => {
    expect(extractCode('Please enter code 548 on Zocdoc.')).toBe('548');
    expect(extractCode('Your code has been sent to room 212')).toBeNull();
    expect(extractCode('Your code was sent, please see desk AB12')).toBeNull();
  });

  it('ignores a number too many words away from any keyword', () => {
    expect(extractCode('Your code is 5512')).toBe('5512');
    expect(
      extractCode('We sent a code to your app, then go back to the main screen and open the settings page of your account profile 5512'),
    ).toBeNull();
  });

  it('takes a request to type something as a hint', () => {
    expect(extractCode('【蝦皮購物】輸入 123456 以登入您的帳號，15 分鐘有效。請不要將驗證碼分享給任何人。')).toBe('123456');
    expect(extractCode('Enter 559012 on the sign-in page.')).toBe('559012');
  });

  it('crosses a line break to a code printed on its own line', () => {
    expect(extractCode('הקוד מהביטוח הלאומי:\n886326')).toBe('886326');
    expect(extractCode('Your code is\n\n552901')).toBe('552901');
    expect(extractCode('Your code was sent\nRoom 4021 is booked')).toBeNull();
  });
});

describe('extractCode: choosing among candidates', () => {
  it('prefers the number next to a code keyword', () => {
    expect(extractCode('QK nhap ma OTP 771808 tuong ung voi ma giao dich 7709 de cap lai mat khau')).toBe('771808');
    expect(extractCode('【銀行轉帳】OTP密碼1234567網頁識別碼ABCD轉入帳號後四碼8888')).toBe('1234567');
  });

  it('prefers 4–8 character codes to long numbers', () => {
    expect(extractCode('(s/n an p/n) 987789123: 123456 kods vada gasdis')).toBe('123456');
    expect(extractCode('Your code: 12345678901234567890')).toBeNull();
  });

  it(`reads only the first ${MAX_INPUT_CHARS} characters`, () => {
    expect(extractCode(`${'x'.repeat(MAX_INPUT_CHARS)} Your code is 123456`)).toBeNull();
    expect(extractCode(`Your code is 123456. ${'x '.repeat(MAX_INPUT_CHARS)}`)).toBe('123456');
  });
});

describe('extractCode on hostile input', () => {
  const codeShaped = /^[A-Za-z0-9]{3,10}$/;
  // Pieces that exercise every stage: keywords, digits and joiners, brackets, marks, hashes, links.
  const piece = fc.constantFrom(
    'code',
    'OTP',
    '验证码',
    'kod',
    '1234',
    '56',
    '7',
    '-',
    '.',
    ',',
    ':',
    '/',
    ' ',
    '\n',
    '【',
    '】',
    '[',
    ']',
  );
  const more = fc.constantFrom('<#>', '+QyYAqib1U4', '\u202B', '\u200F', '１２', '٤٨', 'https://', 'www.', '@a.io #', '$', 'min', '*', 'X');
  const hostile = fc.oneof(
    fc.string({ maxLength: 4000, unit: 'binary' }),
    fc.array(fc.oneof(piece, more), { maxLength: 1500 }).map((parts) => parts.join('')),
  );

  it('returns a code-shaped string or null for any input', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const code = extractCode(text);
        return code === null || codeShaped.test(code);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores everything after the first 2,000 characters', () => {
    fc.assert(
      fc.property(hostile, fc.string({ maxLength: 200 }), (text, tail) => {
        const head = text.padEnd(MAX_INPUT_CHARS, ' ').slice(0, MAX_INPUT_CHARS);
        return extractCode(head + tail) === extractCode(head);
      }),
      { numRuns: 100 },
    );
  });

  it('terminates on a long random string and on long repetitive ones', () => {
    const random = fc.sample(fc.string({ minLength: 200_000, maxLength: 200_000, unit: 'binary' }), { numRuns: 1, seed: 42 })[0] ?? '';
    expect(random.length).toBeGreaterThanOrEqual(200_000);
    for (const text of [random, '1-'.repeat(100_000), 'code'.repeat(50_000), '验证码1，'.repeat(40_000), '\uFDFA'.repeat(5_000)]) {
      const code = extractCode(text);
      expect(code === null || codeShaped.test(code)).toBe(true);
    }
  });
});
