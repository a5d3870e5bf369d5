// What the sandbox's fictional numbers receive: a verification code of the length each service really
// sends, inside a text written in the style of that service's real SMS (its sender tag, its way of
// grouping digits, its warnings, sometimes an SMS Retriever hash or a WebOTP line), in the language the
// service usually writes in. The texts are our own; none is copied from a real message.
//
// Every text must give its code back through modules/otp/extractCode (a test reads thousands of them).
// Two things that extractor cannot do shaped the texts:
// - a four-digit code from 1900 to 2099 is taken for a year unless a word for "code" comes right before
//   it ("code: 1996", "code is 1996", "kode 1996"), so the four-digit templates never put the code first
//   ("1996 is your Grab code" gives nothing);
// - codes of letters only, or of digits followed by letters ("74JXQ"), are never read, so Steam, whose
//   Steam Guard codes mix the two, sends digits here.

import { checkedSequence, generator, hash } from './sequence.ts';

interface Template {
  /** Digits in the code a person types. */
  length: number;
  /** The SMS for the typed code; the template adds the service's own formatting (`G-`, `123-456`). */
  text: (code: string) => string;
}

const digits = (length: number, text: (code: string) => string): Template => ({ length, text });
const dashed = (code: string) => `${code.slice(0, 3)}-${code.slice(3)}`;
const spaced = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

const TEMPLATES: Readonly<Record<string, Template>> = {
  tg: digits(5, (c) => `Telegram code: ${c}\n\nYou can also tap on this link to log in:\nhttps://t.me/login/${c}`),
  wa: digits(6, (c) => `Your WhatsApp code: ${dashed(c)}\n\nDon't share this code with others.\n\n4sgLq1p5sV6`),
  go: digits(6, (c) => `G-${c} is your Google verification code.`),
  ig: digits(6, (c) => `${spaced(c)} is your Instagram code. Don't share it.`),
  fb: digits(5, (c) => `FB-${c} is your Facebook confirmation code`),
  tw: digits(6, (c) => `${c} is your X verification code.`),
  ds: digits(6, (c) => `Your Discord verification code is: ${c}`),
  dr: digits(6, (c) => `Your OpenAI verification code is ${c}. Don't share it with anyone.`),
  mm: digits(4, (c) => `Microsoft account: your security code is ${c}.`),
  lf: digits(6, (c) => `[TikTok] ${c} is your verification code. It expires in 5 minutes. Never share it with anyone.\nhS8kT2pQx7M`),
  am: digits(6, (c) => `${c} is your Amazon one-time password. Do not share it with anyone.`),
  wx: digits(6, (c) => `Your Apple Account code is: ${c}. Do not share it with anyone.\n\n@apple.com #${c} %apple.com`),
  ub: digits(4, (c) => `Your Uber code: ${c}. Never share this code with anyone.`),
  fu: digits(6, (c) => `Snapchat: ${c} is your one-time passcode. Snapchat will never call or text you asking for this code.`),
  ts: digits(6, (c) => `PayPal: ${c} is your security code. It expires in 10 minutes. Don't share it.`),
  oi: digits(6, (c) => `Your Tinder code is ${c}. Don't share it with anyone.`),
  wb: digits(6, (c) => `[WeChat] ${c} is your WeChat verification code. Don't forward it to anyone.`),
  vi: digits(6, (c) => `Viber code: ${c}. Never share it.`),
  ya: digits(6, (c) => `${c} — код для входа в Яндекс ID. Никому его не сообщайте.`),
  vk: digits(6, (c) => `VK: ${c} — ваш код подтверждения. Никому не сообщайте его.`),
  ok: digits(6, (c) => `Код для входа в OK: ${c}. Не сообщайте его никому.`),
  tn: digits(6, (c) => `Your LinkedIn verification code is ${c}.`),
  nf: digits(4, (c) => `Netflix: your sign-in code is ${c}.`),
  mt: digits(5, (c) => `Steam: your phone verification code is ${c}`),
  bw: digits(6, (c) => `Your Signal code: ${dashed(c)}\nDo not share this code.`),
  me: digits(6, (c) => `[LINE] Your verification code is ${c}. Don't share it with anyone.`),
  kt: digits(4, (c) => `[카카오톡] 인증번호 [${c}]를 입력해 주세요.`),
  ka: digits(6, (c) => `Kode verifikasi Shopee kamu: ${c}. Berlaku 15 menit. JANGAN BERIKAN kode ini kepada siapa pun.`),
  jg: digits(4, (c) => `Your Grab verification code is ${c}. It is valid for 3 minutes. Never share it.`),
  ni: digits(4, (c) => `Gojek: masukkan kode ${c} untuk masuk. JANGAN berikan kode ini ke siapa pun, termasuk pihak Gojek.`),
  uk: digits(6, (c) => `Your Airbnb verification code is: ${c}. Don't share this code with anyone; our employees will never ask for it.`),
  hw: digits(6, (c) => `【支付宝】校验码${c}，你正在注册成为支付宝用户，请勿泄露。`),
  nv: digits(6, (c) => `[네이버] 인증번호 [${c}]를 입력해 주세요.`),
  mb: digits(5, (c) => `Yahoo: use ${c} to verify your account.`),
  dp: digits(6, (c) => `Your Proton verification code is: ${c}`),
  re: digits(
    7,
    (c) => `Your Coinbase verification code is: ${c}. Don't share this code with anyone; our employees will never ask for the code.`,
  ),
  aon: digits(6, (c) => `[Binance] Your verification code: ${c}. The code is valid for 30 minutes. Don't share it with anyone.`),
  hx: digits(4, (c) => `[AliExpress] Your verification code is ${c}. It expires in 15 minutes.`),
  dh: digits(6, (c) => `eBay: your security code is ${c}. Don't share it with anyone.`),
  qq: digits(6, (c) => `【腾讯科技】${c}（QQ验证码），用于QQ号注册，请勿转发。`),
  ma: digits(6, (c) => `Mail: ${c} — код для входа в почту. Никому его не сообщайте.`),
  av: digits(4, (c) => `Авито: код ${c}. Никому его не сообщайте, даже сотрудникам Авито.`),
  hb: digits(6, (c) => `Your Twitch verification code is ${c}. It expires in 10 minutes.`),
  tl: digits(6, (c) => `${c} is your Truecaller verification code.`),
  mj: digits(4, (c) => `Mã ${c} là mã kích hoạt Zalo của bạn. Không chia sẻ mã này cho bất kỳ ai.`),
  qv: digits(4, (c) => `Badoo: your verification code is ${c}`),
  bz: digits(6, (c) => `Your Blizzard verification code is ${c}.`),
  kf: digits(6, (c) => `【微博】您的验证码是${c}，5分钟内有效，请勿泄露。`),
  tu: digits(4, (c) => `Your Lyft code is ${c}`),
};

