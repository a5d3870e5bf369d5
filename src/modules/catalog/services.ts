// The services customers can order, keyed by our service code: the SMS-Activate code, which the
// whole protocol family (HeroSMS, SMSHub, Grizzly, SMSBower, Tiger, …) shares.
//
// Every code below was checked against at least two independent public tables of that family
// (clients built on the live `getServicesList` answer, and older hand-made tables), and against the
// 5sim product table in providers/fivesim/names.ts where 5sim sells the service. Names of brands
// whose code no two tables agree on are left out rather than given a guessed code.
//
// Icons and colours come from the `simple-icons` package (CC0). The SVG markup is read from the
// package's one-file-per-icon folder on first use, so start-up never loads the ~3,500-icon index.

import { readFileSync } from 'node:fs';
import { packageFile } from '../../lib/packages.ts';
import { matchRank, rankMatches, type SearchTerms, searchTerms } from './search.ts';

export interface ServiceInfo {
  /** Our service code, the SMS-Activate one: `tg`, `wa`, `go`, … */
  code: string;
  /** The brand as customers know it. */
  name: string;
  /** Other words people search with: products sold under the same code, old names, native spellings. */
  aliases: string[];
  /** A simple-icons slug, or null when simple-icons has no icon for the brand. */
  icon: string | null;
  /** The brand colour from simple-icons, six hex digits without `#`, or null without an icon. */
  color: string | null;
}

type Row = readonly [code: string, name: string, icon: string | null, color: string | null, aliases: readonly string[]];

// Most used first: the order of `searchServices('')` and of equally good search matches.
const ROWS: readonly Row[] = [
  ['tg', 'Telegram', 'telegram', '26A5E4', ['tg', 'телеграм', 'телеграмм']],
  ['wa', 'WhatsApp', 'whatsapp', '25D366', ['whatsapp business', 'wa', 'ватсап', 'вотсап']],
  ['go', 'Google', 'google', '4285F4', ['youtube', 'gmail', 'google play', 'google account', 'гугл']],
  ['ig', 'Instagram', 'instagram', 'FF0069', ['threads', 'insta', 'ig', 'инстаграм']],
  ['fb', 'Facebook', 'facebook', '0866FF', ['meta', 'messenger', 'fb', 'фейсбук']],
  ['tw', 'X (Twitter)', 'x', '000000', ['twitter', 'x']],
  ['ds', 'Discord', 'discord', '5865F2', []],
  ['dr', 'OpenAI', null, null, ['chatgpt', 'chat gpt', 'sora']],
  ['mm', 'Microsoft', null, null, ['outlook', 'hotmail', 'skype', 'xbox', 'bing', 'live.com']],
  ['lf', 'TikTok', 'tiktok', '000000', ['douyin', '抖音']],
  ['am', 'Amazon', null, null, ['amazon prime', 'prime video', 'aws']],
  ['wx', 'Apple', 'apple', '000000', ['apple id', 'apple account', 'icloud', 'app store']],
  ['ub', 'Uber', 'uber', '000000', ['uber eats']],
  ['fu', 'Snapchat', 'snapchat', 'FFFC00', []],
  ['ts', 'PayPal', 'paypal', '002991', []],
  ['oi', 'Tinder', 'tinder', 'FF6B6B', []],
  ['wb', 'WeChat', 'wechat', '07C160', ['weixin', '微信']],
  ['vi', 'Viber', 'viber', '7360F2', []],
  ['ya', 'Yandex', null, null, ['яндекс', 'yandex go', 'yandex id']],
  ['vk', 'VKontakte', 'vk', '0077FF', ['vk', 'vk.com', 'вконтакте', 'вк']],
  ['ok', 'Odnoklassniki', 'odnoklassniki', 'EE8208', ['ok.ru', 'одноклассники']],
  ['tn', 'LinkedIn', null, null, []],
  ['nf', 'Netflix', 'netflix', 'E50914', []],
  ['mt', 'Steam', 'steam', '000000', ['valve', 'steam guard']],
  ['bw', 'Signal', 'signal', '3B45FD', []],
  ['me', 'LINE', 'line', '00C300', ['line messenger']],
  ['kt', 'KakaoTalk', 'kakaotalk', 'FFCD00', ['kakao', '카카오톡', 'カカオトーク']],
  ['ka', 'Shopee', 'shopee', 'EE4D2D', ['蝦皮']],
  ['jg', 'Grab', 'grab', '00B14F', ['grabtaxi', 'grabfood']],
  ['ni', 'Gojek', 'gojek', '00AA13', ['go-jek', 'gofood']],
  ['uk', 'Airbnb', 'airbnb', 'FF5A5F', []],
  ['hw', 'Alipay / Alibaba / 1688', 'alipay', '1677FF', ['alibaba', 'alipay', '1688', '支付宝']],
  ['nv', 'Naver', 'naver', '03C75A', ['네이버']],
  ['mb', 'Yahoo', null, null, ['yahoo mail']],
  ['dp', 'Proton Mail', 'protonmail', '6D4AFF', ['protonmail', 'proton']],
  ['re', 'Coinbase', 'coinbase', '0052FF', []],
  ['aon', 'Binance', 'binance', 'F0B90B', []],
  ['hx', 'AliExpress', 'aliexpress', 'FF4747', []],
  ['dh', 'eBay', 'ebay', 'E53238', []],
  ['qq', 'Tencent QQ', 'qq', '1EBAFC', ['qq', 'tencent']],
  ['ma', 'Mail.ru', 'maildotru', '005FF9', ['mailru', 'почта mail.ru']],
  ['av', 'Avito', null, null, ['авито']],
  ['hb', 'Twitch', 'twitch', '9146FF', []],
  ['tl', 'Truecaller', null, null, []],
  ['mj', 'Zalo', 'zalo', '0068FF', []],
  ['qv', 'Badoo', 'badoo', '783BF9', []],
  ['bz', 'Blizzard', 'battledotnet', '4381C3', ['battle.net', 'battlenet']],
  ['kf', 'Weibo', 'sinaweibo', 'E6162D', ['sina weibo', '微博']],
  ['tu', 'Lyft', 'lyft', 'FF00BF', []],
  ['ot', 'Any other', null, null, ['other', 'any', 'other service', 'otro', 'autre', 'другой']],
];

