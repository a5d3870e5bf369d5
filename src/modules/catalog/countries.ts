// Every country we can sell numbers in: the union of the countries in the SMS-Activate table
// (providers/sms-activate/countries.ts) and the 5sim table (providers/fivesim/names.ts), as ISO 3166-1
// alpha-2 codes. A test keeps this list equal to that union, so a country added there fails here until
// it is added. Names come from the runtime's CLDR data (Intl.DisplayNames); calling codes and phone
// formatting from libphonenumber-js.
//
// Start-up cost: importing libphonenumber-js costs about 100 ms (its ES modules; 55 ms as CommonJS),
// so this module reads the calling codes from its metadata alone (a few ms) and loads the library on
// the first `formatPhone` call. A test checks every calling code against `getCountryCallingCode`.

import type * as PhoneLibrary from 'libphonenumber-js';
import metadata from 'libphonenumber-js/metadata.min.json';
import { onFirstUse } from '../../lib/packages.ts';
import { SOLD_COUNTRY_CODES } from './country-codes.ts';
import { countryMatchRank, rankMatches, searchTerms } from './search.ts';

export interface CountryInfo {
  /** ISO 3166-1 alpha-2, upper case. */
  code: string;
  /** English short name, as CLDR gives it ("Côte d’Ivoire", "Congo - Kinshasa"). */
  name: string;
  /** International calling code without `+`: `62`, `1`, `44`. */
  dialCode: string;
  /** The flag emoji: the two regional-indicator symbols of the code. */
  flag: string;
}

// Names people type that the CLDR name does not contain: older names, the providers' spellings
// (5sim's "england", SMS-Activate's "USA"), and common abbreviations.
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  AE: ['UAE', 'Emirates'],
  CD: ['DR Congo', 'Democratic Republic of the Congo', 'DRC'],
  CG: ['Republic of the Congo'],
  CI: ['Ivory Coast'],
  CV: ['Cabo Verde'],
  CZ: ['Czech Republic'],
  GB: ['UK', 'England', 'Great Britain', 'Britain'],
  KP: ['DPRK'],
  KR: ['Korea'],
  MK: ['Macedonia'],
  MO: ['Macau'],
  PS: ['Palestine'],
  SZ: ['Swaziland'],
  TL: ['East Timor'],
  TR: ['Turkey'],
  US: ['USA', 'America', 'United States of America'],
  VG: ['BVI'],
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

// The metadata lists the countries of each calling code; turned around, the calling code of each country.
const callingCodes = new Map<string, string>();
for (const [callingCode, countries] of Object.entries(metadata.country_calling_codes)) {
  for (const country of countries) callingCodes.set(country, callingCode);
}

export const COUNTRIES: readonly CountryInfo[] = SOLD_COUNTRY_CODES.map((code) => ({
  code,
  name: regionNames.of(code) ?? code,
  dialCode: callingCodes.get(code) ?? '',
  flag: flagOf(code),
})).sort((a, b) => a.name.localeCompare(b.name, 'en'));

const byCode = new Map(COUNTRIES.map((country) => [country.code, country]));
const terms = new Map(COUNTRIES.map((country) => [country.code, searchTerms([country.name, ...aliasesOf(country.code)])]));

/** The country with this ISO code (any case), or undefined. */
export function countryByCode(code: string): CountryInfo | undefined {
  return byCode.get(code.trim().toUpperCase());
}

/** The other names people search a country by ("UK", "Ivory Coast"); none for most. */
export function aliasesOf(code: string): readonly string[] {
  return ALIASES[code] ?? [];
}

/**
 * Countries matching `query` by ISO code, by dialling code ("62", "+62"), or by a name or common alias
 * that starts with it or has a word that does (ignoring case and accents; never inside a word). The
 * code or an exact name first, then names that start with the query, then later words; ties are
 * alphabetical. An empty query returns every country, alphabetically.
 */
export function searchCountries(query: string): CountryInfo[] {
  return rankMatches(COUNTRIES, query, (country) => {
    const names = terms.get(country.code);
    return names ? countryMatchRank(country, names, query) : undefined;
  });
}

export interface FormattedPhone {
  /** International format for display, groups separated by spaces: `+62 812 3456 7890`. */
  international: string;
  /** The number as dialled inside its country: `0812-3456-7890`. */
  national: string;
  /** ISO code of the country the number belongs to, or null when it cannot be told. */
  country: string | null;
}

/**
 * Display forms of an E.164 number. A number that cannot be parsed, or whose length is impossible for
 * its calling code, comes back unchanged with `country: null`; this never throws. A number that is
 * well formed but not assigned (fictional ranges, say) is still formatted, and `country` is then the
 * country its calling code most likely means (`+44 7700 900123` → GB).
 */
export function formatPhone(e164: string): FormattedPhone {
  const unchanged: FormattedPhone = { international: e164, national: e164, country: null };
  const phone = phoneLibrary().parsePhoneNumberFromString(e164.trim());
  if (!phone?.isPossible()) return unchanged;
  return {
    // libphonenumber joins some groups with hyphens ("+62 812-3456-7890"); ITU-T E.123 separates the
    // groups of an international number with spaces only.
    international: phone.formatInternational().replace(/-/g, ' '),
    national: phone.formatNational(),
    country: phone.country ?? phone.getPossibleCountries()[0] ?? null,
  };
}

/**
 * libphonenumber-js, loaded (synchronously, once) when a number is first formatted or checked (it
 * costs ~100 ms to import): the one loader of it, for the catalog and the pool alike.
 */
export const phoneLibrary = onFirstUse<typeof PhoneLibrary>((require) => require('libphonenumber-js'));

/** The regional-indicator pair of an alpha-2 code: "ID" → 🇮🇩. */
function flagOf(code: string): string {
  return String.fromCodePoint(...[...code].map((letter) => 0x1f1e6 + letter.charCodeAt(0) - 0x41));
}
