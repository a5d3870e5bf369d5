import type { creditPackages, payments } from '../../db/schema/index.ts';
import type { PaymentView } from './schemas.ts';
import { NO_FACTS, type PaymentFacts } from './states.ts';

export type PaymentRow = typeof payments.$inferSelect;
export type PackageRow = typeof creditPackages.$inferSelect;
/** A payment with the code of its package, as views show it. */
export type PaymentWithPackage = PaymentRow & { packageCode: string };

export function toPaymentView(row: PaymentWithPackage): PaymentView {
  return {
    id: row.id,
    status: row.status,
    method: row.method,
    package: row.packageCode,
    credits: row.credits,
    amount: row.amountMinor,
    currency: row.currency,
    createdAt: row.createdAt,
    paidAt: row.paidAt,
    refunded: row.refundedMinor,
    failureReason: row.failureReason,
    receipt: row.paidAt ? `/api/v1/payments/${row.id}/receipt` : null,
  };
}

/** The facts a payment row keeps (see states.ts). */
export function factsOf(row: PaymentRow): PaymentFacts {
  return {
    ...NO_FACTS,
    pending: row.pendingAt !== null,
    paid: row.paidAt !== null,
    failed: row.failedAt !== null,
    refundedMinor: row.refundedMinor,
    dispute: row.disputeStatus,
  };
}