export const SERVICES: readonly ServiceInfo[] = ROWS.map(([code, name, icon, color, aliases]) => ({
  code,
  name,
  aliases: [...aliases],
  icon,
  color,
}));

const byCode = new Map(SERVICES.map((service) => [service.code, service]));

/** The service with this code (case-insensitive), or undefined. */
export function serviceByCode(code: string): ServiceInfo | undefined {
  return byCode.get(code.trim().toLowerCase());
}

/**
 * Services whose name or an alias starts with `query`, or has a word that does, ignoring case, accents
 * and punctuation ("whats app", "Télégram", "ЯНДЕКС"); nothing matches inside a word. Our service codes
 * are the providers' and mean nothing to people ("uk" is Airbnb), so they are not searched; the
 * abbreviations people do use ("tg", "fb") are aliases. Exact names first, then names that start with
 * the query, then later words; ties keep the popularity order. An empty query returns every service.
 */
export function searchServices(query: string): ServiceInfo[] {
  return rankMatches(SERVICES, query, (service, folded) => matchRank(termsOf(service), folded));
}

const svgCache = new Map<string, string>();

/**
 * The simple-icons SVG of the service (`<svg role="img" viewBox="0 0 24 24" …><title>…</title><path …/></svg>`),
 * to be served from our own origin; null for a service without an icon or an unknown code. Each file
 * is read once, on first use.
 */
export function serviceIconSvg(code: string): string | null {
  const icon = serviceByCode(code)?.icon;
  if (!icon) return null;
  const cached = svgCache.get(icon);
  if (cached !== undefined) return cached;
  const svg = readFileSync(packageFile(`simple-icons/icons/${icon}.svg`), 'utf8').trim();
  svgCache.set(icon, svg);
  return svg;
}

const termsCache = new Map<string, SearchTerms>();

function termsOf(service: ServiceInfo): SearchTerms {
  let terms = termsCache.get(service.code);
  if (!terms) {
    terms = searchTerms([service.name, ...service.aliases]);
    termsCache.set(service.code, terms);
  }
  return terms;
}

const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const escaped = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * What may not touch a name for it to be a whole word: letters of the scripts that put spaces between
 * words, and digits. Chinese, Japanese and Korean do not space their words, so a Latin name written
 * against them ("您的WhatsApp代码") is whole.
 */
const WORD_CHAR = '[\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}\\p{Script=Arabic}\\p{Script=Hebrew}\\p{N}]';
/** A Cyrillic name takes a case ending ("Телеграме", "Вотсапа"): up to three more Cyrillic letters. */
const withEnding = (word: string) => (/\p{Script=Cyrillic}/u.test(word) ? `${escaped(word)}\\p{Script=Cyrillic}{0,3}` : escaped(word));
const wholeWord = (alternatives: string[], flags: string) =>
  new RegExp(`(?<!${WORD_CHAR})(?:${alternatives.map(withEnding).join('|')})(?!${WORD_CHAR})`, flags);

/**
 * A service's names as words a message may name it by: in any case when four characters or more; a
 * shorter one (`X`, `VK`, `TG`, `WA`, `ВК`) only in capitals, as brands write them in their messages —
 * in lower case they are ordinary words ("x", "wa", "ok", "line").
 */
const NAMES_IN_MESSAGES: readonly { code: string; patterns: RegExp[] }[] = SERVICES.filter((service) => service.code !== 'ot').map(
  (service) => {
    // Words with a letter: `1688` (Alibaba) is as often a code.
    const words = [
      ...new Set([...service.name.replace(/\([^)]*\)/g, ' ').split('/'), ...service.aliases].map((word) => word.trim())),
    ].filter((word) => /\p{L}/u.test(word));
    // Chinese, Japanese and Korean write words without spaces ("你的微信验证码"): their names count inside a sentence.
    const unspaced = words.filter((word) => UNSPACED_SCRIPT.test(word));
    const spaced = words.filter((word) => !UNSPACED_SCRIPT.test(word));
    const long = spaced.filter((word) => [...word].length >= 4);
    const short = spaced.filter((word) => word !== '' && [...word].length < 4).map((word) => word.toUpperCase());
    return {
      code: service.code,
      patterns: [
        ...(long.length > 0 ? [wholeWord(long, 'iu')] : []),
        ...(short.length > 0 ? [wholeWord(short, 'u')] : []),
        ...(unspaced.length > 0 ? [new RegExp(unspaced.map(escaped).join('|'), 'u')] : []),
      ],
    };
  },
);

/**
 * The services a message names, by brand or alias as a whole word, in its sender or text ("Telegram
 * code: 12345" names `tg`). Used to keep a code meant for one service from whoever holds the number
 * for another (the pool's reuse rule, ADR 37).
 */
export function servicesNamedIn(...texts: string[]): string[] {
  // Compatibility forms folded first: full-width "Ｔｅｌｅｇｒａｍ" is Telegram.
  const joined = texts.join('\n').normalize('NFKC');
  return NAMES_IN_MESSAGES.filter(({ patterns }) => patterns.some((pattern) => pattern.test(joined))).map(({ code }) => code);
}
