// Matching for the catalogue's search boxes: case-, accent- and punctuation-insensitive, and only at the
// start of a name or of one of its words — "uk" finds "UK" and "Ukraine", never "Tuk-tuk"; "mail" finds
// "Mail.ru" and "Proton Mail", not "Gmail". Pure (no Node.js API): the web app imports it too, so the
// list filters as you type exactly as `GET /services?q=` and `GET /countries?q=` answer.

/** Lower case, no accents, no spaces or punctuation: what searching compares. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** What a name or alias can be found by: the whole of it, and each of its later words up to its end, folded. */
export interface SearchTerms {
  whole: readonly string[];
  /** "Amazon Prime Video" → "primevideo", "video": so "prime vid" and "video" find it too. */
  tails: readonly string[];
}

const WORD_BREAK = /[\s\-/()&.,’']+/u;

export function searchTerms(phrases: readonly string[]): SearchTerms {
  const whole = new Set<string>();
  const tails = new Set<string>();
  for (const phrase of phrases) {
    whole.add(fold(phrase));
    const words = phrase.split(WORD_BREAK).filter((word) => fold(word) !== '');
    for (let i = 1; i < words.length; i++) tails.add(fold(words.slice(i).join('')));
  }
  whole.delete('');
  return { whole: [...whole], tails: [...tails].filter((tail) => !whole.has(tail)) };
}

/**
 * How well `folded` (a folded query) matches: 0 a whole name or alias is the query, 1 one starts with
 * it, 2 a later word starts with it; undefined: no match. Nothing matches inside a word.
 */
export function matchRank(terms: SearchTerms, folded: string): number | undefined {
  if (folded === '') return undefined;
  if (terms.whole.includes(folded)) return 0;
  if (terms.whole.some((term) => term.startsWith(folded))) return 1;
  if (terms.tails.some((tail) => tail.startsWith(folded))) return 2;
  return undefined;
}

/**
 * The items that match `query`, best first; equally good matches keep the order they came in. An empty
 * query returns every item. `rank` may return a better rank than the names give (a country's code).
 */
export function rankMatches<T>(items: readonly T[], query: string, rank: (item: T, folded: string) => number | undefined): T[] {
  const folded = fold(query);
  if (folded === '') return [...items];
  const ranked: Array<{ item: T; rank: number; order: number }> = [];
  items.forEach((item, order) => {
    const found = rank(item, folded);
    if (found !== undefined) ranked.push({ item, rank: found, order });
  });
  return ranked.sort((a, b) => a.rank - b.rank || a.order - b.order).map(({ item }) => item);
}

/**
 * How well a country matches `query`: digits ("62", "+62") search calling codes (exact first); words
 * search its ISO code (rank 0) and its names as `matchRank` does.
 */
export function countryMatchRank(country: { code: string; dialCode: string }, terms: SearchTerms, query: string): number | undefined {
  const trimmed = query.trim();
  if (/^\+?[\d\s]+$/.test(trimmed)) {
    const digits = trimmed.replace(/\D/g, '');
    if (country.dialCode === digits) return 0;
    return country.dialCode.startsWith(digits) ? 1 : undefined;
  }
  if (country.code === trimmed.toUpperCase()) return 0;
  return matchRank(terms, fold(trimmed));
}
