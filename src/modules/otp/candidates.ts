// Stage 2: every token a person might type as a code, with what it would be typed as ("417-093" →
// "417093"). Tokens that are visibly something else — a price, a duration, a date or time, a phone
// number, a masked card number — are dropped here; doubtful ones carry a suspicion for the scoring.

import { isAsciiDigit, isCurrencySymbol } from './chars.ts';
import {
  ACCOUNT_SUFFIXES,
  ACCOUNT_WORDS,
  AMOUNT_SUFFIXES,
  AMOUNT_WORDS,
  CURRENCY_WORDS,
  GLUED_AMOUNT,
  PHONE_WORDS,
  PRIZE_SUM,
  PRIZE_WORDS,
  PROMOTION_WORDS,
  REFERENCE_SUFFIXES,
  REFERENCE_WORDS,
  SEND_WORDS,
  unitFollows,
  wordBefore,
} from './context-words.ts';
import { mentionsKeyword, namesVerifyingCode } from './keywords.ts';
import { type Atom, couldNotBeAWord, wordCandidate } from './word-candidates.ts';

/**
 * digits "417093", grouped "417-093", spaced "4 u 8 k u f", alphanumeric "K7X9QZ" (upper case with a
 * digit), capitals "QGFDAE", lowercase "k5cmfb" or "mifsuc".
 */
export type Shape = 'digits' | 'grouped' | 'spaced' | 'alphanumeric' | 'capitals' | 'lowercase';
export type Suspicion = 'account' | 'reference';

export interface Candidate {
  /** What the person types. */
  value: string;
  start: number;
  end: number;
  shape: Shape;
  /** Letters that could be an ordinary word ("below"): a code only where a label points at it. */
  plain: boolean;
  suspicions: Suspicion[];
}

// Between digits, these make one number of several parts: 12.50, 1,555,000, 10:18, 14/04, 2024-04-02.
const NUMBER_JOINERS = new Set(['-', '.', ',', ':', '/']);
const MASK_CHARS = new Set(['*', '•', '●', '×']);
const MIN_DIGITS = 3;
const MAX_DIGITS = 10;
const MIN_TOKEN = 4;
const MAX_TOKEN = 8;
const NUMBER_SHAPES = new Set<Shape>(['digits', 'grouped']);
/** Codes written with letters, held to stricter rules than numbers. */
export const LETTER_SHAPES = new Set<Shape>(['alphanumeric', 'capitals', 'lowercase']);

export function findCandidates(text: string, lower: string, inSenderTag: (position: number) => boolean): Candidate[] {
  // A message announcing a prize holds claim PINs, not codes (context-words.ts): nothing to look for.
  if (PRIZE_WORDS.some((word) => lower.includes(word)) || PRIZE_SUM.test(lower)) return [];
  const atoms = [...text.matchAll(/[A-Za-z0-9]+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }));
  const found: Candidate[] = [];
  const numbers: Atom[][] = [];
  for (let i = 0; i < atoms.length; ) {
    const spaced = spacedRun(text, atoms, i);
    if (spaced.length >= MIN_TOKEN) {
      const value = spaced.map((atom) => atom.text).join('');
      if (spaced.length <= MAX_TOKEN && [...value].some(isAsciiDigit)) found.push(candidate(value, spaced, 'spaced'));
      i += spaced.length;
      continue;
    }
    const chain = numberChain(text, atoms, i);
    if (chain.length > 0) {
      numbers.push(chain);
      i += chain.length;
      continue;
    }
    found.push(...wordCandidates(text, atoms, i));
    i++;
  }
  found.push(...numberCandidates(text, numbers));
  return found
    .filter((c) => !inSenderTag(c.start) && isPlausible(text, lower, c) && !inPromotion(lower, c))
    .map((c) => withSuspicions(text, lower, c));
}

/**
 * The candidate's sentence sells something ("Use code SAVE20 at checkout"): a coupon. Letters are held
 * to the whole message: verification codes are nearly always digits, coupon codes nearly always carry
 * letters, and a sale spreads over sentences ("…20% indirim! Size özel kod T8KYEEWP"). Unless their own
 * sentence names a code that verifies ("Your verification code is K7QM2X. See our offers in the app."):
 * a sale in another sentence then leaves them be.
 */
