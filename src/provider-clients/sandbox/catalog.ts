// The sandbox provider's catalogue: what it sells, where, at what cost and in what stock, shaped like a
// real SMS-Activate price list (Telegram cheapest in South and Southeast Asia, dearest in Western Europe,
// Japan and Australia; WhatsApp and WeChat above Telegram; Russian services where Russian speakers are).
// Everything is computed from the tables below and a hash of (service, country), so the list is the same
// on every start.

import type { Micros } from '../port.ts';
import { hash } from './sequence.ts';

export { sandboxCode, sandboxSms } from './messages.ts';
export { SANDBOX_NUMBER_COUNTRIES, sandboxNumber } from './numbers.ts';

export interface SandboxOffer {
  /** Our service code. */
  service: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** What one number costs the sandbox, in USD micro-units. */
  cost: Micros;
  /** Numbers in stock; 0 exercises "no numbers". */
  count: number;
}

/** Per country: Telegram's cost there in US cents, and the stock of Telegram numbers. */
const MARKETS: Readonly<Record<string, readonly [telegramCents: number, stock: number]>> = {
  ID: [18, 9400],
  IN: [22, 7800],
  PH: [28, 5200],
  VN: [20, 4100],
  BD: [15, 3900],
  PK: [20, 2600],
  TH: [35, 2300],
  MY: [40, 1800],
  KE: [28, 1500],
  NG: [30, 2100],
  EG: [25, 1700],
  ZA: [45, 900],
  BR: [45, 3300],
  MX: [55, 1900],
  CO: [35, 2200],
  AR: [40, 1100],
  RU: [65, 6100],
  UA: [35, 2900],
  KZ: [40, 1400],
  UZ: [30, 1600],
  TR: [45, 1200],
  IL: [90, 300],
  PL: [70, 1300],
  NL: [120, 600],
  ES: [90, 800],
  IT: [95, 700],
  DE: [150, 500],
  FR: [130, 650],
  SE: [140, 250],
  GB: [90, 1800],
  US: [75, 4200],
  CA: [85, 900],
  AU: [160, 150],
  JP: [210, 120],
  KR: [180, 200],
  HK: [110, 350],
};

const EVERYWHERE = Object.keys(MARKETS).join(' ');
const WEST = 'US CA GB DE FR ES IT NL PL SE AU IL';
const GLOBAL = `${WEST} BR MX CO AR IN ID PH VN TH MY TR UA NG EG ZA`;
const CIS = 'RU KZ UZ UA';

/**
 * Per service: its cost as a multiple of Telegram's in the same country, its stock as a share of
 * Telegram's, and the countries it is sold in.
 */
