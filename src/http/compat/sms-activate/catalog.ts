import { SERVICES } from '../../../modules/catalog/index.ts';
import { SMS_ACTIVATE_COUNTRIES, smsActivateCountryId } from '../../../provider-clients/sms-activate/index.ts';
import type { AppDeps } from '../../app.ts';
import { unitsNumber, unitsOf } from './money.ts';
import { isYes, type Params } from './params.ts';
import { type Answer, json } from './replies.ts';

/**
 * The catalog actions of `handler_api.php`, read from the in-memory catalog: countries by their
 * SMS-Activate numeric id (provider-clients/sms-activate/countries.ts: one table for both sides),
 * services by their code (ours are SMS-Activate's), prices in units of CREDITS_PER_USD credits.
 * Countries the table has no id for cannot be named in this protocol and are left out.
 */
export class ProtocolCatalog {
  constructor(private readonly deps: AppDeps) {}

  get #catalog() {
    return this.deps.activations.catalog;
  }

  #price(credits: number): number {
    return unitsNumber(credits, this.deps.config.creditsPerUsd, 'up');
  }

  /** Each pair sold, with its stock and cheapest price, filtered by the protocol's `service` and `country`. */
  #pairs(params: Params) {
    const service = params.service?.trim().toLowerCase() || undefined;
    const countryParam = params.country?.trim() || undefined;
    const pairs: { service: string; country: string; id: number; price: number; count: number }[] = [];
    for (const offer of this.#catalog.all()) {
      if (service && offer.service !== service) continue;
      if (this.#catalog.rules.disabled(offer.service, offer.country)) continue;
      const id = smsActivateCountryId(offer.country);
      if (id === undefined || (countryParam !== undefined && String(id) !== countryParam)) continue;
      const stock = this.#catalog.countryAvailability(offer.country, offer.service);
      pairs.push({ service: offer.service, country: offer.country, id, price: stock.fromPrice ?? offer.price, count: stock.available });
    }
    return pairs;
  }

  /** `{"<country id>": {"<service>": {"cost": 0.25, "count": 120}}}` */
  getPrices(params: Params): Answer {
    const table: Record<string, Record<string, { cost: number; count: number }>> = {};
    for (const pair of this.#pairs(params)) {
      table[pair.id] ??= {};
      (table[pair.id] as Record<string, { cost: number; count: number }>)[pair.service] = {
        cost: this.#price(pair.price),
        count: pair.count,
      };
    }
    return json(table);
  }

  /** `{"tg_0": 120, …}`: stock per service (`_0`: without forwarding, the only kind sold), in one country or all. */
  getNumbersStatus(params: Params): Answer {
    const counts: Record<string, number> = {};
    for (const pair of this.#pairs({ country: params.country })) {
      const key = `${pair.service}_0`;
      counts[key] = (counts[key] ?? 0) + pair.count;
    }
    return json(counts);
  }

  /** Every country of the table: `visible` 1 where something is sold now. The names are English in every language. */
  getCountries(): Answer {
    const sold = new Set(this.#pairs({}).map((pair) => pair.id));
    const countries: Record<string, unknown> = {};
    for (const country of SMS_ACTIVATE_COUNTRIES) {
      countries[country.id] = {
        id: country.id,
        rus: country.name,
        eng: country.name,
        chn: country.name,
        visible: sold.has(country.id) ? 1 : 0,
        retry: 1,
        rent: 0,
        multiService: 0,
      };
    }
    return json(countries);
  }

  /** `{"status": "success", "services": [{"code", "name"}]}`: the services sold (in `country` when given). */
  getServicesList(params: Params): Answer {
    const sold = new Set(this.#pairs({ country: params.country }).map((pair) => pair.service));
    const services = SERVICES.filter((service) => sold.has(service.code)).map((service) => ({ code: service.code, name: service.name }));
    return json({ status: 'success', services });
  }

  /**
   * `{"0": {"country", "count", "price", "retail_price"}, …}`, most stock first, for one service or all;
   * `freePrice=true` adds `freePriceMap` (price → stock) from each provider's offer.
   */
  getTopCountriesByService(params: Params): Answer {
    const service = params.service?.trim().toLowerCase() || undefined;
    const byCountry = new Map<number, { country: number; iso: string; count: number; price: number }>();
    for (const pair of this.#pairs({ service })) {
      const entry = byCountry.get(pair.id);
      if (!entry) byCountry.set(pair.id, { country: pair.id, iso: pair.country, count: pair.count, price: pair.price });
      else {
        entry.count += pair.count;
        entry.price = Math.min(entry.price, pair.price);
      }
    }
    const ranked = [...byCountry.values()].filter((entry) => entry.count > 0).sort((a, b) => b.count - a.count || a.country - b.country);
    const top: Record<string, unknown> = {};
    ranked.forEach((entry, index) => {
      const price = this.#price(entry.price);
      const row: Record<string, unknown> = { country: entry.country, count: entry.count, price, retail_price: price };
      if (service && isYes(params.freePrice)) row.freePriceMap = this.#freePriceMap(service, entry.iso);
      top[index] = row;
    });
    return json(top);
  }

  #freePriceMap(service: string, country: string): Record<string, number> {
    const map: Record<string, number> = {};
    for (const offer of this.#catalog.offers(service, country)) {
      if (offer.count <= 0) continue;
      const key = unitsOf(offer.price, this.deps.config.creditsPerUsd, 'up');
      map[key] = (map[key] ?? 0) + offer.count;
    }
    return map;
  }
}
