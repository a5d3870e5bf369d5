import { and, asc, eq, getTableColumns, gt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts, creditPackages, type PaymentMethod, type PaymentProcessor, payments } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import type { PackageRow, PaymentRow, PaymentWithPackage } from './view.ts';

export interface NewPayment {
  accountId: string;
  pkg: PackageRow;
  method: PaymentMethod;
  processor: PaymentProcessor;
  /** Known at once for payments the processor started (a renewal's invoice); else set when the processor answers. */
  processorRef?: string;
  subscriptionId?: string;
  /** The customer's `Idempotency-Key` and a hash of its request: a repeat finds this payment. */
  idempotency?: { key: string; requestHash: string };
  /** The amount actually charged when the processor decided it (a renewal); the package's price otherwise. */
  amountMinor?: number;
  /** The currency it was charged in, when the processor decided it; the package's otherwise. */
  currency?: string;
  /**
   * A checkout the customer starts (card, bitcoin), not one the processor made: at most
   * `OPEN_CHECKOUTS.max` of the account's payments may be unfinished (`created`, younger than a card
   * page lives), each being a page or an address at the processor.
   */
  customerCheckout?: boolean;
}

/**
 * How many checkouts a customer may leave unfinished at once (an outside probe opened 81 Stripe pages
 * for one account in seconds; each bitcoin one takes an address from Blockonomics). A page expires within
 * a day, a bitcoin quote sooner: older ones no longer count.
 */
export const OPEN_CHECKOUTS = { max: 10, withinMs: 24 * 60 * 60_000 } as const;

/**
 * A payment row, `created`, for a package at its price. Under an idempotency key, the key is claimed
 * by the insert: a payment already holding it is returned instead (`created: false`), or refused when
 * it came with another request.
 */
export async function createPayment(ctx: Ctx, input: NewPayment): Promise<{ payment: PaymentWithPackage; created: boolean }> {
  if (!input.customerCheckout) return insertPayment(ctx, input);
  // One checkout of an account at a time, its account row locked: the count and the insert agree.
  return transaction(ctx.db, async (tx) => {
    await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, input.accountId)).for('update');
    const retry = input.idempotency
      ? await paymentWhere(tx, and(eq(payments.accountId, input.accountId), eq(payments.idempotencyKey, input.idempotency.key)))
      : undefined;
    if (!retry) await refuseTooManyOpen(withDb(ctx, tx), input.accountId);
    return insertPayment(withDb(ctx, tx), input);
  });
}

async function refuseTooManyOpen(ctx: Ctx, accountId: string): Promise<void> {
  const now = ctx.clock.now().getTime();
  const open = await ctx.db
    .select({ createdAt: payments.createdAt })
    .from(payments)
    .where(
      and(
        eq(payments.accountId, accountId),
        eq(payments.status, 'created'),
        gt(payments.createdAt, new Date(now - OPEN_CHECKOUTS.withinMs)),
      ),
    )
    .orderBy(asc(payments.createdAt))
    .limit(OPEN_CHECKOUTS.max);
  if (open.length < OPEN_CHECKOUTS.max) return;
  const oldest = open[0]?.createdAt.getTime() ?? now;
  throw new DomainError(
    'TOO_MANY_ACTIVE',
    `You have ${OPEN_CHECKOUTS.max} unfinished payments: finish one of them (Payments), or start a new one once the oldest has expired.`,
    { retryAfterSeconds: Math.max(1, Math.ceil((oldest + OPEN_CHECKOUTS.withinMs - now) / 1000)) },
  );
}

async function insertPayment(ctx: Ctx, input: NewPayment): Promise<{ payment: PaymentWithPackage; created: boolean }> {
  const now = ctx.clock.now();
  const row: PaymentRow = {
    id: newId('pay', now.getTime()),
    accountId: input.accountId,
    packageId: input.pkg.id,
    method: input.method,
    processor: input.processor,
    status: 'created',
    credits: input.pkg.credits,
    amountMinor: input.amountMinor ?? input.pkg.priceMinor,
    currency: input.currency ?? input.pkg.currency,
    processorRef: input.processorRef ?? null,
    processorPaymentRef: null,
    subscriptionId: input.subscriptionId ?? null,
    checkoutUrl: null,
    idempotencyKey: input.idempotency?.key ?? null,
    requestHash: input.idempotency?.requestHash ?? null,
    pendingAt: null,
    paidAt: null,
    failedAt: null,
    failureReason: null,
    refundedMinor: 0,
    refundedAt: null,
    disputeStatus: 'none',
    disputedAt: null,
    creditsReversed: 0,
    checkedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const inserted = await ctx.db.insert(payments).values(row).onConflictDoNothing().returning({ id: payments.id });
  if (inserted.length === 1) return { payment: { ...row, packageCode: input.pkg.code }, created: true };
  // Taken: a renewal someone recorded first, or a checkout this key started (the same request, by its hash).
  const existing = input.idempotency
    ? await paymentWhere(ctx.db, and(eq(payments.accountId, input.accountId), eq(payments.idempotencyKey, input.idempotency.key)))
    : input.processorRef
      ? await paymentWhere(ctx.db, and(eq(payments.processor, input.processor), eq(payments.processorRef, input.processorRef)))
      : undefined;
  if (!existing) throw new Error(`payment ${row.id} was not inserted, and no payment holds its key or reference`);
  if (input.idempotency && existing.requestHash !== input.idempotency.requestHash) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request body. Use a new key for a new payment.',
    );
  }
  return { payment: existing, created: false };
}

async function paymentWhere(db: Executor, where: SQL | undefined): Promise<PaymentWithPackage | undefined> {
  const [row] = await db
    .select({ ...getTableColumns(payments), packageCode: creditPackages.code })
    .from(payments)
    .innerJoin(creditPackages, eq(creditPackages.id, payments.packageId))
    .where(where);
  return row;
}
