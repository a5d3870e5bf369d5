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
  const hits = findKeywords(lower, inSenderTag);
  const candidates = findCandidates(scanned, lower, inSenderTag);
  return chooseCode(candidates, hits, buildLayout(scanned), normalised.retriever);
}

// The WebOTP format: a last line "@example.com #123456" binds the code to a site and states it exactly.
const ORIGIN_BOUND = /^@[^\s#@]+ #([A-Za-z0-9]{3,10})(?: @[^\s#@]+)?$/;

function originBoundCode(text: string): string | null {
  const trimmed = text.trimEnd();
  const lastLine = trimmed.slice(trimmed.lastIndexOf('\n') + 1).trim();
  return ORIGIN_BOUND.exec(lastLine)?.[1] ?? null;
}
