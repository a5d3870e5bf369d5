import { createHash } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { auditLog, bitcoinPayments, bitcoinTransactions, creditPackages, payments } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import {
  type BlockonomicsCallback,
  type BlockonomicsFailure,
  bitcoinPaymentUri,
  type Confirmations,
  type Decimal,
  decideBitcoinPayment,
  formatBtc,
  quoteBitcoin,
} from '../../payment-clients/blockonomics/index.ts';
import type { Ctx } from '../context.ts';
import { creditPurchase } from '../ledger/index.ts';
import { accountErased, announcePaymentChange, lockPayment, markPaymentFailed } from './apply-fact.ts';
import { createPayment } from './create-payment.ts';
import type { PaymentDeps } from './deps.ts';
import { packageOnSale } from './packages.ts';
import { reconcileRestriction } from './restriction.ts';
import { type PaymentStatus, statusOf } from './states.ts';
import { factsOf, type PaymentWithPackage } from './view.ts';

export interface BitcoinCheckoutInput {
  accountId: string;
  packageCode: string;
  /** The request's `Idempotency-Key`: a repeat answers with the same payment, address and amount. */
  idempotencyKey?: string;
}

/** The contract's answer to `{package, method: "bitcoin"}`, and whether it repeats an earlier one. */
export interface BitcoinCheckoutAnswer {
  paymentId: string;
  status: PaymentStatus;
  address: string;
  /** Eight decimals: `"0.00015385"`. */
  amountBtc: string;
  /** BIP 21, for the QR code. */
  uri: string;
  expiresAt: Date;
  replayed: boolean;
}

type Quote = typeof bitcoinPayments.$inferSelect;

/**
 * Start paying for a one-off package in bitcoin: a payment row (claiming the Idempotency-Key), the
 * package priced in BTC at Blockonomics' price of this moment (read first, so a price that cannot be
 * read wastes no address), a fresh receiving address, and the quote stored with the payment: the
 * address becomes the payment's processor reference, the BIP 21 URI its checkout URL. The callback
 * (`acceptBitcoinCallback`) credits what arrives at the address.
 */
export async function startBitcoinCheckout(ctx: Ctx, deps: PaymentDeps, input: BitcoinCheckoutInput): Promise<BitcoinCheckoutAnswer> {
  const blockonomics = deps.bitcoin;
  if (!blockonomics) {
    throw new DomainError('PAYMENT_METHOD_UNAVAILABLE', 'Bitcoin payments are not available on this service.', { method: 'bitcoin' });
  }
  const pkg = await packageOnSale(ctx.db, input.packageCode);
  if (pkg.interval) {
    throw new DomainError(
      'PAYMENT_METHOD_UNAVAILABLE',
      `The package ${pkg.code} is a plan that renews every ${pkg.interval}; bitcoin pays for one-off packs only. Pay for plans by card.`,
      { method: 'bitcoin' },
    );
  }
  const idempotency = input.idempotencyKey
    ? {
        key: input.idempotencyKey,
        requestHash: createHash('sha256')
          .update(JSON.stringify([pkg.code, 'bitcoin']))
          .digest('hex'),
      }
    : undefined;
  const { payment, created } = await createPayment(ctx, {
    customerCheckout: true,
    accountId: input.accountId,
    pkg,
    method: 'bitcoin',
    processor: 'blockonomics',
    idempotency,
  });
  if (!created) {
    const quoted = await quoteOf(ctx.db, payment.id);
    if (quoted) return answer(payment, quoted, true);
  }

  const refuse = async (failure: BlockonomicsFailure): Promise<never> => {
    ctx.log.error({ failure, paymentId: payment.id }, 'Blockonomics could not quote a bitcoin payment');
    // Without a key nobody can resume this payment: it failed. With one, a retry asks again.
    if (!idempotency) await markPaymentFailed(ctx, payment.id, 'no bitcoin address could be made');
    if (failure.kind === 'unsupported_currency') {
      throw new DomainError('PAYMENT_METHOD_UNAVAILABLE', `Bitcoin cannot pay for packages priced in ${pkg.currency} here.`, {
        method: 'bitcoin',
      });
    }
    throw new DomainError(
      'PAYMENT_PROCESSOR_UNAVAILABLE',
      'No bitcoin address could be made; nothing was charged. Try again in a moment.',
      {
        retryAfterSeconds: failure.retryAfterMs ? Math.ceil(failure.retryAfterMs / 1000) : 30,
      },
    );
  };
  const price = await blockonomics.priceOf(pkg.currency);
  if (!price.ok) return refuse(price.failure);
  const address = await blockonomics.newAddress();
  if (!address.ok) return refuse(address.failure);
  const quote = quoteBitcoin({
    address: address.value.address,
    amountMinor: pkg.priceMinor,
    currency: pkg.currency,
    pricePerBtc: price.value.perBtc,
    clock: ctx.clock,
  });
  const now = ctx.clock.now();
  const row: Quote = {
    paymentId: payment.id,
    address: quote.address,
    expectedSatoshis: quote.satoshis,
    quotedPrice: decimalText(price.value.perBtc),
    expiresAt: quote.expiresAt,
    creditedCredits: 0,
    note: null,
    createdAt: now,
    updatedAt: now,
  };
  const [taken] = await ctx.db
    .select({ paymentId: bitcoinPayments.paymentId })
    .from(bitcoinPayments)
    .where(eq(bitcoinPayments.address, quote.address));
  if (taken && taken.paymentId !== payment.id) {
    // Two payments on one address could not be told apart: Blockonomics must hand out a fresh one each time.
    return refuse({
      kind: 'rejected',
      message: `Blockonomics new_address answered ${quote.address}, already the address of payment ${taken.paymentId} (is its reset option on?)`,
    });
  }
  return transaction(ctx.db, async (tx) => {
    const inserted = await tx.insert(bitcoinPayments).values(row).onConflictDoNothing({ target: bitcoinPayments.paymentId }).returning();
    // A retry of the same key got here first: its quote is the payment's (this address stays unused).
    const kept = inserted[0] ?? (await quoteOf(tx, payment.id));
    if (!kept) throw new Error(`payment ${payment.id}: its bitcoin quote was neither stored nor found`);
    const [current] = await tx.select({ status: payments.status }).from(payments).where(eq(payments.id, payment.id));
    const answered = answer({ ...payment, status: current?.status ?? payment.status }, kept, !inserted[0]);
    if (inserted[0]) {
      await tx
        .update(payments)
        .set({ processorRef: kept.address, checkoutUrl: answered.uri, updatedAt: now })
        .where(and(eq(payments.id, payment.id), isNull(payments.processorRef)));
    }
    return answered;
  });
}

