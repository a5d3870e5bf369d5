// Stage 3: pick the candidate a person would type. A code sits next to the word that names it ("code",
// "OTP", "验证码"), in the same sentence, and looks like a code (4–8 characters, six digits most of all).
// Candidates with no such word within reach are not codes, unless the message is an SMS Retriever one.
// Letters are held to more: only the name of the code itself counts ("confirmed" next to "Y24KU015"
// does not), and only right beside it, unless they end the message the way templates print a code, or
// open it the way others do ("FZH6Z is your Harbour Credit Union one-time password").

import { type Candidate, LETTER_SHAPES } from './candidates.ts';
import { BALANCE_WORDS } from './context-words.ts';
import { CODE_WORD, HINT_WORD, type KeywordHit, type KeywordScan } from './keywords.ts';
import type { Layout } from './layout.ts';

/** Farthest a keyword may be, in words, from a 4–8 digit code: "Ma OTP (het han sau 1 phut) cua Quy khach la 072-464". */
const REACH = 12;
/** A sentence end between keyword and code counts as this many words: "123456. Don't share this code." */
const SENTENCE_END_WORDS = 3;
/** Three digits, long numbers and letter codes count only right next to their keyword. */
const NEAR = 2;
/** Between a code word and a hint, at most short function words: "code de vérification", "Code d'authentification". */
const PHRASE_JOINER = /^[^0-9A-Z]{0,12}$/;
/** "Code: X", "验证码：X": a label points at what follows it, more surely than proximity alone. */
const LABEL_BONUS = 0.5;
const PROXIMITY_WEIGHT = 3;
const SUSPICION_PENALTY = 1.5;
const MIN_SCORE = 1;
/** Bounds the work per candidate however many keywords a hostile message repeats. */
const MAX_HITS_PER_SIDE = 32;

export function chooseCode(candidates: Candidate[], keywords: KeywordScan, layout: Layout, retriever: boolean): string | null {
  const hits = joinPhrases(keywords.hits, layout);
  const codeWordHits = hits.filter((hit) => hit.weight === CODE_WORD);
  let best: { candidate: Candidate; score: number } | undefined;
  for (const candidate of candidates) {
    const proximity = keywordProximity(candidate, LETTER_SHAPES.has(candidate.shape) ? codeWordHits : hits, layout);
    if (proximity === 0) continue;
    const score = proximity + shapeScore(candidate) - SUSPICION_PENALTY * candidate.suspicions.length;
    if (score >= MIN_SCORE && (!best || score > best.score)) best = { candidate, score };
  }
  // A receipt that states a balance ("…Confirmed. … New M-PESA balance is …") holds references and till
  // numbers; only the name of a code, not a mere hint such as "confirmed", finds one there.
  if (best && !(isBalanceNotice(layout.text) && keywordProximity(best.candidate, codeWordHits, layout) === 0)) return best.candidate.value;
  // An SMS Retriever message exists to deliver a code, even when it names it in no language we know.
  if (retriever) return retrieverFallback(candidates);
  // "Your magazine renewal code is 582913": a message that names its code as another kind says what it is.
  return keywords.namesAnotherKind ? null : loneCode(candidates, layout);
}

function isBalanceNotice(text: string): boolean {
  const lower = text.toLowerCase();
  return BALANCE_WORDS.some((word) => lower.includes(word));
}

/** Longest message that is still "a code and a few words": "Use 482913 to sign in" fits, a bank notice does not. */
const LONE_CODE_MAX_CHARS = 80;

/**
 * A short message whose one and only candidate is six digits delivers that code, whatever language
 * names it ("Ingia 482913"): nothing else in it could be typed. Four or five digits alone are
 * as often a short number to text, an amount or a count.
 */
function loneCode(candidates: Candidate[], layout: Layout): string | null {
  const [only, other] = candidates;
  if (!only || other || layout.text.trim().length > LONE_CODE_MAX_CHARS) return null;
  const sixDigits = (only.shape === 'digits' || only.shape === 'grouped') && only.value.length === 6;
  return sixDigits && only.suspicions.length === 0 ? only.value : null;
}

/**
 * A code word and a hint a word or two apart name the code together ("Code d'authentification"), so
 * the pair counts as one code word spanning both. Hits are sorted by start; the result is too.
 */
function joinPhrases(hits: KeywordHit[], layout: Layout): KeywordHit[] {
  const joined: KeywordHit[] = [];
  for (const hit of hits) {
    const previous = joined[joined.length - 1];
    if (previous && namesTogether(previous, hit) && inOnePhrase(previous, hit, layout)) {
      joined[joined.length - 1] = { start: previous.start, end: Math.max(previous.end, hit.end), weight: CODE_WORD };
    } else {
      joined.push(hit);
    }
  }
  return joined;
}

/** A code word with a hint: not two hints, not a request to type ("enter"). */
function namesTogether(first: KeywordHit, second: KeywordHit): boolean {
  return Math.max(first.weight, second.weight) === CODE_WORD && Math.min(first.weight, second.weight) >= HINT_WORD;
}

/** Overlapping, or apart by a few short words with no code between ("code TF33 para confirmar" is two). */
function inOnePhrase(first: KeywordHit, second: KeywordHit, layout: Layout): boolean {
  if (second.start < first.end) return true;
  const gap = layout.gap(first.end, second.start);
  return gap.sentenceEnds === 0 && gap.newlines === 0 && PHRASE_JOINER.test(layout.text.slice(first.end, second.start));
}

