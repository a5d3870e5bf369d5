import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Offer, Offers, ProviderPort } from '../../provider-clients/port.ts';
import { CatalogRules } from './pricing.ts';

/**
 * What otpbox can sell, kept in memory so the catalog answers without a database round trip: every
 * provider's offers, priced in credits under the provider's terms and the operator's catalog rules.
 *
 * Upstream providers' offers come from the database (written by the catalog-sync job, read back by
 * every instance, see modules/providers/runtime.ts); providers that live in this process (the sandbox)
 * are asked directly by `refresh()`. A provider that does not sell (removed, disabled, or the sandbox
 * once real providers exist) stays known by name so its open orders can still be finished, cancelled
 * and polled.
 */
export interface PricedOffer {
  provider: ProviderPort;
  service: string;
  country: string;
  /** What the provider charges, in micro-units of `currency`. */
  cost: number;
  currency: string;
  /** What the customer pays, in credits. */
  price: number;
  count: number;
}

/** Stock and the cheapest in-stock price of a service, a country, or one pair. */
export interface Availability {
  available: number;
  /** Cheapest price in credits among offers in stock; null when none is. */
  fromPrice: number | null;
}

export interface ProviderTerms {
  /** Lower is tried first among equal prices. */
  priority: number;
  /** Hundredths of a percent: 2500 = 25 %. */
  markupBasisPoints: number;
  feeCredits: number;
  /** Credits per unit of the provider's currency, in millionths; unset: CREDITS_PER_USD for USD. */
  creditsPerUnitMicros?: number | null;
  /** False: known (its open orders go on) but offered to no one. */
  sells: boolean;
}

interface Entry {
  port: ProviderPort;
  terms: ProviderTerms;
  /** Asked by `refresh()` (in-process providers) rather than fed from the database. */
  live: boolean;
  offers: Offers | undefined;
}

export class ProviderCatalog {
  readonly #entries = new Map<string, Entry>();
  #rules = new CatalogRules();
  #index = new Map<string, PricedOffer[]>();
  #best: PricedOffer[] = [];
  #byService = new Map<string, Availability>();
  #byCountry = new Map<string, Availability>();
  #byPair = new Map<string, Availability>();
  #dirty = true;
  #refreshedAt: Date | undefined;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** A provider that lives in this process (the sandbox, tests): `refresh()` asks it for offers. */
  register(port: ProviderPort, terms: Partial<ProviderTerms> = {}): this {
    const previous = this.#entries.get(port.name);
    this.#entries.set(port.name, { port, terms: withDefaults(terms), live: true, offers: previous?.live ? previous.offers : undefined });
    this.#dirty = true;
    return this;
  }

  /** An upstream provider whose offers are fed by `setOffers` (from the database). Replaces one of the same name. */
  upsert(port: ProviderPort, terms: Partial<ProviderTerms>): void {
    const previous = this.#entries.get(port.name);
    this.#entries.set(port.name, { port, terms: withDefaults(terms), live: false, offers: previous?.offers });
    this.#dirty = true;
  }

  /** Change a provider's terms (sells or not, markup…) without replacing its adapter. */
  setTerms(name: string, terms: Partial<ProviderTerms>): void {
    const entry = this.#entries.get(name);
    if (!entry) return;
    entry.terms = { ...entry.terms, ...terms };
    this.#dirty = true;
  }

