/**
 * Is a device id or device secret a random value, as contract v2 requires ("a UUID v4 or at least
 * 128 random bits")? Randomness cannot be proved from one value; this refuses the ones that are
 * plainly not random — too short, constant, counted, or repeated — and lets through all but a
 * negligible share of values really drawn from a CSPRNG (see the bound below).
 *
 * Accepted formats:
 * - where allowed (device ids, not secrets: 122 bits are short of 128), a UUID (8-4-4-4-12 hex digits,
 *   any case) of version 4 with the RFC 9562 variant: 122 random bits;
 * - hex: digits 0–9 and a–f (any case), `-` allowed as a separator, at least 32 digits (128 bits);
 * - base64url without padding (A–Z a–z 0–9 `-` `_`), at least 22 characters (132 bits). A value made
 *   only of hex digits and `-` is read as hex, so a short hex value cannot pass as base64url.
 *
 * Then the symbols (hex digits compared case-insensitively, separators dropped) must look random:
 * - at least 6 different symbols;
 * - no 14 symbols in a row that each follow from the ones before by one simple rule: the same step
 *   as the previous pair (aaaa, abcd, 9876, aceg; steps wrap around the alphabet), or the symbol p
 *   places back for one p from 1 to 16 (abab, abcabc, a block written twice).
 *
 * False refusals: among the 30 random hex digits of a UUID v4 (the shortest accepted value), fewer
 * than 6 different symbols has a probability of about 3·10⁻¹², and a 14-symbol run of one of the 17
 * rules less than 10⁻¹⁴; base64url values, with 64 symbols, are far below that. Longer values only
 * lower both.
 */
export const RANDOM_VALUE_RULES = { minHexDigits: 32, minBase64Chars: 22, minDistinct: 6, maxPatternRun: 13, maxPeriod: 16 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const HEX_WITH_SEPARATORS = /^[0-9a-f-]+$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEX_ALPHABET = '0123456789abcdef';
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const HEX_OR_BASE64 = 'at least 32 hex digits or at least 22 base64url characters (A–Z a–z 0–9 - _)';

/** Why `value` is not an acceptable random value (a phrase to follow the field's name), or undefined when it is. */
export function randomValueProblem(value: string, rules: { maxLength: number; uuid: boolean }): string | undefined {
  if (value.length > rules.maxLength) return `must be at most ${rules.maxLength} characters`;
  let symbols: number[];
  let alphabetSize: number;
  if (UUID.test(value)) {
    if (!rules.uuid) return `must be ${HEX_OR_BASE64}, not a UUID (a UUID v4 has only 122 random bits)`;
    if (!UUID_V4.test(value)) return `must be a random UUID (version 4); this one is version ${value[14]}`;
  }
  if (HEX_WITH_SEPARATORS.test(value)) {
    const digits = value.replaceAll('-', '').toLowerCase();
    if (digits.length < RANDOM_VALUE_RULES.minHexDigits) {
      return `must be ${formats(rules)}; this one has ${digits.length} hex digits (at least 32 make 128 bits)`;
    }
    symbols = [...digits].map((c) => HEX_ALPHABET.indexOf(c));
    alphabetSize = HEX_ALPHABET.length;
  } else if (BASE64URL.test(value)) {
    if (value.length < RANDOM_VALUE_RULES.minBase64Chars) {
      return `must be ${formats(rules)}; this one has ${value.length} characters (at least 22 make 128 bits)`;
    }
    symbols = [...value].map((c) => BASE64URL_ALPHABET.indexOf(c));
    alphabetSize = BASE64URL_ALPHABET.length;
  } else {
    return `must be ${formats(rules)}, with no other characters`;
  }
  if (new Set(symbols).size < RANDOM_VALUE_RULES.minDistinct) {
    return 'does not look random: it uses fewer than 6 different characters';
  }
  if (longestPatternRun(symbols, alphabetSize) > RANDOM_VALUE_RULES.maxPatternRun) {
    return 'does not look random: it contains a run, a sequence or a repeated block (like aaaa, abcd, abab)';
  }
  return undefined;
}

const formats = (rules: { uuid: boolean }) => (rules.uuid ? `a UUID v4, ${HEX_OR_BASE64.replace(' or ', ', or ')}` : HEX_OR_BASE64);

/** The most symbols in a row that one rule (a constant step, or a repeat p places back) predicts. */
function longestPatternRun(symbols: number[], alphabetSize: number): number {
  let longest = 0;
  let run = 0;
  let previous: number | undefined;
  let previousStep: number | undefined;
  for (const symbol of symbols) {
    if (previous !== undefined) {
      const step = (symbol - previous + alphabetSize) % alphabetSize;
      run = step === previousStep ? run + 1 : 0;
      longest = Math.max(longest, run);
      previousStep = step;
    }
    previous = symbol;
  }
  for (let period = 1; period <= RANDOM_VALUE_RULES.maxPeriod; period++) {
    run = 0;
    for (let i = period; i < symbols.length; i++) {
      run = symbols[i] === symbols[i - period] ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
  }
  return longest;
}
