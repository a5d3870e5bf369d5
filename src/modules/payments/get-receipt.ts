import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { bitcoinPayments, bitcoinTransactions } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { formatBtc } from '../../payment-clients/blockonomics/index.ts';
import type { Ctx } from '../context.ts';
import { getPayment } from './find-payments.ts';
import type { PaymentReceiptView } from './schemas.ts';

/**
 * The receipt of one of a customer's payments, once it was paid (CONFLICT before: nothing was bought
 * yet). Built from the payment row as it stands, so a later refund shows on it; it names the operator
 * (OPERATOR_NAME, OPERATOR_CONTACT) and the account by its id — never an e-mail address or card data,
 * which otpbox does not hold (P8).
 */
export async function getReceipt(ctx: Pick<Ctx, 'db' | 'config'>, accountId: string, paymentId: string): Promise<PaymentReceiptView> {
  const payment = await getPayment(ctx.db, accountId, paymentId);
  if (!payment.paidAt) {
    throw new DomainError('CONFLICT', `Payment ${payment.id} is ${payment.status}: a receipt exists once it is paid.`);
  }
  const bitcoin = payment.method === 'bitcoin' ? await bitcoinOf(ctx.db, payment.id) : null;
  return {
    number: payment.id,
    issuedAt: payment.paidAt,
    seller: { name: ctx.config.operatorName, contact: ctx.config.operatorContact ?? null, website: ctx.config.publicUrl },
    customer: payment.accountId,
    description: `${payment.credits} credits (${payment.packageCode})`,
    package: payment.packageCode,
    credits: payment.credits,
    amount: payment.amountMinor,
    currency: payment.currency,
    method: payment.method,
    status: payment.status,
    reference: payment.processorPaymentRef ?? payment.processorRef,
    refunded: payment.refundedMinor,
    refundedAt: payment.refundedAt,
    bitcoin,
  };
}

/** The address and, per transaction, the amount at its highest status reported (what paid it). */
async function bitcoinOf(db: Executor, paymentId: string): Promise<PaymentReceiptView['bitcoin']> {
  const [quote] = await db
    .select({ address: bitcoinPayments.address })
    .from(bitcoinPayments)
    .where(eq(bitcoinPayments.paymentId, paymentId));
  if (!quote) return null;
  const rows = await db
    .select({ txid: bitcoinTransactions.txid, status: bitcoinTransactions.status, satoshis: bitcoinTransactions.satoshis })
    .from(bitcoinTransactions)
    .where(and(eq(bitcoinTransactions.paymentId, paymentId)))
    .orderBy(asc(bitcoinTransactions.firstSeenAt), asc(bitcoinTransactions.txid), asc(bitcoinTransactions.status));
  const latest = new Map<string, number>();
  for (const row of rows) latest.set(row.txid, row.satoshis);
  return { address: quote.address, transactions: [...latest].map(([txid, satoshis]) => ({ txid, btc: formatBtc(satoshis) })) };
}
