import { and, eq, gt, isNull, lte, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/client.ts';
import { gateways, poolNumbers, poolServiceUses } from '../../db/schema/index.ts';
import type { Offer } from '../../provider-clients/port.ts';
import { SERVICES } from '../catalog/index.ts';

const DAY_MS = 86_400_000;

/** When a use of a number for a service still blocks selling it for that service again. */
export const reuseCutoff = (config: Pick<Config, 'poolReuseDays'>, now: Date) => new Date(now.getTime() - config.poolReuseDays * DAY_MS);

/**
 * A number that may be sold now (for some service): not removed, its gateway not removed and not
 * `down`, and free or done cooling. Needs `gateways` joined.
 */
export function sellableNow(now: Date): SQL {
  return and(
    isNull(poolNumbers.removedAt),
    isNull(gateways.removedAt),
    ne(gateways.state, 'down'),
    or(eq(poolNumbers.state, 'free'), and(eq(poolNumbers.state, 'cooling'), lte(poolNumbers.coolingUntil, now))),
  ) as SQL;
}

/**
 * The number was sold for no service within the reuse period: what a rental needs, as a rental receives
 * every SMS the number gets (a code for an account the previous buyer made with it would reach the renter).
 */
export function usedForNoService(cutoff: Date): SQL {
  return sql`not exists (select 1 from ${poolServiceUses} where ${poolServiceUses.numberId} = ${poolNumbers.id} and ${poolServiceUses.usedAt} > ${cutoff})`;
}

/** The number may be sold for `service`: allowed, and not sold for it within the reuse period. */
export function allowsService(service: string, cutoff: Date): SQL {
  return and(
    or(isNull(poolNumbers.services), sql`${service} = any(${poolNumbers.services})`),
    sql`not exists (select 1 from ${poolServiceUses} where ${poolServiceUses.numberId} = ${poolNumbers.id} and ${poolServiceUses.service} = ${service} and ${poolServiceUses.usedAt} > ${cutoff})`,
  ) as SQL;
}

/**
 * The pool's offers: per (service, country), how many numbers can be sold now and the cheapest
 * cost. A number with a service list counts for each service of its list that it was not sold for
 * within the reuse period; a number without one counts for every service of the catalog but those.
 *
 * Called after every sale and every change to the numbers, so its cost must not be the pool's size
 * times the catalog's (10,000 numbers for every service were 500,000 steps and about 200 ms a sale).
 * Numbers without a list are therefore counted once per country, and each service's offer is that
 * count less the numbers sold for it lately, at the cost of the cheapest number it was not sold for
 * (found by walking the country's numbers from the cheapest, past the few sold for it). The work is
 * the numbers read, plus the catalog per country, plus the uses within the reuse period (on PostgreSQL,
 * 10,000 numbers for every service: about 200 ms before, 40–60 ms now, 90–120 ms with 30,000 uses).
 */
export async function poolOffers(db: Executor, config: Pick<Config, 'poolReuseDays'>, now: Date): Promise<Offer[]> {
  const numbers = await db
    .select({ id: poolNumbers.id, country: poolNumbers.country, services: poolNumbers.services, cost: poolNumbers.cost })
    .from(poolNumbers)
    .innerJoin(gateways, eq(gateways.id, poolNumbers.gatewayId))
    .where(sellableNow(now));
  if (numbers.length === 0) return [];
  // Every recent use, not only those of the numbers read: the counting looks up the numbers it has, and
  // the join to find the sellable ones again cost more than the rows it left out.
  const used = await db
    .selectDistinct({ numberId: poolServiceUses.numberId, service: poolServiceUses.service })
    .from(poolServiceUses)
    .where(gt(poolServiceUses.usedAt, reuseCutoff(config, now)));
  return countOffers(
    numbers,
    used,
    SERVICES.map((service) => service.code),
  );
}

/** A number that may be sold now, as `countOffers` reads it; `services` null: every service. */
export interface SellableNumber {
  id: string;
  country: string;
  services: string[] | null;
  cost: number;
}

/**
 * The counting of `poolOffers`, apart from its reads: the offers of `numbers`, given the services each
 * was sold for within the reuse period (`used`) and the catalog's services (`every`).
 */
export function countOffers(
  numbers: readonly SellableNumber[],
  used: readonly { numberId: string; service: string }[],
  every: readonly string[],
): Offer[] {
  const soldFor = new Map<string, Set<string>>();
  for (const use of used) {
    const services = soldFor.get(use.numberId);
    if (services) services.add(use.service);
    else soldFor.set(use.numberId, new Set([use.service]));
  }
  const blocked = (numberId: string, service: string) => soldFor.get(numberId)?.has(service) === true;

  const offers = new Map<string, Offer>();
  const add = (service: string, country: string, cost: number, count: number) => {
    const key = `${service}:${country}`;
    const offer = offers.get(key);
    if (!offer) offers.set(key, { service, country, cost, count });
    else {
      offer.count += count;
      offer.cost = Math.min(offer.cost, cost);
    }
  };
  // Numbers for every service, by country.
  const forEvery = new Map<string, { id: string; cost: number }[]>();
  for (const number of numbers) {
    if (number.services === null) {
      const list = forEvery.get(number.country);
      if (list) list.push(number);
      else forEvery.set(number.country, [number]);
      continue;
    }
    for (const service of number.services) if (!blocked(number.id, service)) add(service, number.country, number.cost, 1);
  }
  for (const [country, list] of forEvery) {
    list.sort((a, b) => a.cost - b.cost);
    const soldCount = new Map<string, number>();
    for (const number of list)
      for (const service of soldFor.get(number.id) ?? []) soldCount.set(service, (soldCount.get(service) ?? 0) + 1);
    for (const service of every) {
      const count = list.length - (soldCount.get(service) ?? 0);
      if (count === 0) continue;
      // count > 0: some number of the list was not sold for this service, so the walk finds one.
      const cheapest = list.find((number) => !blocked(number.id, service)) as { cost: number };
      add(service, country, cheapest.cost, count);
    }
  }
  return [...offers.values()].sort((a, b) => a.service.localeCompare(b.service) || a.country.localeCompare(b.country));
}
