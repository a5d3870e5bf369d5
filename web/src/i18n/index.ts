import { en, type Strings } from './en.ts';

/** The strings of the interface. English only for now; a new language is a new file of type `Strings`. */
export const t: Strings = en;

/** The language tag of `t`, for <html lang> and number formatting. */
export const LANGUAGE = 'en';

/**
 * The locale dates are written in: the app's language, in the regional variant the reader's browser
 * prefers when it prefers one of that language ("en-GB": 4 December 2026), else the language itself
 * (a German browser reads "December 4, 2026" in an English page, not "4. Dezember 2026").
 */
export function localeFor(language: string, preferred: readonly string[]): string {
  return preferred.find((tag) => tag.toLowerCase() === language || tag.toLowerCase().startsWith(`${language}-`)) ?? language;
}

export const LOCALE = localeFor(LANGUAGE, typeof navigator === 'undefined' ? [] : navigator.languages);
