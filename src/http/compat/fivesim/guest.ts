import { COUNTRIES, type ProviderCatalog } from '../../../modules/catalog/index.ts';
import { isoFromFivesimCountry, serviceFromFivesimProduct } from '../../../provider-clients/fivesim/names.ts';
import { countryName, productName, toUnits } from './order-view.ts';
import { FivesimRefusal } from './refusals.ts';

/**
 * 5sim's public catalog (5sim.net/docs, "Products and prices") from ours. otpbox picks the provider
 * for each order, so every country has one operator, `any`, whose price is the cheapest in stock
 * (what an order pays) and whose count is the stock of all providers. Only services and countries
 * 5sim has a name for are listed (provider-clients/fivesim/names.ts, docs/compat/5sim-names.md).
 */
interface OperatorPrice {
  cost: number;
  count: number;
}

interface Pair {
  product: string;
  country: string;
  offer: OperatorPrice;
}

function pairs(catalog: ProviderCatalog, creditsPerUsd: number, filter: { service?: string; country?: string } = {}): Pair[] {
  const out: Pair[] = [];
  for (const offer of catalog.all()) {
    if ((filter.service && offer.service !== filter.service) || (filter.country && offer.country !== filter.country)) continue;
    const product = productName(offer.service);
    const country = countryName(offer.country);
    if (product === offer.service || !isoFromFivesimCountry(country)) continue;
    const stock = catalog.countryAvailability(offer.country, offer.service);
    out.push({ product, country, offer: { cost: toUnits(stock.fromPrice ?? offer.price, creditsPerUsd), count: stock.available } });
  }
  return out.sort((a, b) => a.country.localeCompare(b.country) || a.product.localeCompare(b.product));
}

/**
 * `guest/prices[?country&product]`: `{country: {product: {operator: {cost, count}}}}`, or with only
 * `product` given `{product: {country: {operator: …}}}` (5sim nests by the filter given). An unknown
 * name is refused as 5sim refuses it: 400 `country is incorrect` / `product is incorrect`.
 */
export function guestPrices(catalog: ProviderCatalog, creditsPerUsd: number, query: { country?: string; product?: string }) {
  const country = query.country ? isoFromFivesimCountry(query.country) : undefined;
  if (query.country && !country) throw new FivesimRefusal({ status: 400, text: 'country is incorrect' });
  const service = query.product ? serviceFromFivesimProduct(query.product) : undefined;
  if (query.product && !service) throw new FivesimRefusal({ status: 400, text: 'product is incorrect' });
  const productFirst = Boolean(service) && !country;
  const out: Record<string, Record<string, Record<string, OperatorPrice>>> = {};
  for (const pair of pairs(catalog, creditsPerUsd, { service, country })) {
    const [outer, inner] = productFirst ? [pair.product, pair.country] : [pair.country, pair.product];
    out[outer] ??= {};
    out[outer][inner] = { any: pair.offer };
  }
  return out;
}

/** `guest/products/{country}/{operator}`: `{product: {Category, Qty, Price}}` for one country. */
export function guestProducts(catalog: ProviderCatalog, creditsPerUsd: number, countryParam: string, operator: string) {
  const country = isoFromFivesimCountry(countryParam);
  if (!country) throw new FivesimRefusal({ status: 400, text: 'bad country' });
  if (operator.trim().toLowerCase() !== 'any') throw new FivesimRefusal({ status: 400, text: 'bad operator' });
  const out: Record<string, { Category: 'activation'; Qty: number; Price: number }> = {};
  for (const pair of pairs(catalog, creditsPerUsd, { country })) {
    out[pair.product] = { Category: 'activation', Qty: pair.offer.count, Price: pair.offer.cost };
  }
  return out;
}

/**
 * `guest/countries`: `{name: {iso: {xx: 1}, prefix: {"+NN": 1}, text_en, any: {activation: 1}}}`, the
 * shape of 5sim's list with our one operator, for the countries we sell that 5sim names.
 */
export function guestCountries(catalog: ProviderCatalog) {
  const out: Record<string, { iso: Record<string, 1>; prefix: Record<string, 1>; text_en: string; any: { activation: 1 } }> = {};
  for (const country of COUNTRIES) {
    if (catalog.rules.countryDisabled(country.code)) continue;
    const name = countryName(country.code);
    if (!isoFromFivesimCountry(name)) continue;
    out[name] = {
      iso: { [country.code.toLowerCase()]: 1 },
      prefix: country.dialCode ? { [`+${country.dialCode}`]: 1 } : {},
      text_en: country.name,
      any: { activation: 1 },
    };
  }
  return out;
}
