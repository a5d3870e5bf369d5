import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { auditLog, creditPackages, type PackageInterval, payments } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import type { CreditPackageView } from './schemas.ts';
import type { PackageRow } from './view.ts';

export interface NewPackage {
  code: string;
  credits: number;
  priceMinor: number;
  currency: string;
  interval?: PackageInterval;
  storeProductId?: string;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const STORE_PRODUCT = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
const MAX = 1_000_000_000_000;
/** ISO 4217 codes this Node.js knows (Intl), computed once. */
let currencies: Set<string> | undefined;
const knownCurrency = (code: string) => {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
};

/**
 * A package on sale from now on (the CLI's `packages add`, the console's Packages page). Audited, with
 * the staff member's reason when there is one (the console requires it).
 */
export async function addPackage(ctx: Ctx, input: NewPackage, reason?: string): Promise<PackageRow> {
  const currency = input.currency.trim().toUpperCase();
  if (!CODE.test(input.code))
    throw invalid('The code is 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.');
  for (const [name, value] of [
    ['credits', input.credits],
    ['price', input.priceMinor],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > MAX) throw invalid(`The ${name} is a whole number from 1 to ${MAX}.`);
  }
  if (!/^[A-Z]{3}$/.test(currency) || !knownCurrency(currency))
    throw invalid(`${input.currency} is not an ISO 4217 currency code (e.g. USD, EUR).`);
  if (input.storeProductId !== undefined && !STORE_PRODUCT.test(input.storeProductId)) throw invalid('The store product id is not one.');
  const now = ctx.clock.now();
  const row: PackageRow = {
    id: newId('pkg', now.getTime()),
    code: input.code,
    credits: input.credits,
    priceMinor: input.priceMinor,
    currency,
    interval: input.interval ?? null,
    storeProductId: input.storeProductId ?? null,
    active: true,
    createdAt: now,
    updatedAt: now,
  };
  return transaction(ctx.db, async (tx) => {
    const [taken] = await tx
      .select({ code: creditPackages.code, storeProductId: creditPackages.storeProductId })
      .from(creditPackages)
      .where(
        row.storeProductId
          ? sql`${creditPackages.code} = ${row.code} or ${creditPackages.storeProductId} = ${row.storeProductId}`
          : eq(creditPackages.code, row.code),
      );
    if (taken?.code === row.code) {
      throw new DomainError(
        'CONFLICT',
        `A package with the code ${row.code} exists: packages are never edited (payments name them); add one with a new code.`,
      );
    }
    if (taken) throw new DomainError('CONFLICT', `The store product ${row.storeProductId} already buys the package ${taken.code}.`);
    await tx.insert(creditPackages).values(row);
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'system',
      action: 'packages.add',
      details: {
        code: row.code,
        credits: row.credits,
        priceMinor: row.priceMinor,
        currency,
        interval: row.interval,
        ...(row.storeProductId ? { storeProductId: row.storeProductId } : {}),
        ...(reason ? { reason } : {}),
      },
      occurredAt: now,
    });
    return row;
  });
}

/**
 * Stop selling a package (payments already made keep it). Audited, with the reason when there is one;
 * disabling a disabled one changes nothing.
 */
export async function disablePackage(ctx: Ctx, code: string, reason?: string): Promise<{ disabled: boolean }> {
  const now = ctx.clock.now();
  return transaction(ctx.db, async (tx) => {
    const [row] = await tx.select().from(creditPackages).where(eq(creditPackages.code, code));
    if (!row) throw new DomainError('NOT_FOUND', `No package with the code ${code}.`);
    if (!row.active) return { disabled: false };
    await tx.update(creditPackages).set({ active: false, updatedAt: now }).where(eq(creditPackages.id, row.id));
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'system',
      action: 'packages.disable',
      details: { code, ...(reason ? { reason } : {}) },
      occurredAt: now,
    });
    return { disabled: true };
  });
}

/** Packages, one-off packs first, then plans, each by price. */
export async function listPackages(db: Executor, options: { activeOnly: boolean }): Promise<PackageRow[]> {
  return db
    .select()
    .from(creditPackages)
    .where(options.activeOnly ? eq(creditPackages.active, true) : undefined)
    .orderBy(sql`${creditPackages.interval} nulls first`, asc(creditPackages.priceMinor), asc(creditPackages.code));
}

/** A package as staff see it: the row and how many payments for it were paid (refunded ones included). */
export type StaffPackageRow = PackageRow & { sold: number };

/** Every package, on sale or disabled, in `listPackages`' order, with how many were sold (the console's Packages page). */
export async function listPackagesForStaff(db: Executor): Promise<StaffPackageRow[]> {
  const [rows, sold] = await Promise.all([
    listPackages(db, { activeOnly: false }),
    db
      .select({ packageId: payments.packageId, sold: sql<number>`count(*)::int` })
      .from(payments)
      .where(isNotNull(payments.paidAt))
      .groupBy(payments.packageId),
  ]);
  const soldBy = new Map(sold.map((row) => [row.packageId, Number(row.sold)]));
  return rows.map((row) => ({ ...row, sold: soldBy.get(row.id) ?? 0 }));
}

/** A package on sale, by its code; UNKNOWN_PACKAGE otherwise. */
export async function packageOnSale(db: Executor, code: string): Promise<PackageRow> {
  const [row] = await db
    .select()
    .from(creditPackages)
    .where(and(eq(creditPackages.code, code), eq(creditPackages.active, true)));
  if (!row) throw new DomainError('UNKNOWN_PACKAGE', `No package ${code} is on sale: GET /api/v1/packages lists them.`);
  return row;
}

export const toPackageView = (row: PackageRow): CreditPackageView => ({
  code: row.code,
  credits: row.credits,
  price: row.priceMinor,
  currency: row.currency,
  interval: row.interval,
  storeProduct: row.storeProductId,
});

const invalid = (message: string) => new DomainError('VALIDATION_FAILED', message);
