import { and, desc, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema/index.ts';
import { listSecurityEvents, listSessions, type SecurityEventView, type SessionView } from '../accounts/index.ts';
import { listActivations } from '../activations/index.ts';
import type { Ctx } from '../context.ts';
import { readAccountKey } from '../keyring/index.ts';
import { balancesOf, listStatement, type StatementLineView, type WalletBalance } from '../ledger/index.ts';
import { listPayments, type PaymentView, toPaymentView } from '../payments/index.ts';
import { listRentals, maskNumber, summariesOf } from '../rentals/index.ts';
import type { StaffActionRecordView, StaffOrderView, StaffRentalView } from './schemas.ts';

/** How many of each an account's page shows (the newest). */
export const ACTIVITY_LIMIT = 50;

export interface AccountActivity {
  balance: { available: number; held: number; demo: { available: number; held: number } };
  statement: StatementLineView[];
  orders: StaffOrderView[];
  rentals: StaffRentalView[];
  payments: PaymentView[];
  sessions: SessionView[];
  securityEvents: SecurityEventView[];
  staffActions: StaffActionRecordView[];
}

const purse = (balance: WalletBalance) => ({ available: balance.available, held: balance.held });

/**
 * Everything an account's page in the console shows, newest first: balance and statement, orders
 * (the rented number opened, no SMS text), rentals (the number masked, no SMS text), payments, live sessions, security events, and what staff
 * did on it. The caller logs the read (privacy: the staff access log) before it answers.
 */
export async function accountActivity(ctx: Ctx, accountId: string): Promise<AccountActivity> {
  const [balances, statement, orderRows, rentalRows, paymentRows, sessions, securityEvents, actions] = await Promise.all([
    balancesOf(ctx.db, accountId),
    listStatement(ctx, accountId, { limit: ACTIVITY_LIMIT }),
    listActivations(ctx.db, { accountId, limit: ACTIVITY_LIMIT }),
    listRentals(ctx.db, accountId, { limit: ACTIVITY_LIMIT }),
    listPayments(ctx.db, { accountId, limit: ACTIVITY_LIMIT }),
    listSessions(ctx, accountId, undefined),
    listSecurityEvents(ctx, accountId, { limit: ACTIVITY_LIMIT }),
    ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.accountId, accountId)))
      .orderBy(desc(auditLog.id))
      .limit(ACTIVITY_LIMIT),
  ]);
  const rentals = await summariesOf(ctx, accountId, rentalRows.slice(0, ACTIVITY_LIMIT));
  const key = orderRows.some((row) => row.phone !== null) ? await readAccountKey(ctx, accountId) : undefined;
  return {
    balance: { ...purse(balances.credits), demo: purse(balances.demo) },
    statement,
    orders: orderRows.map((row) => ({
      id: row.id,
      service: row.service,
      country: row.country,
      provider: row.provider,
      phone: row.phone !== null && key ? key.open('activations.phone', row.id, row.phone) : null,
      status: row.status,
      price: row.price,
      failureReason: row.failureReason,
      createdAt: row.createdAt,
      endedAt: row.endedAt,
    })),
    rentals: rentals.map((rental) => ({
      id: rental.id,
      number: rental.number === null ? null : maskNumber(rental.number),
      country: rental.country,
      status: rental.status,
      pricePerDay: rental.pricePerDay,
      startedAt: rental.startedAt,
      endsAt: rental.endsAt,
      endedAt: rental.endedAt,
      smsCount: rental.smsCount,
    })),
    payments: paymentRows.slice(0, ACTIVITY_LIMIT).map(toPaymentView),
    sessions,
    securityEvents,
    staffActions: actions.map((row) => ({
      id: row.id,
      actor: row.actor,
      action: row.action,
      reason: typeof row.details?.reason === 'string' ? row.details.reason : null,
      details: row.details ?? null,
      at: row.occurredAt,
    })),
  };
}