function inPromotion(lower: string, c: Candidate): boolean {
  const start = Math.max(lower.lastIndexOf('. ', c.start), lower.lastIndexOf('\n', c.start), lower.lastIndexOf('!', c.start), 0);
  const ends = ['. ', '\n', '!'].map((mark) => lower.indexOf(mark, c.end)).filter((at) => at >= 0);
  const sentence = lower.slice(start, ends.length > 0 ? Math.min(...ends) : lower.length);
  if (PROMOTION_WORDS.some((word) => sentence.includes(word))) return true;
  return LETTER_SHAPES.has(c.shape) && PROMOTION_WORDS.some((word) => lower.includes(word)) && !namesVerifyingCode(sentence);
}

function candidate(value: string, atoms: Atom[], shape: Shape): Candidate {
  return { value, start: atoms[0]?.start ?? 0, end: atoms[atoms.length - 1]?.end ?? 0, shape, plain: false, suspicions: [] };
}

/** "4 u 8 k u f": single characters separated by single spaces, the way some banks print a TAN. */
function spacedRun(text: string, atoms: Atom[], from: number): Atom[] {
  const run: Atom[] = [];
  for (let i = from; i < atoms.length; i++) {
    const atom = atoms[i];
    const previous = run[run.length - 1];
    if (atom?.text.length !== 1) break;
    if (previous && !(atom.start === previous.end + 1 && text[previous.end] === ' ')) break;
    run.push(atom);
  }
  return run;
}

/** Digit runs joined by single '-', '.', ',', ':' or '/' into one written number. Empty if atoms[from] is not digits. */
function numberChain(text: string, atoms: Atom[], from: number): Atom[] {
  const chain: Atom[] = [];
  for (let i = from; i < atoms.length; i++) {
    const atom = atoms[i];
    const previous = chain[chain.length - 1];
    if (!atom || !isDigits(atom.text)) break;
    if (previous && !(atom.start === previous.end + 1 && NUMBER_JOINERS.has(text[previous.end] ?? ''))) break;
    chain.push(atom);
  }
  return chain;
}

/**
 * Written numbers become candidates: a plain number; "417-093" or "417 093" (two equal groups of three
 * or four digits) as one code. Other multi-part numbers are amounts, dates, times or phone numbers.
 * Three or more short numbers in a row ("10 04 26", "800 555 0199") are a date or a phone number.
 */
function numberCandidates(text: string, chains: Atom[][]): Candidate[] {
  const found: Candidate[] = [];
  for (let i = 0; i < chains.length; ) {
    const row = spaceSeparatedRow(text, chains, i);
    if (row.length >= 3) {
      i += row.length;
      continue;
    }
    const [first, second] = row;
    if (row.length === 2 && first && second && isGroupPair(first, second)) {
      found.push(candidate(first.text + second.text, [first, second], 'grouped'));
      i += 2;
      continue;
    }
    const chain = chains[i] ?? [];
    const [head, tail] = chain;
    if (chain.length === 1 && head) found.push(candidate(head.text, chain, 'digits'));
    if (chain.length === 2 && head && tail && text[head.end] === '-' && isGroupPair(head, tail)) {
      found.push(candidate(head.text + tail.text, chain, 'grouped'));
    }
    i++;
  }
  return found;
}

/** Single-part numbers of at most four digits, one space apart, starting at chains[from]. */
function spaceSeparatedRow(text: string, chains: Atom[][], from: number): Atom[] {
  const row: Atom[] = [];
  for (let i = from; i < chains.length; i++) {
    const chain = chains[i];
    const atom = chain?.[0];
    const previous = row[row.length - 1];
    if (!chain || !atom || chain.length !== 1 || atom.text.length > 4) break;
    if (previous && !(atom.start === previous.end + 1 && text[previous.end] === ' ')) break;
    row.push(atom);
  }
  return row;
}

function isGroupPair(first: Atom, second: Atom): boolean {
  const length = first.text.length;
  return (length === 3 || length === 4) && second.text.length === length;
}

/**
 * A keyword glued to digits ("OTP123456") gives the digits, and so does a number glued to the next word
 * by a missing space ("482913on sinu …"); any other word may be a code of letters.
 */
function wordCandidates(text: string, atoms: Atom[], index: number): Candidate[] {
  const word = atoms[index];
  if (!word) return [];
  const [, label, digits] = /^([A-Za-z]+)([0-9]+)$/.exec(word.text) ?? [];
  if (label && digits && mentionsKeyword(label)) {
    return [{ value: digits, start: word.start + label.length, end: word.end, shape: 'digits', plain: false, suspicions: [] }];
  }
  const [, number, rest] = /^([0-9]+)([a-z]+)$/.exec(word.text) ?? [];
  if (number && rest && !couldNotBeAWord(rest)) {
    // The plausibility check then reads the glued word: "10min" stays a duration.
    return [{ value: number, start: word.start, end: word.start + number.length, shape: 'digits', plain: false, suspicions: [] }];
  }
  const found = wordCandidate(text, atoms, index);
  return found ? [found] : [];
}