async function quoteOf(db: Executor, paymentId: string): Promise<Quote | undefined> {
  const [row] = await db.select().from(bitcoinPayments).where(eq(bitcoinPayments.paymentId, paymentId));
  return row;
}

function answer(
  payment: Pick<PaymentWithPackage, 'id' | 'status' | 'packageCode'>,
  quote: Quote,
  replayed: boolean,
): BitcoinCheckoutAnswer {
  return {
    paymentId: payment.id,
    status: payment.status,
    address: quote.address,
    amountBtc: formatBtc(quote.expectedSatoshis),
    uri: bitcoinPaymentUri({ address: quote.address, satoshis: quote.expectedSatoshis, message: `${payment.packageCode} (${payment.id})` }),
    expiresAt: quote.expiresAt,
    replayed,
  };
}

/** `{units: 650005n, scale: 1}` → `"65000.5"`: the price as quoted, for the record. */
function decimalText({ units, scale }: Decimal): string {
  if (scale === 0) return String(units);
  const unit = 10n ** BigInt(scale);
  return `${units / unit}.${String(units % unit).padStart(scale, '0')}`;
}

export type BitcoinCallbackOutcome =
  /** No payment has this address (another store on the same wallet, or a stray callback). */
  { kind: 'unknown_address' } | { kind: 'recorded'; paymentId: string; status: PaymentStatus; creditsMoved: number; changed: boolean };

/**
 * One Blockonomics callback, in one transaction: the payment of the address locked, the reported
 * transaction recorded (once per txid and status), and the payment decided again from every
 * transaction recorded for it (`decideBitcoinPayment`, cumulative). What is due beyond what was
 * credited is credited under a ledger key made of the payment and the running total, so a replay —
 * or two deliveries at once, which wait for each other on the payment's row — credits nothing more,
 * and two half payments credit the package once. An underpayment credits in proportion; the
 * decision's words become the payment's note and the statement line's reason. A quote that expired
 * still credits what arrived, at the quoted price: money received is never lost.
 */
