// Character classes shared by the extraction stages. They test one UTF-16 unit at a time, so every
// stage can walk the text with plain index loops (linear time, no backtracking).

const LETTER = /[\p{L}\p{M}]/u;
const UNSPACED_DENSE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const UNSPACED_SPARSE = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const CURRENCY_SYMBOL = /\p{Sc}/u;
const WHITESPACE = /\s/;

export function isAsciiDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

export function isAsciiLetter(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'));
}

export function isAsciiAlnum(ch: string | undefined): boolean {
  return isAsciiDigit(ch) || isAsciiLetter(ch);
}

export function isWhitespace(ch: string | undefined): boolean {
  return ch !== undefined && WHITESPACE.test(ch);
}

export function isCurrencySymbol(ch: string | undefined): boolean {
  return ch !== undefined && CURRENCY_SYMBOL.test(ch);
}

/**
 * How much one character of a script written without spaces weighs as a "word" when measuring how far
 * a keyword is from a number: a Chinese or Japanese word is about two characters, a Thai word about four.
 * 0 for every other character.
 */
export function unspacedWeight(ch: string | undefined): number {
  // Every stage asks this of every character: below Thai (U+0E00) no script is written without spaces.
  if (ch === undefined || ch < '\u0e00') return 0;
  if (UNSPACED_DENSE.test(ch)) return 0.5;
  if (UNSPACED_SPARSE.test(ch)) return 0.25;
  return 0;
}

/** A letter of a script that separates words with spaces (Latin, Cyrillic, Arabic, Hebrew, Hangul, …). */
export function isSpacedLetter(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  if (ch < '\u0080') return isAsciiLetter(ch);
  return LETTER.test(ch) && unspacedWeight(ch) === 0;
}

/** Part of a word in a spaced script: a letter, a combining mark or a digit. */
export function isSpacedWordChar(ch: string | undefined): boolean {
  return isAsciiDigit(ch) || isSpacedLetter(ch);
}

/** Lower-cases without changing the length, so offsets found in the copy hold in the original. */
export function lowerSameLength(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charAt(i);
    // Turkish 'İ' lower-cases to 'i' and a combining dot (two units): 'i' alone keeps the length, and
    // "ŞİFRENİZ" or "İNDİRİM" then read as the words they are.
    if (unit === 'İ') {
      out += 'i';
      continue;
    }
    const lower = unit.toLowerCase();
    out += lower.length === 1 ? lower : unit;
  }
  return out;
}