/** Drops numbers that are visibly something else; see the stage comment. */
function isPlausible(text: string, lower: string, c: Candidate): boolean {
  if (!NUMBER_SHAPES.has(c.shape)) return !GLUED_AMOUNT.test(c.value);
  if (c.value.length < MIN_DIGITS || c.value.length > MAX_DIGITS) return false;
  const before = text[c.start - 1];
  const after = text[c.end];
  if (MASK_CHARS.has(before ?? '') || MASK_CHARS.has(after ?? '')) return false;
  if (before === '+') return false;
  // "1800-FAKE-NUM", "0800-FLOWERS": a number spelled on with letters is a phone number or a name.
  if (after === '-' && /[A-Za-z]/.test(text[c.end + 1] ?? '')) return false;
  // "© 2024", "(c) 2024", "Copyright 2024": a year.
  if (
    before === '©' ||
    (before === ' ' && text[c.start - 2] === '©') ||
    /(\(c\)|copyright) ?$/.test(lower.slice(Math.max(0, c.start - 10), c.start))
  ) {
    return false;
  }
  if (isCurrencySymbol(before) || isCurrencySymbol(after)) return false;
  if ((before === ' ' && isCurrencySymbol(text[c.start - 2])) || (after === ' ' && isCurrencySymbol(text[c.end + 1]))) return false;
  const previous = wordBefore(lower, c.start);
  if (CURRENCY_WORDS.has(previous) || AMOUNT_WORDS.has(previous) || gluedAfter(text, c.start, AMOUNT_SUFFIXES)) return false;
  if (unitFollows(lower, c.end)) return false;
  return !isPhoneNumber(lower, c.start) && !isTurkishDestination(lower, c.end);
}

/**
 * Turkish names where to send a message with the dative on the number: "RED yazıp 4933'e gönderin",
 * "5830a ücretsiz gönderin" — the "Text STOP to 4933" of English.
 */
const TURKISH_DESTINATION = /^ ?'?y?[ae] (?:[^\s]+ )?g[oö]nder/;
function isTurkishDestination(lower: string, end: number): boolean {
  return TURKISH_DESTINATION.test(lower.slice(end, end + 40));
}

/** "Call 0800…", "LH 19009247", or the destination in "Text FA to 87121". */
function isPhoneNumber(lower: string, start: number): boolean {
  const previous = wordBefore(lower, start);
  if (PHONE_WORDS.has(previous)) return true;
  if (previous !== 'to') return false;
  const window = lower.slice(Math.max(0, start - 200), start);
  const sentence = window.slice(Math.max(window.lastIndexOf('. '), window.lastIndexOf('\n'), 0));
  const words = sentence.split(/[^\p{L}]+/u);
  // Beside the code's name, "SMS" names it: "Twój kod SMS to 119631" ("to" is "is"), not "Text FA to 87121".
  return words.some((word, i) => SEND_WORDS.has(word) && !mentionsKeyword(words[i - 1] ?? '') && !mentionsKeyword(words[i + 1] ?? ''));
}

function withSuspicions(text: string, lower: string, c: Candidate): Candidate {
  const previous = wordBefore(lower, c.start);
  const suspicions: Suspicion[] = [];
  if (ACCOUNT_WORDS.has(previous) || gluedAfter(text, c.start, ACCOUNT_SUFFIXES)) suspicions.push('account');
  if (REFERENCE_WORDS.has(previous) || gluedAfter(text, c.start, REFERENCE_SUFFIXES) || text[c.start - 1] === '#') {
    suspicions.push('reference');
  }
  return { ...c, suspicions };
}

/** The text just before `start` (allowing a colon, a space or an opening bracket) ends with one of `words`: "金额9876", "尾号：1234", "อ้างอิง (7F7CF6)". */
function gluedAfter(text: string, start: number, words: string[]): boolean {
  let end = start;
  for (let skipped = 0; skipped < 3 && end > 0 && ' :('.includes(text[end - 1] ?? 'x'); skipped++) end--;
  const before = text.slice(Math.max(0, end - 8), end);
  return words.some((word) => before.endsWith(word));
}

function isDigits(text: string): boolean {
  return [...text].every(isAsciiDigit);
}