/** 0 when no keyword is within reach; up to 3.5 for a code keyword labelling the candidate. */
function keywordProximity(candidate: Candidate, hits: KeywordHit[], layout: Layout): number {
  const yearLike = isYearLike(candidate);
  const reach = yearLike ? 0 : reachOf(candidate, layout);
  const opening = LETTER_SHAPES.has(candidate.shape) && opensMessage(candidate, layout);
  let best = 0;
  const edges = layout.sentenceEdges(candidate.start, candidate.end);
  const consider = (hit: KeywordHit, from: number, to: number): boolean => {
    const gap = layout.gap(from, to);
    const distance = gap.words + SENTENCE_END_WORDS * gap.sentenceEnds;
    if (distance > reach) return false;
    // From another sentence, a keyword only points at a number at the edge facing it: "…login: 123456.
    // Never share this code." but not "Never share your PIN. Your parcel 55123 arrives Monday."
    const facing = hit.start >= candidate.end ? edges.closes : edges.opens;
    if (gap.sentenceEnds > 0 && !facing) return true;
    // Across a line break only to a code printed on its own line, or straight after "code:".
    const joined = gap.newlines === 0 || (gap.newlines <= 2 && (gap.words === 0 || layout.aloneOnLine(candidate.start, candidate.end)));
    const before = hit.end <= candidate.start;
    // "588107 is your LIKE verification code": capitals before the code's name are a name too, except
    // where they open the message ("WPPMJ és la teva contrasenya d'un sol ús …").
    if (candidate.shape === 'capitals' && !before && !opening) return true;
    const labelled = before && isLabel(layout.text.slice(hit.end, candidate.start));
    // Letters that could be a word ("below") are a code only where a label points at them.
    if (candidate.plain && !labelled) return true;
    // A year counts as the code only when a code keyword introduces it: "Your code is 2024".
    if (joined && (!yearLike || hit.weight === CODE_WORD)) {
      const proximity = (PROXIMITY_WEIGHT * hit.weight) / (1 + distance / 2);
      best = Math.max(best, proximity + (labelled ? LABEL_BONUS * hit.weight : 0));
    }
    return true;
  };
  const firstAfter = firstHitAtOrAfter(hits, candidate.start);
  for (let i = firstAfter - 1, seen = 0; i >= 0 && seen < MAX_HITS_PER_SIDE; i--, seen++) {
    const hit = hits[i];
    if (hit && hit.end <= candidate.start && !consider(hit, hit.end, candidate.start)) break;
  }
  for (let i = firstHitAtOrAfter(hits, candidate.end), seen = 0; i < hits.length && seen < MAX_HITS_PER_SIDE; i++, seen++) {
    const hit = hits[i];
    if (hit && !consider(hit, candidate.end, hit.start)) break;
  }
  return best;
}

function reachOf(candidate: Candidate, layout: Layout): number {
  if (candidate.shape === 'spaced') return NEAR;
  // "Please use the following code to verify it HIXYVS": templates print the code last, or first.
  if (LETTER_SHAPES.has(candidate.shape)) return layout.endsMessage(candidate.end) || opensMessage(candidate, layout) ? REACH : NEAR;
  const length = candidate.value.length;
  return length >= 4 && length <= 8 ? REACH : NEAR - 1;
}

/**
 * The candidate is the message's first word and its sentence goes on after it ("FZH6Z is your …",
 * "QA2A2, oturum açmak için …"), unlike a sender's name heading the message as a label ("HSBC: …", or
 * alone on the first line).
 */
function opensMessage(candidate: Candidate, layout: Layout): boolean {
  const next = layout.text[candidate.end];
  return layout.opensMessage(candidate.start) && (next === ' ' || next === ',');
}

/** Only a colon (or "=") between keyword and candidate: "Code: X", "PASSCODE: mifsuc", "Code = 756042". */
function isLabel(between: string): boolean {
  return /^\s*[:：=]\s*$/.test(between);
}

/** 19xx and 20xx: a year far more often than a code. */
function isYearLike(candidate: Candidate): boolean {
  return candidate.shape === 'digits' && /^(19|20)[0-9]{2}$/.test(candidate.value);
}

/** How much the token looks like a code by itself. */
function shapeScore(candidate: Candidate): number {
  switch (candidate.shape) {
    case 'grouped':
      return 1.3;
    case 'spaced':
      return 1;
    case 'alphanumeric':
      return 0.6;
    case 'capitals':
      return 0.5;
    case 'lowercase':
      return 0.4;
    case 'digits': {
      const length = candidate.value.length;
      if (length === 6) return 1.2;
      return length >= 4 && length <= 8 ? 1 : 0.3;
    }
  }
}

function retrieverFallback(candidates: Candidate[]): string | null {
  let best: Candidate | undefined;
  for (const candidate of candidates) {
    const length = candidate.value.length;
    const typical = !LETTER_SHAPES.has(candidate.shape) && length >= 4 && length <= 8;
    if (!typical || isYearLike(candidate) || candidate.suspicions.length > 0) continue;
    if (!best || shapeScore(candidate) > shapeScore(best)) best = candidate;
  }
  return best?.value ?? null;
}

/** Index of the first hit starting at or after `position` (hits are sorted by start). */
function firstHitAtOrAfter(hits: KeywordHit[], position: number): number {
  let low = 0;
  let high = hits.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((hits[middle]?.start ?? 0) < position) low = middle + 1;
    else high = middle;
  }
  return low;
}
