// How far apart two places in a message are, in words, and whether a sentence or a line ends between
// them. Built once as prefix sums, so every question afterwards costs O(1) however long the message.

import { isAsciiAlnum, isSpacedWordChar, isWhitespace, lowerSameLength, unspacedWeight } from './chars.ts';

/**
 * Words that join a keyword to its code without adding distance: "your code IS 1234",
 * "VOTRE code", "kod TO: 1234" (Polish), Hebrew "הוא", Chinese "为", Japanese "は".
 */
const LINKING_WORDS = new Set([
  'is',
  'are',
  'was',
  'be',
  'as',
  'your',
  'you',
  'my',
  'our',
  'the',
  'a',
  'an',
  'this',
  'here',
  'it',
  'es',
  'est',
  'ist',
  'är',
  'er',
  'e',
  'é',
  'è',
  'la',
  'là',
  'to',
  'ini',
  'adalah',
  'ay',
  'su',
  'tu',
  'tuo',
  'tua',
  'il',
  'le',
  'el',
  'lo',
  'der',
  'die',
  'das',
  'dein',
  'deine',
  'ihr',
  'ihre',
  'votre',
  'ton',
  'ta',
  'seu',
  'sua',
  'o',
  'ваш',
  'это',
  'твой',
  'הוא',
  'היא',
  'הינו',
  'שלך',
  'هو',
  'هي',
  'است',
  'है',
]);
const LINKING_CHARS = new Set(['为', '為', '是', 'は', 'が']);

export interface Gap {
  /** Words strictly between the two places; linking words count 0, a Chinese character about 0.5. */
  words: number;
  /** Sentence ends (". ", "!", "。") between them. */
  sentenceEnds: number;
  newlines: number;
}

export interface Layout {
  text: string;
  gap(from: number, to: number): Gap;
  /** True when the line holding [start, end) has no other letter or digit: a code printed on its own line. */
  aloneOnLine(start: number, end: number): boolean;
  /** Whether [start, end) opens its sentence (no word before it) and whether it closes it (no word after). */
  sentenceEdges(start: number, end: number): { opens: boolean; closes: boolean };
  /** No letter or digit follows `end`: the last word of the message. */
  endsMessage(end: number): boolean;
  /** No letter or digit comes before `start`: the first word of the message. */
  opensMessage(start: number): boolean;
}

export function buildLayout(text: string): Layout {
  const n = text.length;
  const words = new Float64Array(n + 1);
  const sentenceEnds = new Uint32Array(n + 1);
  const newlines = new Uint32Array(n + 1);
  const wordChars = new Uint32Array(n + 1);
  const wordWeights = wordStartWeights(text);
  for (let i = 0; i < n; i++) {
    const ch = text[i];
    words[i + 1] = (words[i] ?? 0) + (wordWeights[i] ?? 0);
    sentenceEnds[i + 1] = (sentenceEnds[i] ?? 0) + (endsSentence(text, i) ? 1 : 0);
    newlines[i + 1] = (newlines[i] ?? 0) + (ch === '\n' ? 1 : 0);
    wordChars[i + 1] = (wordChars[i] ?? 0) + (isSpacedWordChar(ch) || unspacedWeight(ch) > 0 ? 1 : 0);
  }
  // For each offset, the nearest sentence end before it and the nearest at or after it.
  const previousEnd = new Int32Array(n + 1);
  const nextEnd = new Int32Array(n + 1);
  for (let i = 0, last = -1; i <= n; i++) {
    previousEnd[i] = last;
    if (i < n && endsSentence(text, i)) last = i;
  }
  for (let i = n, next = n; i >= 0; i--) {
    if (i < n && endsSentence(text, i)) next = i;
    nextEnd[i] = next;
  }
  const at = (sums: ArrayLike<number>, i: number) => sums[i] ?? 0;
  const span = (sums: ArrayLike<number>, from: number, to: number) => at(sums, Math.max(from, to)) - at(sums, Math.min(from, to));

  return {
    text,
    gap: (from, to) => ({
      words: span(words, from, to),
      sentenceEnds: span(sentenceEnds, from, to),
      newlines: span(newlines, from, to),
    }),
    aloneOnLine(start, end) {
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const nextNewline = text.indexOf('\n', end);
      const lineEnd = nextNewline < 0 ? n : nextNewline;
      return span(wordChars, lineStart, start) === 0 && span(wordChars, end, lineEnd) === 0;
    },
    sentenceEdges(start, end) {
      const opens = span(words, at(previousEnd, start) + 1, start) === 0;
      const closes = span(words, end, at(nextEnd, end)) === 0;
      return { opens, closes };
    },
    endsMessage: (end) => span(wordChars, end, n) === 0,
    opensMessage: (start) => span(wordChars, 0, start) === 0,
  };
}

/** The distance weight of each word, stored at the offset where it starts. */
function wordStartWeights(text: string): Float64Array {
  const weights = new Float64Array(text.length);
  const lower = lowerSameLength(text);
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const dense = unspacedWeight(ch);
    if (dense > 0) {
      if (!LINKING_CHARS.has(ch ?? '')) weights[i] = dense;
      i++;
      continue;
    }
    if (!isSpacedWordChar(ch)) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < text.length && isSpacedWordChar(text[end])) end++;
    if (!LINKING_WORDS.has(lower.slice(i, end))) weights[i] = 1;
    i = end;
  }
  return weights;
}

/**
 * '.', '!' and '?' end a sentence when a space, the end or a letter of another script follows ("12.50",
 * "v.whatsapp" and "..." do not); the ideographic full stop always does.
 */
function endsSentence(text: string, i: number): boolean {
  const ch = text[i];
  if (ch === '。') return true;
  if (ch !== '.' && ch !== '!' && ch !== '?' && ch !== '؟' && ch !== '।') return false;
  const next = text[i + 1];
  if (next === undefined || isWhitespace(next)) return true;
  return !isAsciiAlnum(next) && next !== '.' && (isSpacedWordChar(next) || unspacedWeight(next) > 0);
}
