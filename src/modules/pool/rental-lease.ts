import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/client.ts';
import { auditLog, gateways, poolLeases, poolNumbers, poolRentalRates, poolServiceUses, providers } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { decimalToMicros } from '../../provider-clients/port.ts';
import { type PricingTerms, sellingPrice } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { parseE164 } from './numbers.ts';
import { allowsService, reuseCutoff, sellableNow, usedForNoService } from './sellable.ts';
import { POOL_PROVIDER, syncPoolStock } from './stock.ts';

const DAY_MS = 86_400_000;

/**
 * Rentals of pool numbers (ADR 42): the pool's side. A number is offered for rent only when the
 * operator gave it a rental rate (`otpbox numbers rent-rate`), USD per day like `--cost`; a day's
 * price in credits is that rate through CREDITS_PER_USD and the pool provider's markup (its fee is
 * per sale, so it does not apply to days).
 */

/** Set (or, with `null`, take away) a number's rental rate. Audited (with the staff member's reason when there is one). */
export async function setRentalRate(
  ctx: Ctx,
  numberText: string,
  perDay: string | null,
  reason?: string,
): Promise<{ number: string; perDay: number | null }> {
  let micros: number | null = null;
  if (perDay !== null) {
    const parsed = decimalToMicros(perDay);
    if (parsed === undefined || parsed <= 0)
      throw new DomainError('VALIDATION_FAILED', `--per-day must be a positive decimal amount in USD, such as 0.50 (got "${perDay}")`);
    micros = parsed;
  }
  const number = parseE164(numberText)?.number ?? numberText.trim();
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [row] = await tx
      .select({ id: poolNumbers.id })
      .from(poolNumbers)
      .where(and(eq(poolNumbers.number, number), isNull(poolNumbers.removedAt)));
    if (!row) throw new DomainError('NOT_FOUND', `${number} is not in the pool. See \`otpbox numbers list\`.`);
    if (micros === null) await tx.delete(poolRentalRates).where(eq(poolRentalRates.numberId, row.id));
    else
      await tx
        .insert(poolRentalRates)
        .values({ numberId: row.id, perDay: micros, updatedAt: now })
        .onConflictDoUpdate({ target: poolRentalRates.numberId, set: { perDay: micros, updatedAt: now } });
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'pool_number.rent_rate',
      details: { numberId: row.id, perDay: micros, ...(reason ? { reason } : {}) },
      occurredAt: now,
    });
    return { number, perDay: micros === null ? null : micros / 1_000_000 };
  });
}

/**
 * How the pool's USD rates become credits: CREDITS_PER_USD (or the provider row's own rate) and its
 * markup; undefined while there is no pool provider, or it is disabled (then nothing is rented).
 */
export async function rentalTerms(db: Executor, config: Pick<Config, 'creditsPerUsd'>): Promise<PricingTerms | undefined> {
  const [row] = await db
    .select({
      rate: providers.creditsPerUnitMicros,
      markup: providers.markupBasisPoints,
      enabled: providers.enabled,
      removedAt: providers.removedAt,
    })
    .from(providers)
    .where(and(eq(providers.name, POOL_PROVIDER), eq(providers.kind, 'pool')));
  if (!row?.enabled || row.removedAt) return undefined;
  return { creditsPerUnitMicros: row.rate ?? config.creditsPerUsd * 1_000_000, markupBasisPoints: row.markup, feeCredits: 0 };
}

/** A day of a number at `perDay` micro-USD, in whole credits (at least 1). */
export const rentalDayPrice = (perDay: number, terms: PricingTerms): number => sellingPrice(perDay, terms);

/**
 * A number that may be rented now: sellable, with a rate, and sold for no service within the reuse
 * period (a rental receives every SMS the number gets, whatever the service). Needs `gateways` and
 * `pool_rental_rates` joined.
 */
const rentableNow = (config: Pick<Config, 'poolReuseDays'>, now: Date): SQL =>
  and(sellableNow(now), usedForNoService(reuseCutoff(config, now))) as SQL;

export interface RentalStock {
  country: string;
  count: number;
  /** The cheapest rate, micro-USD per day. */
  perDay: number;
}

/** Per country: how many numbers can be rented now, and the cheapest rate. */
export async function rentalStock(db: Executor, config: Pick<Config, 'poolReuseDays'>, now: Date): Promise<RentalStock[]> {
  const rows = await db
    .select({
      country: poolNumbers.country,
      count: sql<number>`count(*)::int`,
      perDay: sql<number>`min(${poolRentalRates.perDay})::bigint`,
    })
    .from(poolNumbers)
    .innerJoin(gateways, eq(gateways.id, poolNumbers.gatewayId))
    .innerJoin(poolRentalRates, eq(poolRentalRates.numberId, poolNumbers.id))
    .where(rentableNow(config, now))
    .groupBy(poolNumbers.country)
    .orderBy(asc(poolNumbers.country));
  return rows.map((row) => ({ country: row.country, count: Number(row.count), perDay: Number(row.perDay) }));
}

