import { and, desc, eq, getTableColumns, gte, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts, creditPackages, type PaymentProcessor, payments } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { readAccountKeys } from '../keyring/index.ts';
import type { PaymentRow, PaymentWithPackage } from './view.ts';

const withPackage = { ...getTableColumns(payments), packageCode: creditPackages.code };

async function first(db: Executor, where: SQL | undefined): Promise<PaymentWithPackage | undefined> {
  const [row] = await db
    .select(withPackage)
    .from(payments)
    .innerJoin(creditPackages, eq(creditPackages.id, payments.packageId))
    .where(where);
  return row;
}

/** One of a customer's payments; NOT_FOUND for another's (no existence leak). */
export async function getPayment(db: Executor, accountId: string, id: string): Promise<PaymentWithPackage> {
  const row = await first(db, and(eq(payments.id, id), eq(payments.accountId, accountId)));
  if (!row) throw new DomainError('NOT_FOUND', 'No such payment.');
  return row;
}

/** A customer's payments, newest first, `limit + 1` of them after the cursor (see http/paging.ts). */
export async function listPayments(
  db: Executor,
  query: { accountId: string; cursor?: string; limit: number },
): Promise<PaymentWithPackage[]> {
  return db
    .select(withPackage)
    .from(payments)
    .innerJoin(creditPackages, eq(creditPackages.id, payments.packageId))
    .where(and(eq(payments.accountId, query.accountId), query.cursor ? lt(payments.id, query.cursor) : undefined))
    .orderBy(desc(payments.id))
    .limit(query.limit + 1);
}

/**
 * Every payment, newest first, with its customer's e-mail (null for device accounts and erased ones:
 * the address is sealed under the account's key, ADR 28): the operator's list.
 */
export async function listAllPayments(ctx: Ctx, limit: number): Promise<(PaymentWithPackage & { email: string | null })[]> {
  const rows = await ctx.db
    .select({ ...withPackage, email: accounts.email })
    .from(payments)
    .innerJoin(creditPackages, eq(creditPackages.id, payments.packageId))
    .innerJoin(accounts, eq(accounts.id, payments.accountId))
    .orderBy(desc(payments.id))
    .limit(limit);
  const keys = await readAccountKeys(
    ctx,
    rows.filter((row) => row.email !== null).map((row) => row.accountId),
  );
  return rows.map((row) => ({
    ...row,
    email: row.email === null ? null : (keys.get(row.accountId)?.open('accounts.email', row.accountId, row.email) ?? null),
  }));
}

export const paymentById = (db: Executor, id: string) => first(db, eq(payments.id, id));

/** The payment a processor knows by this reference (its checkout or invoice id). */
export const paymentByRef = (db: Executor, processor: PaymentProcessor, ref: string) =>
  first(db, and(eq(payments.processor, processor), eq(payments.processorRef, ref)));

/** The payment whose money movement (PaymentIntent) this is. */
export const paymentByPaymentRef = (db: Executor, processor: PaymentProcessor, ref: string) =>
  first(db, and(eq(payments.processor, processor), eq(payments.processorPaymentRef, ref)));

/** What the operator's payment list can be narrowed to. */
export interface PaymentFilter {
  status?: PaymentRow['status'];
  method?: PaymentRow['method'];
  accountId?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
  /** Older than this payment id (paging, newest first). */
  cursor?: string;
  limit: number;
}

/**
 * The operator's payments, newest first, narrowed by status, method, customer and creation date,
 * `limit + 1` of them after the cursor (see http/paging.ts), each with its customer's e-mail (null for
 * device accounts and erased ones).
 */
export async function findPaymentsForStaff(ctx: Ctx, filter: PaymentFilter): Promise<(PaymentWithPackage & { email: string | null })[]> {
  const rows = await ctx.db
    .select({ ...withPackage, email: accounts.email })
    .from(payments)
    .innerJoin(creditPackages, eq(creditPackages.id, payments.packageId))
    .innerJoin(accounts, eq(accounts.id, payments.accountId))
    .where(
      and(
        filter.status ? eq(payments.status, filter.status) : undefined,
        filter.method ? eq(payments.method, filter.method) : undefined,
        filter.accountId ? eq(payments.accountId, filter.accountId) : undefined,
        filter.from ? gte(payments.createdAt, filter.from) : undefined,
        filter.to ? lt(payments.createdAt, filter.to) : undefined,
        filter.cursor ? lt(payments.id, filter.cursor) : undefined,
      ),
    )
    .orderBy(desc(payments.id))
    .limit(filter.limit + 1);
  return openEmails(ctx, rows);
}

/** One payment with its customer's e-mail, for staff; NOT_FOUND when there is none. */
export async function paymentForStaff(ctx: Ctx, id: string): Promise<PaymentWithPackage & { email: string | null }> {
  const rows = await ctx.db
    .select({ ...withPackage, email: accounts.email })
    .from(payments)
    .innerJoin(creditPackages, eq(creditPackages.id, payments.packageId))
    .innerJoin(accounts, eq(accounts.id, payments.accountId))
    .where(eq(payments.id, id));
  const [row] = await openEmails(ctx, rows);
  if (!row) throw new DomainError('NOT_FOUND', 'No such payment.');
  return row;
}

async function openEmails<T extends { accountId: string; email: string | null }>(ctx: Ctx, rows: T[]): Promise<T[]> {
  const keys = await readAccountKeys(
    ctx,
    rows.filter((row) => row.email !== null).map((row) => row.accountId),
  );
  return rows.map((row) => ({
    ...row,
    email: row.email === null ? null : (keys.get(row.accountId)?.open('accounts.email', row.accountId, row.email) ?? null),
  }));
}
