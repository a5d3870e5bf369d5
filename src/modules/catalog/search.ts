// Matching for the catalogue's search boxes: case-, accent- and punctuation-insensitive.

/** Lower case, no accents, no spaces or punctuation: what searching compares. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Each phrase folded whole and word by word, so "prime" finds "Amazon Prime" as a word prefix. */
export function foldedTerms(phrases: readonly string[]): string[] {
  const terms = new Set<string>();
  for (const phrase of phrases) {
    terms.add(fold(phrase));
    for (const word of phrase.split(/[\s\-/()&.,’']+/u)) terms.add(fold(word));
  }
  terms.delete('');
  return [...terms];
}

/** 0: a term equals the query; 1: a term starts with it; 2: a term contains it; undefined: no match. */
export function matchRank(terms: readonly string[], folded: string): number | undefined {
  let best: number | undefined;
  for (const term of terms) {
    const rank = term === folded ? 0 : term.startsWith(folded) ? 1 : term.includes(folded) ? 2 : undefined;
    if (rank !== undefined && (best === undefined || rank < best)) best = rank;
  }
  return best;
}