const OTHER: Template = digits(6, (c) => `Your verification code is ${c}. Do not share it with anyone.`);

/**
 * The code a person types for the `sequence`-th sandbox SMS of `service`: always the same for the same
 * arguments, with as many digits as the service really sends (Telegram 5, WhatsApp and Google 6,
 * Coinbase 7, Uber 4; 6 for a service without its own template). Only the digits to type: the SMS adds
 * the service's decoration, so Google's `G-123456` is the code `123456` and WhatsApp's `123-456` is
 * `123456`.
 */
export function sandboxCode(service: string, sequence: number): string {
  const next = generator(hash(`${service.trim().toLowerCase()}#${checkedSequence(sequence)}`));
  let code = '';
  for (let i = template(service).length; i > 0; i--) code += String(next() % 10);
  return code;
}

/**
 * The verification SMS `service` would send with `code`. The code may be given as typed (`123456`) or as
 * the service shows it (`G-123456`, `123-456`, `123 456`); the text always shows it the service's way.
 */
export function sandboxSms(service: string, code: string): string {
  const typed = code
    .trim()
    .replace(/^[A-Za-z]{1,3}-(?=\d)/, '')
    .replace(/[\s-]/g, '');
  return template(service).text(typed);
}

function template(service: string): Template {
  return TEMPLATES[service.trim().toLowerCase()] ?? OTHER;
}
