import { and, asc, eq, gt, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  auditLog,
  gateways,
  type PoolNumberState,
  poolLeases,
  poolNumbers,
  poolRentalRates,
  poolServiceUses,
} from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { decimalToMicros } from '../../provider-clients/port.ts';
import { countryByCode, phoneLibrary, serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { reuseCutoff } from './sellable.ts';
import { syncPoolStock } from './stock.ts';

const invalid = (message: string) => new DomainError('VALIDATION_FAILED', message);

/** A number as typed, in E.164 (`+` and digits), and the country it belongs to; undefined unless valid. */
export function parseE164(text: string): { number: string; country: string | undefined } | undefined {
  const trimmed = text.trim().replace(/[\s().-]/g, '');
  if (!/^\+[1-9]\d{6,14}$/.test(trimmed)) return undefined;
  const phone = phoneLibrary().parsePhoneNumberFromString(trimmed);
  if (!phone?.isValid()) return undefined;
  return { number: phone.number, country: phone.country };
}

export interface AddPoolNumberInput {
  gateway: string;
  number: string;
  device?: string;
  sim?: string;
  /** Comma-separated service codes; absent: every service. */
  services?: string;
  country?: string;
  /** Decimal USD: "0.05". */
  cost?: string;
  /** Why (the console requires it): kept in the audit row. */
  reason?: string;
}

export type PoolNumberRow = typeof poolNumbers.$inferSelect;

/**
 * Put one of the operator's numbers in the pool, on one of its gateways: a valid E.164 number of a
 * country the catalog sells (from the number unless `--country` says, which must agree), services
 * from the catalog, an Android gateway's device and SIM slot. Audited, one transaction, and the
 * pool's stock written again in it, so every instance sells it within moments.
 */
export async function addPoolNumber(ctx: Ctx, input: AddPoolNumberInput): Promise<PoolNumberRow> {
  const parsed = parseE164(input.number);
  if (!parsed) throw invalid(`--number must be a valid phone number in E.164 form, such as +14155550123 (got "${input.number}")`);
  let country = parsed.country;
  if (input.country !== undefined) {
    const given = input.country.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(given)) throw invalid(`--country must be an ISO 3166-1 alpha-2 code such as US or GB (got "${input.country}")`);
    if (country && country !== given)
      throw invalid(`${parsed.number} is a ${country} number, not ${given}: leave --country out or correct it`);
    country = given;
  }
  if (!country) throw invalid(`the country of ${parsed.number} cannot be told from it: add --country`);
  if (!countryByCode(country)) throw invalid(`${country} is not a country the catalog sells numbers in`);
  let services: string[] | null = null;
  if (input.services !== undefined) {
    const codes = [
      ...new Set(
        input.services
          .split(',')
          .map((code) => code.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    const unknown = codes.filter((code) => !serviceByCode(code));
    if (codes.length === 0) throw invalid('--services must list service codes, such as tg,wa (or be left out for every service)');
    if (unknown.length > 0) throw invalid(`unknown service code(s): ${unknown.join(', ')} (see GET /api/v1/services)`);
    services = codes.sort();
  }
  let cost = 0;
  if (input.cost !== undefined) {
    const micros = decimalToMicros(input.cost);
    if (micros === undefined) throw invalid(`--cost must be a decimal amount in USD, such as 0.05 (got "${input.cost}")`);
    cost = micros;
  }
  const device = input.device?.trim() || undefined;
  if (device !== undefined && !/^[\x21-\x7e]{1,128}$/.test(device))
    throw invalid('--device must be the device id the app shows (no spaces)');
  let sim: number | undefined;
  if (input.sim !== undefined) {
    if (!device) throw invalid('--sim needs --device: a SIM slot belongs to a phone');
    if (!/^\d{1,2}$/.test(input.sim.trim()) || Number(input.sim) < 1 || Number(input.sim) > 16)
      throw invalid('--sim must be the SIM slot, 1 or 2 (up to 16)');
    sim = Number(input.sim);
  }

  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [gateway] = await tx
      .select()
      .from(gateways)
      .where(and(eq(gateways.name, input.gateway.trim()), isNull(gateways.removedAt)));
    if (!gateway) throw new DomainError('NOT_FOUND', `No gateway named "${input.gateway}". Add it first with \`otpbox gateways add\`.`);
    if (device !== undefined && gateway.kind !== 'android-sms-gateway')
      throw invalid(`--device and --sim apply to Android gateways only; "${gateway.name}" is a ${gateway.kind} gateway`);
    const [taken] = await tx
      .select({ id: poolNumbers.id })
      .from(poolNumbers)
      .where(and(eq(poolNumbers.number, parsed.number), isNull(poolNumbers.removedAt)));
    if (taken) throw new DomainError('CONFLICT', `${parsed.number} is already in the pool. Remove it first to move it.`);
    if (device !== undefined) {
      const [slot] = await tx
        .select({ number: poolNumbers.number })
        .from(poolNumbers)
        .where(
          and(
            eq(poolNumbers.gatewayId, gateway.id),
            eq(poolNumbers.device, device),
            sim === undefined ? isNull(poolNumbers.sim) : eq(poolNumbers.sim, sim),
            isNull(poolNumbers.removedAt),
          ),
        );
      if (slot) throw new DomainError('CONFLICT', `That device and SIM slot already receive ${slot.number}.`);
    }
    const id = newId('pnum', now.getTime());
    // The number's past under earlier rows (removed; moved from another gateway, phone or SIM) stays with
    // it: its service uses within the reuse period and its cooling. Removing and adding a number again
    // must never clear the reuse rule, or sell it while the last buyer's codes may still arrive.
    const earlier = await tx
      .select({ id: poolNumbers.id, coolingUntil: poolNumbers.coolingUntil })
      .from(poolNumbers)
      .where(and(eq(poolNumbers.number, parsed.number), isNotNull(poolNumbers.removedAt)));
    const coolingUntil = earlier.reduce<Date | null>(
      (latest, n) => (n.coolingUntil && n.coolingUntil > now && (!latest || n.coolingUntil > latest) ? n.coolingUntil : latest),
      null,
    );
    const [row] = await tx
      .insert(poolNumbers)
      .values({
        id,
        gatewayId: gateway.id,
        number: parsed.number,
        country,
        services,
        device,
        sim,
        cost,
        createdAt: now,
        ...(coolingUntil ? { state: 'cooling' as const, coolingUntil } : {}),
      })
      .returning();
    if (earlier.length > 0)
      await tx
        .update(poolServiceUses)
        .set({ numberId: id })
        .where(
          and(
            inArray(
              poolServiceUses.numberId,
              earlier.map((n) => n.id),
            ),
            gt(poolServiceUses.usedAt, reuseCutoff(ctx.config, now)),
          ),
        );
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'pool_number.add',
      details: { numberId: id, gateway: gateway.name, country, services, cost, ...(input.reason ? { reason: input.reason } : {}) },
      occurredAt: now,
    });
    await syncPoolStock(tx, ctx.config, now);
    return row as PoolNumberRow;
  });
}

