// Ordering and filtering the catalog for people: favourites first, then what can be bought, cheapest first.

import { countryMatchRank, matchRank, rankMatches, type SearchTerms, searchTerms } from '../../../src/modules/catalog/search.ts';
import type { Country, Service } from './types.ts';

// The server's matching rules (whole names and words from their start, never inside a word), run here
// on the names and aliases the catalog lists, so the list filters as you type without a round trip.
const termsCache = new WeakMap<Service | Country, SearchTerms>();
function termsOf(item: Service | Country): SearchTerms {
  let terms = termsCache.get(item);
  if (!terms) {
    terms = searchTerms([item.name, ...item.aliases]);
    termsCache.set(item, terms);
  }
  return terms;
}

/** The services that match `query`, best match first, equally good ones in the order given; all of them for no query. */
export function searchServices(services: readonly Service[], query: string): Service[] {
  return rankMatches(services, query, (service, folded) => matchRank(termsOf(service), folded));
}

/** How well a country matches `query` (0 best), by ISO code, calling code, name or alias; undefined: not at all. */
export function countryRank(country: Country, query: string): number | undefined {
  return query.trim() === '' ? 0 : countryMatchRank(country, termsOf(country), query);
}

/** Favourites first (in the order they were chosen), then services with stock in the server's order (most used first), then the rest. */
export function sortServices(services: readonly Service[], favourites: readonly string[]): Service[] {
  const rank = (s: Service) => {
    const favourite = favourites.indexOf(s.code);
    if (favourite !== -1) return favourite;
    return favourites.length + (s.available > 0 ? 0 : 1);
  };
  return services
    .map((service, index) => ({ service, index }))
    .sort((a, b) => rank(a.service) - rank(b.service) || a.index - b.index)
    .map(({ service }) => service);
}

export interface SortedCountries {
  inStock: Country[];
  outOfStock: Country[];
}

/**
 * Countries with numbers: the best search matches (`rank`, 0 best), then favourites, then the cheapest,
 * the best stocked at equal price. Without numbers: by match, then by name.
 */
export function sortCountries(
  countries: readonly Country[],
  favourites: readonly string[],
  rank: (c: Country) => number = () => 0,
): SortedCountries {
  const inStock = countries.filter((c) => c.available > 0 && c.fromPrice !== null);
  const outOfStock = countries.filter((c) => !(c.available > 0 && c.fromPrice !== null));
  const favourite = (c: Country) => (favourites.includes(c.code) ? 0 : 1);
  inStock.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      favourite(a) - favourite(b) ||
      (a.fromPrice ?? 0) - (b.fromPrice ?? 0) ||
      b.available - a.available ||
      a.name.localeCompare(b.name, 'en'),
  );
  outOfStock.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'en'));
  return { inStock, outOfStock };
}
