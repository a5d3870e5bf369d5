// The verification code a person would type, read from an SMS in any language:
//   normalise (one alphabet of digits, no invisible marks, no retriever wrapping, no links)
//   → candidates (tokens that could be typed, minus prices, durations, dates, phone numbers)
//   → scoring (next to a code keyword, code-shaped) → the best candidate, or null.
// Every stage scans the text a bounded number of times with loops or linear regular expressions, so
// hostile input costs time proportional to its (capped) length.

import { findCandidates } from './candidates.ts';
import { lowerSameLength } from './chars.ts';
import { findKeywords } from './keywords.ts';
import { buildLayout } from './layout.ts';
import { maskLinks, normaliseText } from './normalise.ts';
import { chooseCode } from './scoring.ts';
import { senderTagTest } from './sender-tags.ts';

export { MAX_INPUT_CHARS } from './normalise.ts';

/** The code in `text`, exactly as it should be typed ("417-093" → "417093"), or null when there is none. */
export function extractCode(text: string): string | null {
  const normalised = normaliseText(text);
  const bound = originBoundCode(normalised.text);
  if (bound !== null) return bound;
  const scanned = maskLinks(normalised.text);
  const lower = lowerSameLength(scanned);
  const inSenderTag = senderTagTest(scanned);
  const keywords = findKeywords(lower, inSenderTag);
  const candidates = findCandidates(scanned, lower, inSenderTag);
  return chooseCode(candidates, keywords, buildLayout(scanned), normalised.retriever);
}

// The WebOTP format: a last line "@example.com #123456" binds the code to a site and states it exactly.
const ORIGIN_BOUND = /^@[^\s#@]+ #([A-Za-z0-9]{3,10})(?: @[^\s#@]+)?$/;
// The same tail with its "@" lost: GSM 03.38 encodes "@" as the byte 0, which some gateways and
// translation tools drop, leaving "… LO.ink #10428" at the end of the message (on its own line or
// not). Without the "@" the tail alone proves nothing — "shop.com #12345" can be an order — so it
// counts only when it restates a code the message already gave.
const ORIGIN_BOUND_WITHOUT_AT = /(?:^|\s)[^\s#@]*[^\s#@.]\.[^\s#@.]+ #([A-Za-z0-9]{3,10})$/;

function originBoundCode(text: string): string | null {
  const trimmed = text.trimEnd();
  const lastLine = trimmed.slice(trimmed.lastIndexOf('\n') + 1).trim();
  const bound = ORIGIN_BOUND.exec(lastLine)?.[1];
  if (bound !== undefined) return bound;
  const tail = ORIGIN_BOUND_WITHOUT_AT.exec(trimmed);
  if (!tail?.[1]) return null;
  const code = tail[1];
  const before = trimmed.slice(0, tail.index);
  return restates(before, code) ? code : null;
}

/** `code` stands in `text` as a token of its own (not inside a longer number or word). */
function restates(text: string, code: string): boolean {
  for (let at = text.indexOf(code); at !== -1; at = text.indexOf(code, at + 1)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + code.length] ?? ' ';
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
  }
  return false;
}
