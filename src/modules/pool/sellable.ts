import { and, eq, gt, inArray, isNull, lte, ne, or, type SQL, sql } from 'drizzle-orm';
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

/** The number may be sold for `service`: allowed, and not sold for it within the reuse period. */
export function allowsService(service: string, cutoff: Date): SQL {
  return and(
    or(isNull(poolNumbers.services), sql`${service} = any(${poolNumbers.services})`),
    sql`not exists (select 1 from ${poolServiceUses} where ${poolServiceUses.numberId} = ${poolNumbers.id} and ${poolServiceUses.service} = ${service} and ${poolServiceUses.usedAt} > ${cutoff})`,
  ) as SQL;
}

/**
 * The pool's offers: per (service, country), how many numbers can be sold now and the cheapest
 * cost. A number without a service list counts for every service of the catalog. Pools are small
 * (numbers the operator holds), so the numbers are read and counted here.
 */
export async function poolOffers(db: Executor, config: Pick<Config, 'poolReuseDays'>, now: Date): Promise<Offer[]> {
  const numbers = await db
    .select({ id: poolNumbers.id, country: poolNumbers.country, services: poolNumbers.services, cost: poolNumbers.cost })
    .from(poolNumbers)
    .innerJoin(gateways, eq(gateways.id, poolNumbers.gatewayId))
    .where(sellableNow(now));
  if (numbers.length === 0) return [];
  const used = await db
    .selectDistinct({ numberId: poolServiceUses.numberId, service: poolServiceUses.service })
    .from(poolServiceUses)
    .where(
      and(
        inArray(
          poolServiceUses.numberId,
          db
            .select({ id: poolNumbers.id })
            .from(poolNumbers)
            .innerJoin(gateways, eq(gateways.id, poolNumbers.gatewayId))
            .where(sellableNow(now)),
        ),
        gt(poolServiceUses.usedAt, reuseCutoff(config, now)),
      ),
    );
  const blocked = new Set(used.map((u) => `${u.numberId}:${u.service}`));
  const every = SERVICES.map((s) => s.code);
  const offers = new Map<string, Offer>();
  for (const number of numbers) {
    for (const service of number.services ?? every) {
      if (blocked.has(`${number.id}:${service}`)) continue;
      const key = `${service}:${number.country}`;
      const offer = offers.get(key);
      if (!offer) offers.set(key, { service, country: number.country, cost: number.cost, count: 1 });
      else {
        offer.count++;
        offer.cost = Math.min(offer.cost, number.cost);
      }
    }
  }
  return [...offers.values()].sort((a, b) => a.service.localeCompare(b.service) || a.country.localeCompare(b.country));
}
