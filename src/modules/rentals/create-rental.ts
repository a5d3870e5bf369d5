import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { rentals } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { countryByCode, serviceByCode } from '../catalog/index.ts';
import { type Ctx, withDb } from '../context.ts';
import { phoneLookupHash, sealFor } from '../keyring/index.ts';
import { leaseForRental, rentalDayPrice, rentalTerms } from '../pool/index.ts';
import { MAX_RENTAL_DAYS } from './schemas.ts';
import { announce, audit, holdPeriod, maskNumber, type RentalRow } from './store.ts';

const DAY_MS = 86_400_000;

export interface CreateRentalInput {
  accountId: string;
  country: string;
  days: number;
  services?: string[];
  autoRenew?: boolean;
  /** The request's `Idempotency-Key`: the same key and body answer the rental it made. */
  idempotencyKey?: string;
}

export const noRentals = (country: string) =>
  new DomainError('NO_NUMBERS', `No number in ${country} can be rented right now for what you asked. Nothing was charged.`);

/** The country and services asked for, checked against the catalog; the services deduplicated and sorted. */
function checked(input: CreateRentalInput): { country: string; services: string[] } {
  const country = countryByCode(input.country);
  if (!country)
    throw new DomainError('UNKNOWN_COUNTRY', `"${input.country}" is not a country we know (ISO 3166 alpha-2). See GET /api/v1/countries.`);
  const services = [...new Set((input.services ?? []).map((s) => s.trim().toLowerCase()))].sort();
  for (const code of services)
    if (!serviceByCode(code))
      throw new DomainError('UNKNOWN_SERVICE', `There is no service with the code "${code}". See GET /api/v1/services.`);
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > MAX_RENTAL_DAYS)
    throw new DomainError('VALIDATION_FAILED', `days must be a whole number from 1 to ${MAX_RENTAL_DAYS}.`);
  return { country: country.code, services };
}

const hashOf = (country: string, days: number, services: string[], autoRenew: boolean) =>
  createHash('sha256')
    .update(JSON.stringify([country, days, services, autoRenew]))
    .digest('hex');

/**
 * Rent a pool number, in one transaction: a number leased (pool: rentable, every declared service
 * allowed and not used within the reuse period, SKIP LOCKED), the first period's price held from the
 * credits purse (demo credits never pay for a real number), the rental with its number sealed, its
 * audit row and its events — or nothing at all, and why (NO_NUMBERS, INSUFFICIENT_CREDITS, …).
 *
 * Under an `Idempotency-Key` the first request makes the rental and a repeat with the same body
 * answers it as it is now (`replayed`); another body is IDEMPOTENCY_KEY_REUSED. A refusal records
 * nothing, so a retry after topping up rents.
 */
export async function createRental(ctx: Ctx, input: CreateRentalInput): Promise<{ row: RentalRow; replayed: boolean }> {
  const { country, services } = checked(input);
  const autoRenew = input.autoRenew ?? false;
  const requestHash = input.idempotencyKey ? hashOf(country, input.days, services, autoRenew) : null;
  return transaction(ctx.db, async (tx) => {
    const tctx = withDb(ctx, tx);
    const now = ctx.clock.now();
    if (input.idempotencyKey) {
      // Two requests under one key wait for each other here: the second finds the first's rental.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`rental:${input.accountId}:${input.idempotencyKey}`}, 0))`);
      const [earlier] = await tx
        .select()
        .from(rentals)
        .where(and(eq(rentals.accountId, input.accountId), eq(rentals.idempotencyKey, input.idempotencyKey)));
      if (earlier) {
        if (earlier.requestHash !== requestHash)
          throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for another rental request. Use a new key.');
        return { row: earlier, replayed: true };
      }
    }
    // One rental at a time per account, so that two at once cannot both pass the limit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`rentals:${input.accountId}`}, 0))`);
    const [active] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(rentals)
      .where(and(eq(rentals.accountId, input.accountId), eq(rentals.status, 'active')));
    const limit = ctx.config.maxActiveRentals;
    if ((active?.count ?? 0) >= limit)
      throw new DomainError(
        'TOO_MANY_ACTIVE',
        `You have ${limit} active rental${limit === 1 ? '' : 's'}, the most at once. Cancel one or wait for one to end. Nothing was charged.`,
        { active: active?.count ?? 0, limit },
      );
    const terms = await rentalTerms(tx, ctx.config);
    if (!terms) throw noRentals(country);
    const lease = await leaseForRental(tx, ctx.config, now, { country, services });
    if (!lease) throw noRentals(country);
    const id = newId('rent', now.getTime());
    const dayPrice = rentalDayPrice(lease.perDay, terms);
    const [row] = await tx
      .insert(rentals)
      .values({
        id,
        accountId: input.accountId,
        leaseId: lease.leaseId,
        phone: await sealFor(tctx, input.accountId, 'rentals.phone', id, lease.number),
        phoneHash: phoneLookupHash(ctx.keys, lease.number),
        country,
        services: services.length > 0 ? services : null,
        dayPrice,
        startedAt: now,
        endsAt: new Date(now.getTime() + input.days * DAY_MS),
        autoRenew,
        periods: 1,
        idempotencyKey: input.idempotencyKey ?? null,
        requestHash,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const rental = row as RentalRow;
    // Refused (too few credits, a restricted wallet): thrown, and the lease and the rental roll back with it.
    await holdPeriod(tctx, rental, { seq: 1, startsAt: now, days: input.days, label: maskNumber(lease.number) });
    await audit(tx, now, ctx.actor ?? 'customer', 'rental.create', input.accountId, {
      rentalId: id,
      country,
      days: input.days,
      dayPrice,
      price: dayPrice * input.days,
      services,
      autoRenew,
    });
    await announce(tx, rental, now, true);
    return { row: rental, replayed: false };
  });
}
