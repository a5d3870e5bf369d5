import { en, type Strings } from './en.ts';

/** The strings of the interface. English only for now; a new language is a new file of type `Strings`. */
export const t: Strings = en;

/** The language tag of `t`, for <html lang> and number formatting. */
export const LANGUAGE = 'en';
