// Words that announce a code, in many languages. A number near one of them is probably the code; a
// message with none of them (and no SMS Retriever marker) holds no code at all.

import { isSpacedLetter, unspacedWeight } from './chars.ts';

/**
 * How a keyword must sit in the text:
 * - `anywhere`: also inside a longer word, for languages that build compounds or glue prefixes to it
 *   ("Bestätigungscode", "vahvistuskoodia", Hebrew "הקוד"), and for scripts written without spaces;
 * - `word-start`: at the start of a word, any ending ("kodunuz", "verification", "паролем");
 * - `whole-word`: short words that hide inside others ("pin" in "shopping", "otp", "tan").
 */
type Placement = 'anywhere' | 'word-start' | 'whole-word';

interface Keyword {
  text: string;
  placement: Placement;
  /** 1 for the name of the code itself, less for words that only hint at verification. */
  weight: number;
}

export interface KeywordHit {
  start: number;
  end: number;
  weight: number;
}

export const CODE_WORD = 1;
export const HINT_WORD = 0.7;
const TYPE_IT_WORD = 0.5;

// Grouped by script; within a group, roughly by language. Compounds are why so many sit in `anywhere`:
// "Bestätigungscode", "autentiseringskod", "hitelesítőkódja", "auðkenningarkóðinn".
const CODE_WORDS: Record<Placement, string[]> = {
  anywhere: [
    // Latin
    'code',
    'kode',
    'koodi',
    'kood',
    'kod',
    'kód',
    'kóð',
    'codice',
    'codigo',
    'código',
    'passcode',
    'password',
    'passwort',
    'passord',
    'wachtwoord',
    'kennwort',
    'salasana',
    'lykilorð',
    // Cyrillic, Greek, Armenian, Georgian
    'пароль',
    'κωδικ',
    'կոդ',
    'კოდ',
    // Hebrew, Arabic script
    'קוד',
    'סיסמ',
    'رمز',
    'كود',
    'کد',
    'کوڈ',
    'كلمة المرور',
    'كلمة السر',
    // Indic and South-East Asian scripts, Ethiopic
    'कोड',
    'ओटीपी',
    'पासवर्ड',
    'কোড',
    'ਕੋਡ',
    'કોડ',
    'குறியீ',
    'కోడ్',
    'ಕೋಡ್',
    'കോഡ്',
    'කේත',
    'รหัส',
    'ລະຫັດ',
    'កូដ',
    'ကုဒ်',
    'ኮድ',
    // Han, kana, Hangul
    '验证码',
    '驗證碼',
    // Signal's "您的代码是": "代码" alone names the code in some translations.
    '代码',
    '代碼',
    '校验码',
    '校驗碼',
    '动态码',
    '動態碼',
    '密码',
    '密碼',
    '口令',
    '认证码',
    '認證碼',
    '确认码',
    '確認碼',
    '安全码',
    '安全碼',
    '激活码',
    '激活碼',
    '授权码',
    '授權碼',
    '認証番号',
    '確認番号',
    '暗証番号',
    'コード',
    'パスコード',
    'パスワード',
    'ワンタイム',
    '인증번호',
    '승인번호',
    '비밀번호',
    '코드',
  ],
  'word-start': [
    'kôd',
    'codi',
    'còdi',
    'codul',
    'cód',
    'chód',
    'msimbo',
    'ikhodi',
    'šifr',
    'sifr',
    'captcha',
    'smstan',
    'mobiletan',
    'parol',
    // "hasło", "hasła", "hasłem": the one-time password in every case.
    'hasł',
    'hasl',
    'heslo',
    'jelsz',
    'slaptažod',
    'contraseña',
    'contrasena',
    // "password" where the words above miss it: Catalan, Galician, Basque, Estonian, Slovene,
    // Croatian and Serbian, Bulgarian (and the Russian "пароль" in all its cases), Albanian, Welsh, Irish.
    'contrasenya',
    'contrasinal',
    'pasahitz',
    'salasõna',
    'parool',
    'gesl',
    'lozink',
    'лозинк',
    'парол',
    'fjalëkalim',
    'cyfrinair',
    'pasfhocal',
    'clave',
    'senha',
    'palavra-passe',
    'şifre',
    'sifre',
    'mot de passe',
    'mat khau',
    'mật khẩu',
    'ma otp',
    'mã otp',
    'ma xac',
    'mã xác',
    'ma kich hoat',
    'mã kích hoạt',
    'token',
    'kata sandi',
    'kata laluan',
    'lösenord',
    'adgangskode',
    'код',
    'кôд',
    'шифр',
    'рамз',
    'токен',
  ],
  'whole-word': ['otp', 'отп', 'pin', 'tan', 'mtan', 'tac', '2fa', 'mã', 'cod'],
};

