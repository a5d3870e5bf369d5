// Codes written with letters: "K7X9QZ", "QGFDAE", "k5cmfb", "mifsuc". A word of letters is far more
// often a word than a code, so letters count only where a word is unlikely (upper case outside shouted
// text, lower case with a digit, letters no word is made of) or where a label points at them ("PASSCODE:
// mifsuc"). Scoring then wants the name of the code right beside them.

import type { Candidate, Shape } from './candidates.ts';
import { CURRENCY_WORDS, UNIT_WORDS } from './context-words.ts';
import { mentionsKeyword, namesACode } from './keywords.ts';

/** A maximal run of ASCII letters and digits. */
export interface Atom {
  start: number;
  end: number;
  text: string;
}

const MIN_TOKEN = 4;
const MAX_TOKEN = 8;
/** A generated password in mixed case ("temporary password: kT2jEdFNYGr3"), as long as generators make them. */
const MIN_MIXED = 8;
const MAX_MIXED = 16;
// "10MIN", "5PM", "2FA", "4G": a number with its unit or an ordinal, not a code.
const NUMBER_SUFFIXES = new Set([...UNIT_WORDS, 'am', 'pm', 'st', 'nd', 'rd', 'th', 'fa', 'g', 'x', 'k', 'p']);
// "XX1245", "1234XXXX": a masked account or card number.
const MASKED = /^(?:[0-9]*X{2,}[0-9]*)+$/;
const VOWELS = /[aeiouy]/g;
/** Capitals with this share of vowels or more read as a word written in capitals. */
const WORDLIKE_CAPITALS = 0.4;
const LETTER = /[\p{L}\p{M}]/u;

/**
 * The candidate a word of letters (and digits) makes, if any. `atoms` are the words of the text in
 * order and `index` is this word's place among them (its neighbours tell shouted text apart).
 * Cheap tests come first: this runs for every word of every message.
 */
export function wordCandidate(text: string, atoms: Atom[], index: number): Candidate | undefined {
  const word = atoms[index];
  if (!word || word.text.length < MIN_TOKEN) return undefined;
  const value = word.text;
  const upper = value.toUpperCase();
  const lower = value.toLowerCase();
  if (value !== upper && value !== lower) return mixedCaseCandidate(text, atoms, index);
  if (word.text.length > MAX_TOKEN) return undefined;
  // Digits alone are numbers, read elsewhere.
  if (upper === lower) return undefined;
  const hasDigit = /[0-9]/.test(value);
  const shape: Shape = value === lower ? 'lowercase' : hasDigit ? 'alphanumeric' : 'capitals';
  // Capitals that open the message and that a naming verb and a possessive follow ("YSDAE ist Ihr …
  // Passwort") are what the sentence names, however many vowels they hold.
  const plain = shape === 'capitals' && namedAfter(text, atoms, index) ? false : isPlain(value, shape, hasDigit);
  if (plain === undefined) return undefined;
  // Most words of a message are plain words: only a label ("PASSCODE: mifsuc", "your code is mifsuc")
  // makes one a candidate. Lower-case letters alone read as a word too often ("nicht", "przez"): they
  // need a label, or the end of the message, where templates print the code ("…aby go zweryfikować ddaw").
  const labelled = followsLabel(text, word.start) || namedBefore(text, atoms, index);
  if (plain && !labelled) return undefined;
  // After a determiner they are a noun, even at the end ("…not even our staff.").
  if (shape === 'lowercase' && !hasDigit && !labelled && (!endsText(text, word.end) || followsDeterminer(text, atoms, index)))
    return undefined;
  // "nast" in "następującego": a piece of a word written with letters beyond ASCII.
  if (isLetter(text[word.start - 1]) || isLetter(text[word.end])) return undefined;
  if (mentionsKeyword(value) || isNumberWithSuffix(value) || (shape !== 'lowercase' && MASKED.test(value))) return undefined;
  // "DO NOT SHARE": a capitalised word among others is shouting; a currency or unit is not a code.
  if (shape === 'capitals' && (isShouted(text, atoms, index) || CURRENCY_WORDS.has(lower))) return undefined;
  return { value, start: word.start, end: word.end, shape, plain, suspicions: [] };
}

