// The sandbox's phone numbers: well-formed E.164 numbers of the right country that can never reach a
// real person. Where the country's numbering authority reserves numbers for fiction (films, books,
// examples), they come from that range; elsewhere from a block the national numbering plan does not
// assign at all.

import { checkedSequence } from './sequence.ts';

type Plan = (sequence: number) => string;

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * North American Numbering Plan: 555-0100 to 555-0199 are reserved for fictional use in every area
 * code (NANPA's 555 NXX assignment guidelines; the rest of 555 was released for assignment). Each
 * country cycles through a few of its real area codes, 100 numbers each.
 */
const NANP_AREA_CODES: Readonly<Record<string, readonly string[]>> = {
  US: ['212', '202', '305', '312', '415', '512', '617', '702', '206', '404'],
  CA: ['416', '514', '604', '613', '403'],
};

const nanp =
  (areaCodes: readonly string[]): Plan =>
  (n) =>
    `+1${areaCodes[Math.floor(n / 100) % areaCodes.length]}55501${pad(n % 100, 2)}`;

/**
 * Australia: the mobile numbers the ACMA publishes for radio, books, film and TV (its "fictitious
 * numbers" page; these five are on it since its 2009 version).
 */
const AU_MOBILES = ['491570156', '491570157', '491570158', '491570159', '491570110'] as const;

/**
 * Germany: the Bundesnetzagentur's "drama numbers" (Mitteilung 148/2021, Amtsblatt 7/2021 p. 489):
 * 1,000 numbers in each of Berlin 030 23125, Frankfurt 069 90009, Hamburg 040 66969, Cologne 0221 4710
 * and Munich 089 99998. These are landline numbers; the same notice lists twelve mobile numbers or
 * ranges set aside by the network operators, which we could not read, so the sandbox does not use them.
 */
const DE_BLOCKS = ['3023125', '6990009', '4066969', '2214710', '8999998'] as const;

/**
 * Countries without a published fiction range: the calling code, then a national number that starts
 * with digits no number type of the national plan uses (`10` where that is free), of the length of the
 * country's mobile numbers. Such a number is well formed but invalid: nobody can hold it. It is not a
 * reserved range, though, so a plan could one day open it; the sandbox test checks every block against
 * libphonenumber's full metadata (each plan's assigned ranges) and fails when that happens.
 * [calling code, first digits, national number length]
 */
const UNASSIGNED: Readonly<Record<string, readonly [dial: string, prefix: string, length: number]>> = {
  AR: ['54', '10', 10],
  BD: ['880', '10', 10],
  BR: ['55', '10', 11],
  CO: ['57', '10', 10],
  EG: ['20', '14', 10], // 10, 11, 12 and 15 are mobile networks
  ES: ['34', '10', 9],
  HK: ['852', '10', 8],
  ID: ['62', '10', 11],
  IL: ['972', '10', 9],
  IN: ['91', '10', 10],
  IT: ['39', '10', 10],
  JP: ['81', '10', 10],
  KE: ['254', '15', 9], // 10 and 11 are mobile networks
  KR: ['82', '13', 10], // 10 is the mobile prefix
  KZ: ['7', '79', 10], // +7 is shared with Russia; Kazakh numbers start with 6 or 7
  MX: ['52', '10', 10],
  MY: ['60', '20', 9], // 10 and 11 are mobile prefixes
  NG: ['234', '10', 10],
  NL: ['31', '12', 9], // 10 is Rotterdam
  PH: ['63', '10', 10],
  PK: ['92', '10', 10],
  PL: ['48', '10', 9],
  RU: ['7', '10', 10],
  TH: ['66', '10', 9],
  TR: ['90', '10', 10],
  UA: ['380', '10', 9],
  UZ: ['998', '10', 9],
  VN: ['84', '10', 9],
  ZA: ['27', '30', 9], // 01x are Johannesburg, Pretoria and their neighbours
};

const unassigned =
  ([dial, prefix, length]: readonly [string, string, number]): Plan =>
  (n) =>
    `+${dial}${prefix}${pad(n % 10 ** (length - prefix.length), length - prefix.length)}`;

const PLANS: Readonly<Record<string, Plan>> = {
  ...Object.fromEntries(Object.entries(NANP_AREA_CODES).map(([country, areaCodes]) => [country, nanp(areaCodes)])),
  ...Object.fromEntries(Object.entries(UNASSIGNED).map(([country, plan]) => [country, unassigned(plan)])),
  // Ofcom's numbers for drama purposes: mobile 07700 900000 to 07700 900999.
  GB: (n) => `+447700900${pad(n % 1000, 3)}`,
  AU: (n) => `+61${AU_MOBILES[n % AU_MOBILES.length]}`,
  // ARCEP reserves 06 39 98 00 00 to 06 39 98 99 99 for fiction (with one block in each of 01 to 05).
  FR: (n) => `+3363998${pad(n % 10_000, 4)}`,
  // PTS reserves mobile 070-174 06 05 to 070-174 06 99 for fiction.
  SE: (n) => `+4670174${pad(605 + (n % 95), 4)}`,
  DE: (n) => `+49${DE_BLOCKS[Math.floor(n / 1000) % DE_BLOCKS.length]}${pad(n % 1000, 3)}`,
};

/** The countries `sandboxNumber` has numbers for. */
export const SANDBOX_NUMBER_COUNTRIES: readonly string[] = Object.keys(PLANS).sort();

/**
 * The `sequence`-th fictional number of `country` (ISO alpha-2), in E.164: the same arguments always
 * give the same number, and consecutive sequences walk through the country's range (which may be small:
 * Australia has five numbers, Sweden 95, so numbers repeat). Throws a RangeError for a country the
 * sandbox has no numbers for, or a sequence that is not a non-negative integer.
 */
export function sandboxNumber(country: string, sequence: number): string {
  const plan = PLANS[country.trim().toUpperCase()];
  if (!plan) throw new RangeError(`the sandbox has no numbers for country ${JSON.stringify(country)}`);
  return plan(checkedSequence(sequence));
}