const HINT_WORDS: Record<Placement, string[]> = {
  anywhere: [
    'אימות',
    'تحقق',
    'تأكيد',
    'تفعيل',
    'تصدیق',
    'सत्यापन',
    'पुष्टि',
    'যাচাই',
    'επιβεβαίωσ',
    'επαλήθευσ',
    'проверочн',
    'подтвержд',
    'підтвердж',
    'потврд',
    'потвърд',
    'баталгаажуул',
    'растау',
    'авториз',
    '验证',
    '驗證',
    '认证',
    '認證',
    '确认',
    '確認',
    '認証',
    '인증',
  ],
  'word-start': [
    'verif',
    'vérif',
    'confirm',
    'conferm',
    'bevestig',
    'bekræft',
    'bekreft',
    'bekräft',
    'potwierdz',
    'weryfik',
    'potvrd',
    'ověř',
    'overov',
    'megerősít',
    'ellenőr',
    'hitelesít',
    'patvirtin',
    'apstiprin',
    'kinnita',
    'staðfest',
    'authent',
    'authori',
    'autoriz',
    'autoris',
    'autoryz',
    'autentific',
    'bestätig',
    'podtverzhd',
    'dogrula',
    'doğrula',
    'təsdiq',
    'tasdiq',
    'vahvist',
    'uthibitish',
    'kuthibitisha',
    'xac thuc',
    'xác thực',
    'xac nhan',
    'xác nhận',
    'xac minh',
    'xác minh',
    'one time',
    'one-time',
    'einmal',
  ],
  'whole-word': [],
};

// Asking the reader to type something: "Enter 548", "輸入 123456 以登入" (the code keyword may come a
// sentence later, or never).
const TYPE_IT_WORDS: Record<Placement, string[]> = {
  anywhere: ['输入', '輸入', '入力', '填写', '입력', 'أدخل', 'הזן', 'दर्ज', 'กรอก', 'ป้อน'],
  'word-start': [
    'введите',
    'введіть',
    'въведете',
    'ingrese',
    'ingresa',
    'introduce',
    'saisissez',
    'eingeben',
    'inserisci',
    'digite',
    'wpisz',
    'zadejte',
    'zadajte',
    'unesite',
    'girin',
    'syötä',
    'indtast',
    'ievadiet',
    'įveskite',
    'sisesta',
    'masukkan',
    'nhap',
    'nhập',
  ],
  'whole-word': ['enter', 'type'],
};

const KEYWORDS: Keyword[] = [...specs(CODE_WORDS, CODE_WORD), ...specs(HINT_WORDS, HINT_WORD), ...specs(TYPE_IT_WORDS, TYPE_IT_WORD)];

function specs(words: Record<Placement, string[]>, weight: number): Keyword[] {
  return (Object.keys(words) as Placement[]).flatMap((placement) => words[placement].map((text) => ({ text, placement, weight })));
}

// "Claim code", "promo code", "order code", "postcode": a code, but not one that verifies anything.
const NOT_VERIFYING = new Set([
  'claim',
  'promo',
  'promotion',
  'promotional',
  'discount',
  'coupon',
  'voucher',
  'gift',
  'referral',
  'refer',
  'invite',
  'invitation',
  'identifier',
  'reference',
  'ref',
  'tracking',
  'order',
  'booking',
  'reservation',
  'post',
  'postal',
  'zip',
  'area',
  'country',
  'dial',
  'bar',
  'qr',
  'source',
  'error',
  'product',
  'item',
  'sort',
  'swift',
  'bank',
  'tax',
  'bonus',
  'reward',
  'prize',
  'redemption',
  // "Your Renewal Code S026436": a subscription offer.
  'renewal',
  'redeem',
  'entry',
  // Swedish, Norwegian and Polish compounds: "rabattkod", "kampanjkod".
  'rabatt',
  'rabat',
  'kampanj',
  // Turkish: "indirim kodunuz" (discount), "kampanya kodu", "kupon kodu", "hediye kodu" (gift), "fırsat kodu" (deal).
  'indirim',
  'kampanya',
  'kupon',
  'hediye',
  'fırsat',
  'firsat',
]);
/**
 * The code words that name a one-time code and nothing else. A kind word before one of them is not
 * its kind ("Equitas Bank OTP", "order OTP" for a delivery): only the generic words ("code", "PIN",
 * "password", "kode"…) take a kind from the word before them.
 */