const SERVICES: ReadonlyArray<readonly [service: string, priceFactor: number, stockShare: number, countries: string]> = [
  ['tg', 1, 1, EVERYWHERE],
  ['wa', 1.4, 0.7, EVERYWHERE],
  ['go', 0.8, 0.9, EVERYWHERE],
  ['ig', 0.7, 0.6, GLOBAL],
  ['fb', 0.6, 0.7, GLOBAL],
  ['tw', 0.55, 0.5, GLOBAL],
  ['ds', 0.5, 0.5, GLOBAL],
  ['dr', 1.2, 0.4, `${WEST} IN ID PH BR MX TR UA KZ`],
  ['mm', 0.6, 0.5, GLOBAL],
  ['lf', 0.6, 0.6, GLOBAL],
  ['am', 0.7, 0.4, `${WEST} IN BR MX`],
  ['wx', 0.8, 0.3, `${WEST} IN ID BR MX`],
  ['ub', 0.6, 0.4, `${WEST} IN BR MX CO EG ZA`],
  ['fu', 0.6, 0.4, `${WEST} IN MX`],
  ['ts', 1, 0.3, WEST],
  ['oi', 0.9, 0.4, `${WEST} BR MX IN ID PH`],
  ['wb', 1.8, 0.2, 'HK MY ID PH VN TH US'],
  ['vi', 0.6, 0.5, 'UA RU KZ PH VN IL'],
  ['ya', 0.5, 0.8, CIS],
  ['vk', 0.5, 0.9, CIS],
  ['ok', 0.35, 0.8, CIS],
  ['tn', 0.7, 0.3, `${WEST} IN`],
  ['nf', 0.5, 0.3, `${WEST} BR MX IN`],
  ['mt', 0.6, 0.4, `${WEST} RU UA KZ BR`],
  ['bw', 0.9, 0.3, `${WEST} UA`],
  ['me', 0.9, 0.3, 'TH JP ID'],
  ['kt', 1.2, 0.5, 'KR'],
  ['ka', 0.5, 0.6, 'ID PH VN TH MY BR'],
  ['jg', 0.5, 0.5, 'ID PH VN TH MY'],
  ['ni', 0.5, 0.7, 'ID'],
  ['uk', 0.7, 0.3, 'US GB FR ES IT BR MX'],
  ['hw', 1.1, 0.3, 'HK MY ID'],
  ['nv', 1, 0.6, 'KR'],
  ['mb', 0.5, 0.4, 'US GB JP ID IN'],
  ['dp', 0.6, 0.3, 'DE SE NL US GB FR'],
  ['re', 0.9, 0.3, 'US GB DE NG TR BR'],
  ['aon', 0.9, 0.4, 'TR UA NG BR VN ID PH RU'],
  ['hx', 0.5, 0.4, 'RU ES BR PL UA KZ'],
  ['dh', 0.6, 0.3, 'US GB DE AU'],
  ['qq', 0.8, 0.3, 'HK'],
  ['ma', 0.4, 0.7, CIS],
  ['av', 0.5, 0.8, 'RU'],
  ['hb', 0.5, 0.3, 'US GB DE BR'],
  ['tl', 0.5, 0.5, 'IN PK NG EG KE'],
  ['mj', 0.6, 0.6, 'VN'],
  ['qv', 0.5, 0.3, 'RU UA BR MX ES IT'],
  ['bz', 0.6, 0.3, 'US DE FR KR'],
  ['kf', 0.8, 0.3, 'HK'],
  ['tu', 0.7, 0.3, 'US CA'],
  ['ot', 0.5, 0.6, EVERYWHERE],
];

/**
 * Sold out on purpose, besides the pairs the hash empties (about one in thirteen): WhatsApp × Turkey,
 * where HeroSMS was seen listing 56,964 numbers of which none was physically available.
 */
const SOLD_OUT = new Set(['wa:TR']);

/** Price jitter: ±10% around the table's price, the same for a pair on every start. */
const PRICE_SPREAD = 0.1;

function offer(service: string, priceFactor: number, stockShare: number, country: string): SandboxOffer {
  const market = MARKETS[country];
  if (!market) throw new Error(`sandbox catalogue: no market for ${country}`);
  const [telegramCents, stock] = market;
  const h = hash(`${service}:${country}`);
  const priceJitter = 1 - PRICE_SPREAD + ((h & 0xffff) / 0xffff) * 2 * PRICE_SPREAD;
  // Whole half-cents, as upstream price lists quote them: 0.185, 0.19, 0.195 USD.
  const halfCents = Math.max(1, Math.round(telegramCents * priceFactor * priceJitter * 2));
  const soldOut = SOLD_OUT.has(`${service}:${country}`) || h % 13 === 0;
  const stockJitter = 0.5 + (h >>> 16) / 0xffff;
  return { service, country, cost: halfCents * 5_000, count: soldOut ? 0 : Math.round(stock * stockShare * stockJitter) };
}

export const SANDBOX_OFFERS: readonly SandboxOffer[] = SERVICES.flatMap(([service, priceFactor, stockShare, countries]) =>
  countries.split(' ').map((country) => offer(service, priceFactor, stockShare, country)),
);
