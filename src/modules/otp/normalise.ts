// Stage 1: turn whatever the carrier delivered into plain text the later stages can scan with ASCII
// rules: compatibility forms folded, every script's digits as ASCII digits, invisible marks gone, the
// Android SMS Retriever wrapping removed, links blanked out.

import { isAsciiAlnum, isAsciiDigit, isWhitespace } from './chars.ts';

/** Only the start of a message is read: codes come early, and hostile input stays cheap. */
export const MAX_INPUT_CHARS = 2000;

export interface NormalisedText {
  text: string;
  /** The message carried an SMS Retriever marker (`<#>` or an app hash): it was written to deliver a code. */
  retriever: boolean;
}

// Directional marks and embeddings (RTL messages wrap the code in them), zero-width characters and soft
// hyphens: invisible to the reader, so they must not split or glue tokens.
const INVISIBLE = /[\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
// Hyphens, en and em dashes and minus signs all read as '-' in "417–093".
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63]/g;
const OTHER_SPACES = /[\t\v\f]/g;
const DECIMAL_DIGIT = /\p{Nd}/gu;
// The zero of each block of decimal digits a message may be written with (Arabic-Indic, Persian,
// Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Sinhala, Thai,
// Lao, Tibetan, Myanmar, Khmer, Mongolian). NFKC already folds full-width ０-９.
const DIGIT_ZEROS = [
  0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0de6, 0x0e50, 0x0ed0, 0x0f20, 0x1040,
  0x1090, 0x17e0, 0x1810,
];
const RETRIEVER_PREFIX = '<#>';
const APP_HASH_LENGTH = 11;

export function normaliseText(raw: string): NormalisedText {
  // The full-width comma separates clauses ("验证码 882190，10分钟内有效"); NFKC would make it the ASCII
  // comma that groups thousands, so it becomes the ideographic comma first.
  let text = raw
    .slice(0, MAX_INPUT_CHARS)
    .replace(/\uFF0C/g, '\u3001')
    .normalize('NFKC');
  text = text.replace(DECIMAL_DIGIT, toAsciiDigit).replace(INVISIBLE, '').replace(DASHES, '-');
  text = text.replace(/\r\n?/g, '\n').replace(OTHER_SPACES, ' ');
  const marked = text.includes(RETRIEVER_PREFIX);
  if (marked) text = text.split(RETRIEVER_PREFIX).join(' ');
  const withoutHash = stripAppHash(text);
  return { text: withoutHash ?? text, retriever: marked || withoutHash !== undefined };
}

function toAsciiDigit(digit: string): string {
  const code = digit.codePointAt(0) ?? 0;
  if (code < 0x80) return digit;
  const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9);
  return zero === undefined ? digit : String(code - zero);
}

/**
 * The SMS Retriever API wants an 11-character app hash at the very end. It is base64 ([A-Za-z0-9+/]),
 * usually alone on the last line or after a space, sometimes glued to the code ("691582+QyYAqib1U4").
 * Returns the text without it, or undefined when the message does not end with one.
 */
function stripAppHash(text: string): string | undefined {
  let end = text.length;
  while (end > 0 && isWhitespace(text[end - 1])) end--;
  let start = end;
  while (start > 0 && isHashChar(text[start - 1])) start--;
  const run = text.slice(start, end);
  // The hash (or the code glued to it) starts a token: "ex.co/c/771234" is the tail of a link.
  if (run.length < APP_HASH_LENGTH || (start > 0 && !isWhitespace(text[start - 1]))) return undefined;
  const hash = run.slice(-APP_HASH_LENGTH);
  const glued = run.slice(0, -APP_HASH_LENGTH);
  // A longer run is a hash only when what precedes it is a code glued on; otherwise it is a word or a path.
  if (glued !== '' && !/^[0-9]+$/.test(glued)) return undefined;
  if (!looksRandom(hash)) return undefined;
  return text.slice(0, end - APP_HASH_LENGTH);
}

function isHashChar(ch: string | undefined): boolean {
  return isAsciiAlnum(ch) || ch === '+' || ch === '/';
}

/** Hashes are random base64: lower case plus upper case or digits. Words and codes are not. */
function looksRandom(token: string): boolean {
  const lower = /[a-z]/.test(token);
  const upper = /[A-Z]/.test(token);
  const digit = [...token].some(isAsciiDigit);
  return lower && (upper || digit);
}

const LEADING_PUNCTUATION = /^[("'[{<«“‘]+/;
const TRAILING_PUNCTUATION = /[)"'\]}>»”’.,;:!?]+$/;
// Labels separated by single dots: each repetition starts with a literal '.', so matching is linear.
const HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i;

/**
 * Replaces links and e-mail addresses with spaces (same length, so offsets hold): digits in
 * "v.whatsapp.com/105876" or a shortened URL are never what a person types.
 */
export function maskLinks(text: string): string {
  return text.replace(/\S+/g, (chunk) => {
    const lead = LEADING_PUNCTUATION.exec(chunk)?.[0].length ?? 0;
    const core = chunk.slice(lead).replace(TRAILING_PUNCTUATION, '');
    if (!isLink(core)) return chunk;
    return chunk.slice(0, lead) + ' '.repeat(core.length) + chunk.slice(lead + core.length);
  });
}

function isLink(core: string): boolean {
  if (core.includes('://') || /^www\./i.test(core)) return true;
  const at = core.indexOf('@');
  if (at > 0 && core.indexOf('.', at) > at) return true;
  const slash = core.indexOf('/');
  const host = slash >= 0 ? core.slice(0, slash) : core;
  if (!HOST.test(host)) return false;
  const labels = host.split('.');
  const first = labels[0] ?? '';
  const tld = labels[labels.length - 1] ?? '';
  // "123456.Valid" (a missing space) is not a host: a host starts with a name and ends with a
  // lower-case top-level domain; with a path after it, any top-level domain will do.
  if (!/[a-z]/i.test(first)) return false;
  return slash >= 0 ? /^[a-z]{2,}$/i.test(tld) : /^[a-z]{2,}$/.test(tld);
}