const ONE_TIME_WORDS = new Set([
  'otp',
  'отп',
  'ओटीपी',
  'ma otp',
  'mã otp',
  'tan',
  'mtan',
  'smstan',
  'mobiletan',
  '2fa',
  'passcode',
  'ワンタイム',
  'パスコード',
  '验证码',
  '驗證碼',
  '校验码',
  '校驗碼',
  '动态码',
  '動態碼',
  '认证码',
  '認證碼',
  '認証番号',
  '인증번호',
]);
// The same kinds written after the code word, where a language puts them there ("kode bank", "code postal").
// Persian "کد تخفیف" is a discount code.
const NAMED_AFTER = new Set([
  'bank',
  'pos',
  'postal',
  'promo',
  'promocional',
  'promotionnel',
  'voucher',
  'referral',
  'area',
  'swift',
  'تخفیف',
]);
// Only as the head of a compound: "unicode", "decode", "encode", "geocode", "recode".
const NOT_VERIFYING_HEADS = new Set(['uni', 'de', 'en', 'geo', 're']);

/** What `findKeywords` read: the keyword occurrences, and whether the text names another kind of code. */
export interface KeywordScan {
  hits: KeywordHit[];
  /**
   * A code word was named as another kind of code ("renewal code", "code promo", "kode bank"): the
   * message is about a code, just not one that verifies, and no fallback may take its number.
   */
  namesAnotherKind: boolean;
}

/** Every keyword occurrence in `lower` (the lower-cased text) outside the given ignored spans. */
export function findKeywords(lower: string, ignored: (position: number) => boolean): KeywordScan {
  // Keyed by span: "codecode…" or a word matched by several keywords is one hit, whatever the input.
  const hits = new Map<string, KeywordHit>();
  let namesAnotherKind = false;
  for (const { at, hit } of placements(lower, KEYWORDS)) {
    if (hit === ANOTHER_KIND) {
      namesAnotherKind ||= !ignored(at);
      continue;
    }
    if (ignored(hit.start)) continue;
    const key = `${hit.start}:${hit.end}`;
    if ((hits.get(key)?.weight ?? 0) < hit.weight) hits.set(key, hit);
  }
  return { hits: [...hits.values()].sort((a, b) => a.start - b.start || a.end - b.end), namesAnotherKind };
}

/**
 * The text (lower-cased) names a code that verifies someone: a hint ("verification", "confirm",
 * "one-time") or a word for a one-time code ("OTP", "TAN", "验证码"), placed as `findKeywords` places them.
 */
export function namesVerifyingCode(lower: string): boolean {
  for (const { hit } of placements(lower, VERIFYING_KEYWORDS)) if (hit !== ANOTHER_KIND) return true;
  return false;
}

/** Every occurrence of `keywords` in `lower` that is placed as its keyword must sit: a hit, or a code word naming another kind. */
function* placements(lower: string, keywords: readonly Keyword[]): Generator<{ at: number; hit: KeywordHit | typeof ANOTHER_KIND }> {
  const words = spacedWords(lower);
  for (const keyword of keywords)
    for (let at = lower.indexOf(keyword.text); at >= 0; at = lower.indexOf(keyword.text, at + 1)) {
      const hit = placedHit(lower, words, at, keyword);
      if (hit) yield { at, hit };
    }
}

/** For each letter of a spaced script, where its word starts and ends (precomputed: lookups stay O(1)). */
interface SpacedWords {
  startOf: Int32Array;
  endOf: Int32Array;
}

function spacedWords(lower: string): SpacedWords {
  const startOf = new Int32Array(lower.length);
  const endOf = new Int32Array(lower.length);
  for (let i = 0; i < lower.length; i++) startOf[i] = isSpacedLetter(lower[i - 1]) ? (startOf[i - 1] ?? i) : i;
  for (let i = lower.length - 1; i >= 0; i--) endOf[i] = isSpacedLetter(lower[i + 1]) ? (endOf[i + 1] ?? i + 1) : i + 1;
  return { startOf, endOf };
}

