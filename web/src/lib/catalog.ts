// Ordering and filtering the catalog for people: favourites first, then what can be bought, cheapest first.

import type { Country, Service } from './types.ts';

/** Lower case without accents, so "cote" finds "Côte d’Ivoire". */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[’']/g, '').trim();
}

export function matchesService(service: Service, query: string): boolean {
  const q = fold(query);
  return q === '' || fold(service.name).includes(q) || service.code === q;
}

export function matchesCountry(country: Country, query: string): boolean {
  const q = fold(query);
  if (q === '') return true;
  if (/^\+?\d+$/.test(q)) return country.dialCode.startsWith(q.replace('+', ''));
  return fold(country.name).includes(q) || fold(country.code) === q;
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

/** Countries with numbers: favourites, then the cheapest, the best stocked at equal price. Without numbers: by name. */
export function sortCountries(countries: readonly Country[], favourites: readonly string[]): SortedCountries {
  const inStock = countries.filter((c) => c.available > 0 && c.fromPrice !== null);
  const outOfStock = countries.filter((c) => !(c.available > 0 && c.fromPrice !== null));
  const favourite = (c: Country) => (favourites.includes(c.code) ? 0 : 1);
  inStock.sort(
    (a, b) =>
      favourite(a) - favourite(b) ||
      (a.fromPrice ?? 0) - (b.fromPrice ?? 0) ||
      b.available - a.available ||
      a.name.localeCompare(b.name, 'en'),
  );
  outOfStock.sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return { inStock, outOfStock };
}

/** Merge what a local filter found with what the server's search found (it also knows other names: "UK", "YouTube"). */
export function mergeMatches<T extends { code: string }>(local: readonly T[], remote: readonly T[] | undefined, all: readonly T[]): T[] {
  if (!remote) return [...local];
  const codes = new Set([...local.map((x) => x.code), ...remote.map((x) => x.code)]);
  return all.filter((x) => codes.has(x.code));
}
