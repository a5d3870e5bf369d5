// Country flags are SVG files the build ships for every country we sell (web/country-flags.ts), served
// from our own origin and cached for a year. Emoji flags were not an option: Windows and Linux without
// a colour emoji font draw them as two letters in boxes.

/** The folder the build put the flags in; a stand-in where no build set it (unit tests). */
const FLAGS_PATH: string = typeof __FLAGS_PATH__ === 'string' ? __FLAGS_PATH__ : '/assets/flags/';

/** The URL of a country's flag, by ISO 3166-1 alpha-2 code; undefined for anything that is not one. */
export function flagUrl(code: string): string | undefined {
  return /^[A-Z]{2}$/.test(code) ? `${FLAGS_PATH}${code}.svg` : undefined;
}