/**
 * Mixed case ("mCent", "Xy7Kp", "iPhone15") is a brand, a name or a hash, except a code that a label
 * hands over: a generated password right after a colon ("temporary password: kT2jEdFNYGr3": letters of
 * both cases and a digit, 8 to 16 characters), or a shorter code the message names as one in a sentence
 * of its own ("Your otp is hT4qZm", "Ihr Code lautet Xb7kQ2"). Scoring then wants the code's name before it.
 */
function mixedCaseCandidate(text: string, atoms: Atom[], index: number): Candidate | undefined {
  const word = atoms[index] as Atom;
  const value = word.text;
  if (value.length > MAX_MIXED || !/[0-9]/.test(value)) return undefined;
  const handedOver = (value.length >= MIN_MIXED && followsLabel(text, word.start)) || namedBefore(text, atoms, index);
  if (!handedOver) return undefined;
  if (isLetter(text[word.start - 1]) || isLetter(text[word.end])) return undefined;
  return { value, start: word.start, end: word.end, shape: 'alphanumeric', plain: false, suspicions: [] };
}

/**
 * The verbs that join a code's name to the code, in the languages that write them with ASCII letters:
 * "code is", "code est", "Code ist", "Code lautet", "código es", "kode er", "kod to", "kod je", "ma la"
 * (Vietnamese without accents), "kode adalah", "kods ir", "koodi on", "kodas yra", "code ay".
 */
const NAMING_VERBS = new Set(['is', 'est', 'ist', 'lautet', 'es', 'er', 'to', 'je', 'la', 'adalah', 'ir', 'on', 'yra', 'ay']);

/** The last two words before a naming verb: the name of the code, or the name and a short word after it. */
const TWO_WORDS_BEFORE = /(?:(\p{L}+)[ \t]+)?(\p{L}+)[ \t]+$/u;

/**
 * "<name of a code> is X": the word before X is a naming verb (a colon aside), and the word before the
 * verb names a code ("Your otp is hT4qZm", "Tu código es pQ4rS7"), or the one before that when a short
 * word stands between ("kode OTP anda adalah Qx7mP2").
 */
function namedBefore(text: string, atoms: Atom[], index: number): boolean {
  const word = atoms[index];
  const verb = atoms[index - 1];
  if (!word || !verb || !NAMING_VERBS.has(verb.text.toLowerCase()) || isLetter(text[verb.start - 1])) return false;
  if (!/^[ \t]*:?[ \t]*$/.test(text.slice(verb.end, word.start))) return false;
  // Only a bounded tail before the verb is searched, never the whole text.
  const [, earlier, last] = TWO_WORDS_BEFORE.exec(text.slice(Math.max(0, verb.start - 48), verb.start)) ?? [];
  if (last === undefined) return false;
  return namesACode(last) || (earlier !== undefined && last.length <= 5 && namesACode(earlier));
}

/** The possessives a naming verb puts before the name of a code: "is your", "ist Ihr", "est votre", "es tu". */
const POSSESSIVES = new Set(['your', 'ihr', 'ihre', 'dein', 'deine', 'votre', 'ton', 'tu', 'su', 'je', 'uw', 'jouw', 'din', 'ditt']);

/**
 * "X is your …": the word opens the message, and a naming verb and a possessive follow it, one space
 * apart. Only the first word can open it, so the text before is read once per message, not per word.
 */
