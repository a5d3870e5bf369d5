import type { Executor } from '../../db/client.ts';
import { rowMapper } from '../../db/client.ts';
import { runStatement } from '../../db/raw-driver.ts';
import { type PaymentProcessor, payments } from '../../db/schema/index.ts';
import { params, raw, sql, statement } from '../../db/statement.ts';
import type { PaymentWithPackage } from './view.ts';

/**
 * The statements of the webhook's path (ADR 12: constant texts, prepared once per connection on
 * PostgreSQL): an event's id seen and claimed, a payment read by a processor's reference or locked,
 * and a fact's row written with its audit row in one statement. Their final text is committed in
 * src/db/queries/payments.sql (`npm run sql:snapshots`).
 */

const fromDriver = rowMapper(payments);
const withPackage = (row: Record<string, unknown>): PaymentWithPackage => ({ ...fromDriver(row), packageCode: String(row.package_code) });

const e = params({ processor: 'text', eventId: 'text', type: 'text', paymentId: 'text', now: 'timestamptz' });
const SEEN = statement(
  'otpbox_payments_event_seen_v1',
  sql`select 1 as seen from processed_webhook_events where processor = ${e.processor} and event_id = ${e.eventId}`,
);
const CLAIM = statement(
  'otpbox_payments_claim_event_v1',
  sql`insert into processed_webhook_events (processor, event_id, type, payment_id, received_at)
  values (${e.processor}, ${e.eventId}, ${e.type}, ${e.paymentId}, ${e.now})
  on conflict do nothing
  returning event_id`,
);

const PAYMENT = 'select p.*, k.code as package_code from payments p join credit_packages k on k.id = p.package_id';
const f = params({ id: 'text', processor: 'text', ref: 'text' });
const LOCK = statement('otpbox_payments_lock_v1', sql`${raw(PAYMENT)} where p.id = ${f.id} for update of p`);
const BY_REF = statement(
  'otpbox_payments_by_ref_v1',
  sql`${raw(PAYMENT)} where p.processor = ${f.processor} and p.processor_ref = ${f.ref}`,
);
const BY_PAYMENT_REF = statement(
  'otpbox_payments_by_payment_ref_v1',
  sql`${raw(PAYMENT)} where p.processor = ${f.processor} and p.processor_payment_ref = ${f.ref}`,
);

const r = params({
  id: 'text',
  status: 'text',
  processorPaymentRef: 'text',
  subscriptionId: 'text',
  pendingAt: 'timestamptz',
  paidAt: 'timestamptz',
  failedAt: 'timestamptz',
  failureReason: 'text',
  refundedMinor: 'bigint',
  refundedAt: 'timestamptz',
  disputeStatus: 'text',
  disputedAt: 'timestamptz',
  creditsReversed: 'bigint',
  now: 'timestamptz',
  auditId: 'text',
  actor: 'text',
  action: 'text',
  details: 'jsonb',
});
const RECORD = statement(
  'otpbox_payments_record_fact_v1',
  sql`with upd as (
    update payments set status = ${r.status}, processor_payment_ref = ${r.processorPaymentRef}, subscription_id = ${r.subscriptionId},
      pending_at = ${r.pendingAt}, paid_at = ${r.paidAt}, failed_at = ${r.failedAt}, failure_reason = ${r.failureReason},
      refunded_minor = ${r.refundedMinor}, refunded_at = ${r.refundedAt}, dispute_status = ${r.disputeStatus},
      disputed_at = ${r.disputedAt}, credits_reversed = ${r.creditsReversed}, updated_at = ${r.now}
    where id = ${r.id}
    returning account_id
  ),
  aud as (
    insert into audit_log (id, actor, action, account_id, details, occurred_at)
    select ${r.auditId}, ${r.actor}, ${r.action}, account_id, ${r.details}, ${r.now} from upd
    returning 1
  )
  select (select count(*) from aud) as audited`,
);

/** The statements of this file, for their snapshot (src/db/queries/payments.sql). */
export const PAYMENT_STATEMENTS = [SEEN, CLAIM, LOCK, BY_REF, BY_PAYMENT_REF, RECORD];

export async function eventSeen(db: Executor, processor: PaymentProcessor, eventId: string): Promise<boolean> {
  return (await runStatement(db, SEEN, { processor, eventId })).length > 0;
}

/** Claim an event id (in the transaction that handles it): false when it was claimed before, or is being now (this waits for that one). */
export async function claimEvent(
  db: Executor,
  event: { processor: PaymentProcessor; eventId: string; type: string; paymentId: string | null; now: Date },
): Promise<boolean> {
  const rows = await runStatement(db, CLAIM, { ...event, now: event.now.toISOString() });
  return rows.length === 1;
}

export async function lockPaymentRow(db: Executor, id: string): Promise<PaymentWithPackage | undefined> {
  const [row] = await runStatement(db, LOCK, { id });
  return row ? withPackage(row) : undefined;
}

export async function paymentWithRef(db: Executor, processor: PaymentProcessor, ref: string): Promise<PaymentWithPackage | undefined> {
  const [row] = await runStatement(db, BY_REF, { processor, ref });
  return row ? withPackage(row) : undefined;
}

export async function paymentWithPaymentRef(
  db: Executor,
  processor: PaymentProcessor,
  ref: string,
): Promise<PaymentWithPackage | undefined> {
  const [row] = await runStatement(db, BY_PAYMENT_REF, { processor, ref });
  return row ? withPackage(row) : undefined;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Write a payment's facts and status, and its audit row, in one statement. */
export async function recordFact(
  db: Executor,
  row: PaymentWithPackage,
  audit: { id: string; actor: string; action: string; details: Record<string, unknown> },
): Promise<void> {
  await runStatement(db, RECORD, {
    id: row.id,
    status: row.status,
    processorPaymentRef: row.processorPaymentRef,
    subscriptionId: row.subscriptionId,
    pendingAt: iso(row.pendingAt),
    paidAt: iso(row.paidAt),
    failedAt: iso(row.failedAt),
    failureReason: row.failureReason,
    refundedMinor: row.refundedMinor,
    refundedAt: iso(row.refundedAt),
    disputeStatus: row.disputeStatus,
    disputedAt: iso(row.disputedAt),
    creditsReversed: row.creditsReversed,
    now: row.updatedAt.toISOString(),
    auditId: audit.id,
    actor: audit.actor,
    action: audit.action,
    details: JSON.stringify(audit.details),
  });
}