/** The keywords by which `namesVerifyingCode` knows a code that verifies: the hints and the one-time words. */
const VERIFYING_KEYWORDS = KEYWORDS.filter((keyword) => keyword.weight === HINT_WORD || ONE_TIME_WORDS.has(keyword.text));

/** A code word that names another kind of code ("renewal code"): no hit, but worth knowing. */
const ANOTHER_KIND = 'another kind';

function placedHit(lower: string, words: SpacedWords, at: number, keyword: Keyword): KeywordHit | typeof ANOTHER_KIND | undefined {
  const end = at + keyword.text.length;
  const glued = isSpacedLetter(lower[at - 1]);
  if (keyword.placement !== 'anywhere' && glued) return undefined;
  if (keyword.placement === 'whole-word' && isSpacedLetter(lower[end])) return undefined;
  // A keyword inside a spaced-script word stands for the whole word, so distances are counted in words.
  const start = glued ? (words.startOf[at - 1] ?? at) : at;
  const spacedEnd = unspacedWeight(lower[end - 1]) === 0 && isSpacedLetter(lower[end - 1]);
  const wordEnd = spacedEnd ? (words.endOf[end - 1] ?? end) : end;
  const compoundHead = lower.slice(start, at);
  if (NOT_VERIFYING_HEADS.has(compoundHead)) return undefined;
  const otherKind = keyword.weight === CODE_WORD ? ANOTHER_KIND : undefined;
  if (NOT_VERIFYING.has(compoundHead)) return otherKind;
  const before = wordBefore(lower, words, start);
  // A kind before a generic code word names another kind of code ("bank code 0140", "order code");
  // before a word for a one-time code it is the code's issuer or purpose ("Equitas Bank OTP").
  if (NOT_VERIFYING.has(before) && !ONE_TIME_WORDS.has(keyword.text)) return otherKind;
  // Languages that put the kind after the noun: "kode bank 911", "kode pos", "code promo".
  if (keyword.weight === CODE_WORD && NAMED_AFTER.has(wordAfter(lower, wordEnd))) return ANOTHER_KIND;
  return { start, end: wordEnd, weight: keyword.weight };
}

/** Longest word read as an abbreviation when a dot ends it: "Ref. Code", "No. code" — not "…your order. Code". */
const MAX_ABBREVIATION = 4;

/** The word just before `start`, across a space or a hyphen ("claim code", "promo-code") or an abbreviation's dot. */
function wordBefore(lower: string, words: SpacedWords, start: number): string {
  let end = start;
  for (let skipped = 0; skipped < 2 && (lower[end - 1] === ' ' || lower[end - 1] === '-'); skipped++) end--;
  const abbreviated = end < start && lower[end - 1] === '.';
  if (abbreviated) end--;
  if (!isSpacedLetter(lower[end - 1])) return '';
  const word = lower.slice(words.startOf[end - 1] ?? end, end);
  return abbreviated && word.length > MAX_ABBREVIATION ? '' : word;
}

/** The word just after `end`, across one space ("kode bank"). */
function wordAfter(lower: string, end: number): string {
  if (lower[end] !== ' ') return '';
  let stop = end + 1;
  while (stop < lower.length && isSpacedLetter(lower[stop])) stop++;
  return lower.slice(end + 1, stop);
}

const LATIN_KEYWORDS = KEYWORDS.map((keyword) => keyword.text).filter((text) => /^[a-z0-9]+$/.test(text));

/** The word names a code ("1024CODE", "OTP123456"), so it is a label and not a code itself. */
export function mentionsKeyword(word: string): boolean {
  return containsAny(word, LATIN_KEYWORDS);
}

const CODE_WORD_TEXTS = KEYWORDS.filter((keyword) => keyword.weight === CODE_WORD).map((keyword) => keyword.text);

/** The word is, or contains, the name of a code in some language ("code", "código", "OTP", "Passwort"). */
export function namesACode(word: string): boolean {
  return containsAny(word, CODE_WORD_TEXTS);
}

function containsAny(word: string, texts: readonly string[]): boolean {
  const lower = word.toLowerCase();
  return texts.some((text) => lower.includes(text));
}