export interface RentalLease {
  leaseId: string;
  number: string;
  /** Micro-USD per day. */
  perDay: number;
}

/**
 * Lease a number for a rental, in the caller's transaction: the cheapest rentable number of the
 * country (least recently sold first) that allows every declared service and was sold for no service
 * at all within POOL_REUSE_DAYS (the renter receives every SMS), locked with SKIP LOCKED (two renters never wait on each other, nor get
 * the same number); its lease (kind `rental`) opened, the number `rented`, a service use recorded per
 * declared service. Undefined when no number fits. The pool's stock is written again in the same
 * transaction (a rented number is out of the orders' stock).
 */
export async function leaseForRental(
  tx: Executor,
  config: Pick<Config, 'poolReuseDays'>,
  now: Date,
  request: { country: string; services: readonly string[] },
): Promise<RentalLease | undefined> {
  const cutoff = reuseCutoff(config, now);
  const [picked] = await tx
    .select({ id: poolNumbers.id, number: poolNumbers.number, perDay: poolRentalRates.perDay })
    .from(poolNumbers)
    .innerJoin(gateways, eq(gateways.id, poolNumbers.gatewayId))
    .innerJoin(poolRentalRates, eq(poolRentalRates.numberId, poolNumbers.id))
    .where(
      and(
        rentableNow(config, now),
        eq(poolNumbers.country, request.country),
        ...request.services.map((service) => allowsService(service, cutoff)),
      ),
    )
    .orderBy(asc(poolRentalRates.perDay), sql`${poolNumbers.lastSoldAt} asc nulls first`, asc(poolNumbers.id))
    .limit(1)
    .for('update', { of: poolNumbers, skipLocked: true });
  if (!picked) return undefined;
  const leaseId = newId('lease', now.getTime());
  await tx.insert(poolLeases).values({ id: leaseId, numberId: picked.id, kind: 'rental', service: null, startedAt: now });
  await tx.update(poolNumbers).set({ state: 'rented', coolingUntil: null, lastSoldAt: now }).where(eq(poolNumbers.id, picked.id));
  if (request.services.length > 0)
    await tx.insert(poolServiceUses).values(request.services.map((service) => ({ numberId: picked.id, service, usedAt: now, leaseId })));
  await syncPoolStock(tx, config, now);
  return { leaseId, number: picked.number, perDay: picked.perDay };
}

/**
 * End a rental's lease, in the caller's transaction. The number cools: for POOL_REUSE_DAYS when any
 * SMS reached it during the rental (the renter may have opened accounts with it: nobody may receive
 * their codes), else for POOL_COOLDOWN_MINUTES like an order's. Late SMS within the cooling minutes
 * still reach the rental. Idempotent.
 */
export async function endRentalLease(
  tx: Executor,
  config: Pick<Config, 'poolReuseDays' | 'poolCooldownMs'>,
  now: Date,
  leaseId: string,
): Promise<'ended' | 'already_ended' | 'not_found'> {
  const [lease] = await tx.select().from(poolLeases).where(eq(poolLeases.id, leaseId)).for('update');
  if (!lease) return 'not_found';
  if (lease.endedAt) return 'already_ended';
  await tx.update(poolLeases).set({ endedAt: now }).where(eq(poolLeases.id, leaseId));
  const coolMs = lease.gotSms ? config.poolReuseDays * DAY_MS : config.poolCooldownMs;
  await tx
    .update(poolNumbers)
    .set({ state: 'cooling', coolingUntil: new Date(now.getTime() + coolMs) })
    .where(and(eq(poolNumbers.id, lease.numberId), eq(poolNumbers.state, 'rented')));
  await syncPoolStock(tx, config, now);
  return 'ended';
}

/**
 * A late SMS reached an ended rental (in its cooling minutes) and was shown to the renter: the renter may
 * have opened an account with it, so the number now cools for POOL_REUSE_DAYS from the rental's end, as
 * when the SMS had come before it ended. In the caller's transaction.
 */
export async function coolAfterLateRentalSms(tx: Executor, config: Pick<Config, 'poolReuseDays'>, leaseId: string): Promise<void> {
  const [lease] = await tx
    .select({ numberId: poolLeases.numberId, endedAt: poolLeases.endedAt })
    .from(poolLeases)
    .where(eq(poolLeases.id, leaseId));
  if (!lease?.endedAt) return;
  const until = new Date(lease.endedAt.getTime() + config.poolReuseDays * DAY_MS);
  await tx
    .update(poolNumbers)
    .set({ coolingUntil: sql`greatest(${poolNumbers.coolingUntil}, ${until.toISOString()}::timestamptz)` })
    .where(and(eq(poolNumbers.id, lease.numberId), eq(poolNumbers.state, 'cooling')));
}
