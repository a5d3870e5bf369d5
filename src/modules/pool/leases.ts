import { and, asc, desc, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/client.ts';
import { runStatement } from '../../db/raw-driver.ts';
import { gateways, type LeaseKind, poolLeases, poolNumbers, poolServiceUses } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { newId } from '../../lib/ids.ts';
import type { BuyRequest, Micros } from '../../provider-clients/port.ts';
import { allowsService, reuseCutoff, sellableNow } from './sellable.ts';
import { NOTE_LEASE_SMS, noteLeaseValues } from './statements.ts';

export type LeaseRow = typeof poolLeases.$inferSelect;

export type PoolSale =
  | { ok: true; leaseId: string; number: string; cost: Micros }
  | { ok: false; kind: 'no_numbers' }
  | { ok: false; kind: 'price_above_max'; minCost: Micros };

/**
 * Sell one number for an order, in one transaction: the cheapest sellable number of the country
 * allowed for the service and not sold for it within POOL_REUSE_DAYS, least recently sold first,
 * locked with SKIP LOCKED (parallel buyers take different numbers, never wait on each other); its
 * lease opened, the number `rented`, the service use recorded (given back if the order gets no SMS).
 */
export async function leaseForOrder(
  db: Executor,
  config: Pick<Config, 'poolReuseDays'>,
  now: Date,
  request: BuyRequest,
): Promise<PoolSale> {
  return transaction(db, async (tx) => {
    const [picked] = await tx
      .select({ id: poolNumbers.id, number: poolNumbers.number, cost: poolNumbers.cost })
      .from(poolNumbers)
      .innerJoin(gateways, eq(gateways.id, poolNumbers.gatewayId))
      .where(and(sellableNow(now), eq(poolNumbers.country, request.country), allowsService(request.service, reuseCutoff(config, now))))
      .orderBy(asc(poolNumbers.cost), sql`${poolNumbers.lastSoldAt} asc nulls first`, asc(poolNumbers.id))
      .limit(1)
      .for('update', { of: poolNumbers, skipLocked: true });
    if (!picked) return { ok: false as const, kind: 'no_numbers' as const };
    if (request.maxCost !== undefined && picked.cost > request.maxCost)
      return { ok: false as const, kind: 'price_above_max' as const, minCost: picked.cost };
    const leaseId = newId('lease', now.getTime());
    await tx.insert(poolLeases).values({ id: leaseId, numberId: picked.id, kind: 'order', service: request.service, startedAt: now });
    await tx.update(poolNumbers).set({ state: 'rented', coolingUntil: null, lastSoldAt: now }).where(eq(poolNumbers.id, picked.id));
    await tx.insert(poolServiceUses).values({ numberId: picked.id, service: request.service, usedAt: now, leaseId });
    return { ok: true as const, leaseId, number: picked.number, cost: picked.cost };
  });
}

/**
 * End a lease (the order finished, was cancelled or expired): the number cools down for
 * POOL_COOLDOWN_MINUTES — late SMS still reach the ended order, no new buyer gets it — and an order
 * that got no SMS gives its service use back (the number was never used for that service).
 * Idempotent: a lease already ended is left as it is. Answers whether this call ended it.
 */
export async function endLease(
  db: Executor,
  config: Pick<Config, 'poolCooldownMs'>,
  now: Date,
  leaseId: string,
): Promise<'ended' | 'already_ended' | 'not_found'> {
  return transaction(db, async (tx) => {
    const [lease] = await tx.select().from(poolLeases).where(eq(poolLeases.id, leaseId)).for('update');
    if (!lease) return 'not_found' as const;
    if (lease.endedAt) return 'already_ended' as const;
    await tx.update(poolLeases).set({ endedAt: now }).where(eq(poolLeases.id, leaseId));
    await tx
      .update(poolNumbers)
      .set({ state: 'cooling', coolingUntil: new Date(now.getTime() + config.poolCooldownMs) })
      .where(and(eq(poolNumbers.id, lease.numberId), eq(poolNumbers.state, 'rented')));
    if (!lease.gotSms) await tx.delete(poolServiceUses).where(eq(poolServiceUses.leaseId, leaseId));
    return 'ended' as const;
  });
}

export async function leaseById(db: Executor, leaseId: string): Promise<LeaseRow | undefined> {
  const [lease] = await db.select().from(poolLeases).where(eq(poolLeases.id, leaseId));
  return lease;
}

/** The open order leases, with their number: what the pool, as a provider, has "open" for reconciliation. */
export async function openOrderLeases(db: Executor) {
  return db
    .select({
      leaseId: poolLeases.id,
      service: poolLeases.service,
      startedAt: poolLeases.startedAt,
      country: poolNumbers.country,
      number: poolNumbers.number,
    })
    .from(poolLeases)
    .innerJoin(poolNumbers, eq(poolNumbers.id, poolLeases.numberId))
    .where(and(isNull(poolLeases.endedAt), eq(poolLeases.kind, 'order')));
}

/** A phone's clock may be behind ours: an SMS this much before a lease began still counts for it. */
export const CLOCK_SKEW_MS = 30_000;

export interface LeaseForMessage {
  id: string;
  kind: LeaseKind;
  /** Open, or ended within the cooling time before the message arrived (a late SMS). */
  open: boolean;
}

/**
 * The lease an SMS that reached `numberId` at `at` belongs to: the latest lease begun by then, if it
 * is open or ended no longer than POOL_COOLDOWN_MINUTES before. Locked for the message's transaction.
 */
export async function leaseForMessage(
  tx: Executor,
  config: Pick<Config, 'poolCooldownMs'>,
  numberId: string,
  at: Date,
): Promise<LeaseForMessage | undefined> {
  // As LATEST_LEASE (statements.ts): the lease begun by `at` that still takes SMS, else the latest begun within the skew.
  const endedSince = new Date(at.getTime() - config.poolCooldownMs);
  const [lease] = await tx
    .select()
    .from(poolLeases)
    .where(and(eq(poolLeases.numberId, numberId), lte(poolLeases.startedAt, new Date(at.getTime() + CLOCK_SKEW_MS))))
    .orderBy(
      desc(
        sql`(${poolLeases.startedAt} <= ${at.toISOString()}::timestamptz and (${poolLeases.endedAt} is null or ${poolLeases.endedAt} >= ${endedSince.toISOString()}::timestamptz))`,
      ),
      desc(poolLeases.startedAt),
    )
    .limit(1)
    .for('update');
  return lease ? leaseAt(lease, config, at) : undefined;
}

/** The latest lease begun by the time an SMS arrived `at`: its message's, if open or ended no longer than the cooling time before. */
export function leaseAt(lease: LeaseRow, config: Pick<Config, 'poolCooldownMs'>, at: Date): LeaseForMessage | undefined {
  if (lease.endedAt && at.getTime() > lease.endedAt.getTime() + config.poolCooldownMs) return undefined;
  return { id: lease.id, kind: lease.kind, open: lease.endedAt === null };
}

/**
 * An SMS reached the lease: it did get one, and its service use stands (re-recorded if the order had
 * ended without one and given it back: the buyer may have used the late code). One statement.
 */
export async function noteLeaseSms(tx: Executor, leaseId: string, at: Date): Promise<void> {
  await runStatement(tx, NOTE_LEASE_SMS, noteLeaseValues(leaseId, at));
}