  remove(name: string): void {
    if (this.#entries.delete(name)) this.#dirty = true;
  }

  setOffers(name: string, offers: Offers): void {
    const entry = this.#entries.get(name);
    if (!entry) return;
    entry.offers = offers;
    this.#dirty = true;
  }

  setRules(rules: CatalogRules): void {
    this.#rules = rules;
    this.#dirty = true;
  }

  get rules(): CatalogRules {
    return this.#rules;
  }

  provider(name: string): ProviderPort | undefined {
    return this.#entries.get(name)?.port;
  }

  terms(name: string): ProviderTerms | undefined {
    return this.#entries.get(name)?.terms;
  }

  /** Every provider known, selling or not. */
  get providers(): ProviderPort[] {
    return [...this.#entries.values()].map((entry) => entry.port);
  }

  /** True when a provider other than the sandbox sells (real numbers, real money). */
  get sellsRealNumbers(): boolean {
    return [...this.#entries.values()].some((entry) => entry.port.kind !== 'sandbox' && entry.terms.sells);
  }

  /** True when the sandbox sells its fictional numbers (demo credits can be used). */
  get sandboxSells(): boolean {
    return [...this.#entries.values()].some((entry) => entry.port.kind === 'sandbox' && entry.terms.sells);
  }

  get refreshedAt(): Date | undefined {
    return this.#refreshedAt;
  }

  /** Ask the in-process providers for their offers; one that fails keeps its previous offers. */
  async refresh(now: Date): Promise<{ providers: number; offers: number; failed: string[] }> {
    const failed: string[] = [];
    for (const entry of this.#entries.values()) {
      if (!entry.live) continue;
      const result = await entry.port.fetchOffers();
      if (result.ok) entry.offers = result.value;
      else {
        failed.push(entry.port.name);
        this.log.warn({ provider: entry.port.name, failure: result.failure }, 'could not refresh provider offers');
      }
    }
    this.#dirty = true;
    this.#refreshedAt = now;
    this.#rebuild();
    return { providers: this.#entries.size, offers: [...this.#index.values()].reduce((n, list) => n + list.length, 0), failed };
  }

  /** Offers for a service in a country from providers that sell: in stock first, cheapest, then by priority. */
  offers(service: string, country: string): PricedOffer[] {
    this.#rebuild();
    return this.#index.get(`${service}:${country}`) ?? [];
  }

  /** Every (service, country) sold, with its best offer. */
  all(): PricedOffer[] {
    this.#rebuild();
    return this.#best;
  }

  /** What a service has in stock, all countries together (for the service list). */
  serviceAvailability(service: string): Availability {
    this.#rebuild();
    return this.#byService.get(service) ?? NONE;
  }

  /** What a country has in stock, all services together, or for one service. */
  countryAvailability(country: string, service?: string): Availability {
    this.#rebuild();
    return (service ? this.#byPair.get(`${service}:${country}`) : this.#byCountry.get(country)) ?? NONE;
  }

  /** Credits per unit of a currency for a provider, or undefined when there is no rate for it. */
  #rate(entry: Entry, currency: string): number | undefined {
    if (entry.terms.creditsPerUnitMicros) return entry.terms.creditsPerUnitMicros;
    return currency === 'USD' ? this.config.creditsPerUsd * 1_000_000 : undefined;
  }

  /**
   * An offer's price in credits; undefined when a rule stops it, null when its cost gives no usable price
   * (beyond what a credit count can exactly be). One such offer is skipped, never the whole catalog:
   * a throw here would leave every provider's stock frozen at the last build and fail the request.
   */
  #price(offer: Offer, terms: Parameters<CatalogRules['price']>[3]): number | undefined | null {
    try {
      const price = this.#rules.price(offer.service, offer.country, offer.cost, terms);
      return price === undefined || Number.isSafeInteger(price) ? price : null;
    } catch (error) {
      if (error instanceof RangeError) return null;
      throw error;
    }
  }

  #rebuild(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const index = new Map<string, PricedOffer[]>();
    for (const entry of this.#entries.values()) {
      if (!entry.terms.sells || !entry.offers) continue;
      const { currency } = entry.offers;
      const rate = this.#rate(entry, currency);
      if (rate === undefined) {
        this.log.warn({ provider: entry.port.name, currency }, 'no exchange rate for this provider currency: its offers are not sold');
        continue;
      }
      const terms = { creditsPerUnitMicros: rate, markupBasisPoints: entry.terms.markupBasisPoints, feeCredits: entry.terms.feeCredits };
      let unpriceable = 0;
      for (const offer of entry.offers.offers as Offer[]) {
        const price = this.#price(offer, terms);
        if (price === null) unpriceable++;
        if (price === undefined || price === null) continue;
        const key = `${offer.service}:${offer.country}`;
        const priced: PricedOffer = { provider: entry.port, ...offer, currency, price };
        const list = index.get(key);
        if (list) list.push(priced);
        else index.set(key, [priced]);
      }
      if (unpriceable > 0)
        this.log.warn({ provider: entry.port.name, offers: unpriceable }, 'offers with a cost that gives no price in credits: not sold');
    }
    const priority = (offer: PricedOffer) => this.#entries.get(offer.provider.name)?.terms.priority ?? 0;
    for (const list of index.values())
      list.sort((a, b) => Number(b.count > 0) - Number(a.count > 0) || a.price - b.price || priority(a) - priority(b));
    this.#index = index;
    this.#best = [...index.values()].flatMap((list) => (list[0] ? [list[0]] : []));
    // Aggregates for the listings, so a catalog request never walks every offer.
    const byService = new Map<string, Availability>();
    const byCountry = new Map<string, Availability>();
    const byPair = new Map<string, Availability>();
    const add = (map: Map<string, Availability>, key: string, count: number, price: number) => {
      const current = map.get(key);
      if (!current) map.set(key, { available: count, fromPrice: price });
      else {
        current.available += count;
        current.fromPrice = current.fromPrice === null ? price : Math.min(current.fromPrice, price);
      }
    };
    for (const [key, list] of index) {
      for (const offer of list) {
        if (offer.count <= 0) continue;
        add(byPair, key, offer.count, offer.price);
        add(byService, offer.service, offer.count, offer.price);
        add(byCountry, offer.country, offer.count, offer.price);
      }
    }
    this.#byService = byService;
    this.#byCountry = byCountry;
    this.#byPair = byPair;
  }
}

const NONE: Availability = Object.freeze({ available: 0, fromPrice: null });

function withDefaults(terms: Partial<ProviderTerms>): ProviderTerms {
  return {
    priority: terms.priority ?? 100,
    markupBasisPoints: terms.markupBasisPoints ?? 0,
    feeCredits: terms.feeCredits ?? 0,
    creditsPerUnitMicros: terms.creditsPerUnitMicros ?? null,
    sells: terms.sells ?? true,
  };
}