export async function acceptBitcoinCallback(
  ctx: Ctx,
  callback: BlockonomicsCallback,
  confirmations: Confirmations,
): Promise<BitcoinCallbackOutcome> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = { ...ctx, db: tx };
    const now = ctx.clock.now();
    const [owner] = await tx
      .select({ paymentId: bitcoinPayments.paymentId })
      .from(bitcoinPayments)
      .where(eq(bitcoinPayments.address, callback.address));
    if (!owner) return { kind: 'unknown_address' as const };
    const row = await lockPayment(tx, owner.paymentId);
    const quote = await quoteOf(tx, row.id);
    if (!quote) throw new Error(`payment ${row.id}: its bitcoin quote disappeared`);

    // Recorded once per (txid, status); a repeat changes nothing unless it lowers the amount or adds rbf (the cautious reading).
    const recorded = await tx
      .insert(bitcoinTransactions)
      .values({
        paymentId: row.id,
        txid: callback.txid,
        status: callback.status,
        satoshis: callback.satoshis,
        rbf: callback.rbf,
        firstSeenAt: now,
        lastSeenAt: now,
      })
      .onConflictDoUpdate({
        target: [bitcoinTransactions.paymentId, bitcoinTransactions.txid, bitcoinTransactions.status],
        set: {
          satoshis: sql`least(${bitcoinTransactions.satoshis}, excluded.satoshis)`,
          rbf: sql`${bitcoinTransactions.rbf} or excluded.rbf`,
          lastSeenAt: now,
        },
        setWhere: sql`${bitcoinTransactions.satoshis} > excluded.satoshis or (excluded.rbf and not ${bitcoinTransactions.rbf})`,
      })
      .returning({ txid: bitcoinTransactions.txid });
    if (recorded.length === 0) return { kind: 'recorded' as const, paymentId: row.id, status: row.status, creditsMoved: 0, changed: false };

    const transactions = await tx
      .select({
        txid: bitcoinTransactions.txid,
        status: bitcoinTransactions.status,
        satoshis: bitcoinTransactions.satoshis,
        rbf: bitcoinTransactions.rbf,
      })
      .from(bitcoinTransactions)
      .where(eq(bitcoinTransactions.paymentId, row.id));
    const [pkg] = await tx.select({ credits: creditPackages.credits }).from(creditPackages).where(eq(creditPackages.id, row.packageId));
    if (!pkg) throw new Error(`payment ${row.id}: its package is missing`);
    const decision = decideBitcoinPayment({
      expectedSatoshis: quote.expectedSatoshis,
      packageCredits: pkg.credits,
      confirmations,
      transactions: transactions.map((t) => ({ ...t, status: t.status as BlockonomicsCallback['status'] })),
      creditedSoFar: quote.creditedCredits,
    });
    const late =
      now > quote.expiresAt && decision.kind === 'credit'
        ? ` Paid after the quote expired (${quote.expiresAt.toISOString()}): credited at the quoted price.`
        : '';
    let note = decision.reason + late;

    let moved = 0;
    let credited = quote.creditedCredits;
    // Money for an erased account (ADR 27) credits nobody: recorded, and left for the operator to return.
    const erased = decision.kind === 'credit' && (await accountErased(tx, row.accountId));
    if (erased) {
      note = `${decision.reason} The account was erased before the money arrived: nothing was credited; return it to the payer.`;
      ctx.log.warn(
        { paymentId: row.id, txid: callback.txid },
        'bitcoin arrived for a payment whose account was erased: nothing was credited; return it to the payer by hand',
      );
    }
    if (decision.kind === 'credit' && !erased) {
      const credit = await creditPurchase(txCtx, {
        accountId: row.accountId,
        amount: decision.credits,
        // The running total makes the key: each step up credits once, however often it is decided.
        idempotencyKey: `payment:blockonomics:${row.id}:${decision.totalCredits}`,
        reason: `Bought ${decision.credits} credits (${row.packageCode}, payment ${row.id}): ${note}`,
        metadata: { paymentId: row.id, txid: callback.txid },
      });
      if (!credit.replayed) moved = decision.credits;
      credited = decision.totalCredits;
    }

    const facts = { ...factsOf(row), pending: true, paid: row.paidAt !== null || credited > 0 };
    const status = statusOf(facts, row.amountMinor);
    const updated: PaymentWithPackage = {
      ...row,
      status,
      // What the payment gives: the package's credits until money is counted, then what it bought.
      credits: credited > 0 ? credited : row.credits,
      pendingAt: row.pendingAt ?? now,
      paidAt: row.paidAt ?? (facts.paid ? now : null),
      updatedAt: now,
    };
    await tx
      .update(payments)
      .set({ status, credits: updated.credits, pendingAt: updated.pendingAt, paidAt: updated.paidAt, updatedAt: now })
      .where(eq(payments.id, row.id));
    await tx.update(bitcoinPayments).set({ creditedCredits: credited, note, updatedAt: now }).where(eq(bitcoinPayments.paymentId, row.id));
    if (moved !== 0) await reconcileRestriction(txCtx, row.accountId, `payment ${row.id}: bitcoin received`, { disputeOpened: false });
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'system',
      action: 'payment.bitcoin',
      accountId: row.accountId,
      details: {
        paymentId: row.id,
        txid: callback.txid,
        callbackStatus: callback.status,
        satoshis: callback.satoshis,
        decision: decision.kind,
        status,
        creditsMoved: moved,
        ...(erased ? { accountErased: true } : {}),
      },
      occurredAt: now,
    });
    if (!erased) await announcePaymentChange(tx, row, updated, moved, now);
    return { kind: 'recorded' as const, paymentId: row.id, status, creditsMoved: moved, changed: true };
  });
}
