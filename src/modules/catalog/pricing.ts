/**
 * Selling prices, in whole credits, from what a provider charges:
 *
 *   price = ⌈ cost × credits-per-unit × (1 + markup) ⌉ + fee, at least 1
 *
 * in exact integer arithmetic (costs are micro-units of the provider's currency, rates are millionths
 * of a credit per unit, markups are basis points), so a price never depends on floating-point noise.
 * The operator's catalog rules can disable a service, a country or one pair, fix its price, or replace
 * the provider's markup; the most specific rule wins (pair, then service, then country).
 */

export interface PricingTerms {
  /** Credits per unit of the provider's currency, in millionths (100 credits per USD → 100_000_000). */
  creditsPerUnitMicros: number;
  /** Hundredths of a percent: 2500 = 25 %. */
  markupBasisPoints: number;
  feeCredits: number;
}

export interface CatalogRule {
  id: string;
  scope: 'service' | 'country' | 'pair';
  service: string | null;
  country: string | null;
  disabled: boolean;
  priceCredits: number | null;
  markupBasisPoints: number | null;
}

const MICRO = 1_000_000n;
const BASIS = 10_000n;

/** The price of an offer that costs `cost` micro-units, before catalog rules. */
export function sellingPrice(cost: number, terms: PricingTerms): number {
  if (!Number.isSafeInteger(cost) || cost < 0) throw new RangeError(`cost must be a non-negative integer of micro-units: ${cost}`);
  const numerator = BigInt(cost) * BigInt(terms.creditsPerUnitMicros) * (BASIS + BigInt(terms.markupBasisPoints));
  const denominator = MICRO * MICRO * BASIS;
  const credits = (numerator + denominator - 1n) / denominator;
  const price = Number(credits) + terms.feeCredits;
  return Math.max(1, price);
}

/** The rules of the catalog, indexed for lookups while pricing every offer. */
export class CatalogRules {
  readonly #pair = new Map<string, CatalogRule>();
  readonly #service = new Map<string, CatalogRule>();
  readonly #country = new Map<string, CatalogRule>();

  constructor(readonly rules: readonly CatalogRule[] = []) {
    for (const rule of rules) {
      if (rule.scope === 'pair') this.#pair.set(`${rule.service}:${rule.country}`, rule);
      else if (rule.scope === 'service' && rule.service) this.#service.set(rule.service, rule);
      else if (rule.scope === 'country' && rule.country) this.#country.set(rule.country, rule);
    }
  }

  /** The rules that apply to a pair, most specific first. */
  #applicable(service: string, country: string): CatalogRule[] {
    const found = [this.#pair.get(`${service}:${country}`), this.#service.get(service), this.#country.get(country)];
    return found.filter((rule): rule is CatalogRule => rule !== undefined);
  }

  /** Disabled when any rule that applies disables it. */
  disabled(service: string, country: string): boolean {
    return this.#applicable(service, country).some((rule) => rule.disabled);
  }

  serviceDisabled(service: string): boolean {
    return this.#service.get(service)?.disabled ?? false;
  }

  countryDisabled(country: string): boolean {
    return this.#country.get(country)?.disabled ?? false;
  }

  /** The selling price of one provider's offer under the rules; undefined when the pair is not sold. */
  price(service: string, country: string, cost: number, terms: PricingTerms): number | undefined {
    const rules = this.#applicable(service, country);
    if (rules.some((rule) => rule.disabled)) return undefined;
    const fixed = rules.find((rule) => rule.priceCredits !== null)?.priceCredits;
    if (fixed !== undefined && fixed !== null) return fixed;
    const markup = rules.find((rule) => rule.markupBasisPoints !== null)?.markupBasisPoints;
    return sellingPrice(cost, markup === undefined || markup === null ? terms : { ...terms, markupBasisPoints: markup });
  }
}

/** "25" or "12.5" (percent) → basis points; undefined for anything else (at most two decimals). */
export function percentToBasisPoints(text: string): number | undefined {
  const match = /^(-?)(\d{1,4})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -value : value;
}

/** Basis points → "25" or "12.5" (for listings). */
export function basisPointsToPercent(basisPoints: number): string {
  const sign = basisPoints < 0 ? '-' : '';
  const abs = Math.abs(basisPoints);
  const fraction = String(abs % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${sign}${Math.floor(abs / 100)}${fraction ? `.${fraction}` : ''}`;
}