function namedAfter(text: string, atoms: Atom[], index: number): boolean {
  if (index !== 0) return false;
  const word = atoms[0];
  const verb = atoms[1];
  const owner = atoms[2];
  if (!word || !verb || !owner || /[\p{L}\p{N}]/u.test(text.slice(0, word.start))) return false;
  return (
    NAMING_VERBS.has(verb.text.toLowerCase()) &&
    POSSESSIVES.has(owner.text.toLowerCase()) &&
    text.slice(word.end, verb.start) === ' ' &&
    text.slice(verb.end, owner.start) === ' '
  );
}

/**
 * Whether the token could be an ordinary word, or undefined when it cannot be a code at all.
 * "ANYONE" is a word in capitals for emphasis, "QGFDAE" a code; "98point6" is a brand built on a
 * word, "k5cmfb" a code.
 */
function isPlain(value: string, shape: Shape, hasDigit: boolean): boolean | undefined {
  if (shape === 'alphanumeric') return false;
  if (shape === 'capitals') return vowelShare(value) >= WORDLIKE_CAPITALS && !/(.)\1\1/.test(value);
  if (!hasDigit) return !couldNotBeAWord(value);
  const letterRuns = value.split(/[0-9]+/).filter((run) => run !== '');
  return letterRuns.every((run) => run.length < MIN_TOKEN || couldNotBeAWord(run)) ? false : undefined;
}

/** A colon or "=" ends the text before `start`, spaces aside: "Code: X", "Code =\nX". */
function followsLabel(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\n')) i--;
  return text[i] === ':' || text[i] === '：' || text[i] === '=';
}

/** English determiners and possessives: what stands before a noun, never before a code. */
const DETERMINERS = new Set(['a', 'an', 'the', 'our', 'your', 'my', 'their', 'his', 'her', 'its', 'this', 'that', 'any', 'no']);

/** The word before is a determiner, with nothing but spaces between. */
function followsDeterminer(text: string, atoms: Atom[], index: number): boolean {
  const previous = atoms[index - 1];
  const word = atoms[index];
  if (!previous || !word || text.slice(previous.end, word.start).trim() !== '') return false;
  return DETERMINERS.has(previous.text.toLowerCase());
}

/** Nothing but punctuation and spaces after `end`. */
function endsText(text: string, end: number): boolean {
  return !/[\p{L}\p{N}]/u.test(text.slice(end));
}

/** "4KAM" is a code, "10MIN" and "2FA" are not. */
function isNumberWithSuffix(value: string): boolean {
  const match = /^[0-9]+([A-Za-z]+)$/.exec(value);
  return match !== null && NUMBER_SUFFIXES.has((match[1] ?? '').toLowerCase());
}

/** Another word of capitals (two letters or more, not "OTP" or "PIN") right before or after on the same line. */
function isShouted(text: string, atoms: Atom[], index: number): boolean {
  const shouts = (first: Atom | undefined, second: Atom | undefined, neighbour: Atom | undefined) =>
    first !== undefined &&
    second !== undefined &&
    neighbour !== undefined &&
    /^[A-Z]{2,}$/.test(neighbour.text) &&
    !mentionsKeyword(neighbour.text) &&
    !text.slice(first.end, second.start).includes('\n');
  const previous = atoms[index - 1];
  const word = atoms[index];
  const next = atoms[index + 1];
  return shouts(previous, word, previous) || shouts(word, next, next);
}

/**
 * Letters that hardly make a word in a European language: no vowel, a doubled first letter, or at most
 * one vowel in five letters. Words like "this", "with" or "anyone" pass none of these.
 */
export function couldNotBeAWord(letters: string): boolean {
  const share = vowelShare(letters);
  return share === 0 || letters[0] === letters[1] || share <= 1 / 5;
}

/** The share of vowels ("y" counts as one): about 40 % in words, about 23 % in random letters. */
function vowelShare(letters: string): number {
  return (letters.toLowerCase().match(VOWELS)?.length ?? 0) / letters.length;
}

function isLetter(ch: string | undefined): boolean {
  return ch !== undefined && LETTER.test(ch);
}