export interface PoolNumberView {
  number: string;
  gateway: string;
  country: string;
  services: string[] | null;
  device: string | null;
  sim: number | null;
  /** USD. */
  cost: number;
  state: PoolNumberState;
  coolingUntil: string | null;
  lastSoldAt: string | null;
  /** The rental rate, USD per day; null: not rented out (ADR 42). */
  rentPerDay: number | null;
}

/** The pool's numbers (of one gateway), with their state as of `now` (a number done cooling is free). */
export async function listPoolNumbers(db: Executor, now: Date, gateway?: string): Promise<PoolNumberView[]> {
  const rows = await db
    .select({ n: poolNumbers, gateway: gateways.name, perDay: poolRentalRates.perDay })
    .from(poolNumbers)
    .innerJoin(gateways, eq(gateways.id, poolNumbers.gatewayId))
    .leftJoin(poolRentalRates, eq(poolRentalRates.numberId, poolNumbers.id))
    .where(and(isNull(poolNumbers.removedAt), gateway === undefined ? undefined : eq(gateways.name, gateway)))
    .orderBy(asc(gateways.name), asc(poolNumbers.number));
  return rows.map(({ n, gateway, perDay }) => {
    const cooled = n.state === 'cooling' && n.coolingUntil !== null && n.coolingUntil <= now;
    return {
      number: n.number,
      gateway,
      country: n.country,
      services: n.services,
      device: n.device,
      sim: n.sim,
      cost: n.cost / 1_000_000,
      state: cooled ? 'free' : n.state,
      coolingUntil: cooled ? null : (n.coolingUntil?.toISOString() ?? null),
      lastSoldAt: n.lastSoldAt?.toISOString() ?? null,
      rentPerDay: perDay === null ? null : perDay / 1_000_000,
    };
  });
}

/**
 * Take a number out of the pool: refused while an order holds it (it is `rented`; the order ends
 * within the order lifetime, then the number can be removed). Audited (with the staff member's reason
 * when there is one: the console requires it); stock written again.
 */
export async function removePoolNumber(ctx: Ctx, text: string, reason?: string): Promise<void> {
  const parsed = parseE164(text);
  const number = parsed?.number ?? text.trim();
  await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [row] = await tx
      .select()
      .from(poolNumbers)
      .where(and(eq(poolNumbers.number, number), isNull(poolNumbers.removedAt)))
      .for('update');
    if (!row) throw new DomainError('NOT_FOUND', `${number} is not in the pool. See \`otpbox numbers list\`.`);
    const [open] = await tx
      .select({ id: poolLeases.id, kind: poolLeases.kind })
      .from(poolLeases)
      .where(and(eq(poolLeases.numberId, row.id), isNull(poolLeases.endedAt)));
    if (open?.kind === 'rental')
      throw new DomainError(
        'CONFLICT',
        `${number} is held by a long-term rental; it was not removed. It can be removed once the rental ends (its period end, or when the customer cancels it).`,
      );
    if (row.state === 'rented' || open)
      throw new DomainError(
        'CONFLICT',
        `${number} is rented by an open order; it was not removed. The order ends within ${Math.ceil(ctx.config.activationTtlS / 60)} minutes: run this again then.`,
      );
    await tx.update(poolNumbers).set({ removedAt: now }).where(eq(poolNumbers.id, row.id));
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'pool_number.remove',
      details: { numberId: row.id, ...(reason ? { reason } : {}) },
      occurredAt: now,
    });
    await syncPoolStock(tx, ctx.config, now);
  });
}
