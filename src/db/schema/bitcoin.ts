import { sql } from 'drizzle-orm';
import { bigint, boolean, check, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { payments } from './payments.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** Satoshis and credits are integers. */
const whole = (name: string) => bigint(name, { mode: 'number' });

/**
 * The bitcoin side of a payment (Blockonomics): the receiving address handed out for it, what the
 * quote asked for, and what has been credited so far. Never a wallet key: Blockonomics derives the
 * addresses from the operator's public key, and the private keys stay in the operator's wallet.
 */
export const bitcoinPayments = pgTable(
  'bitcoin_payments',
  {
    paymentId: text('payment_id')
      .primaryKey()
      .references(() => payments.id),
    /** The receiving address Blockonomics handed out (`new_address`); its callbacks name it. */
    address: text('address').notNull(),
    /** What the quote asked for, in satoshis. */
    expectedSatoshis: whole('expected_satoshis').notNull(),
    /** The price of one bitcoin the quote used, in the package's currency, as Blockonomics quoted it (`65000.5`). */
    quotedPrice: text('quoted_price').notNull(),
    /** The end of the quote's window; money arriving later is still credited, at the quoted price. */
    expiresAt: ts('expires_at').notNull(),
    /** Credits given for this payment so far (the ledger's purchases keyed on it add up to this). */
    creditedCredits: whole('credited_credits').notNull().default(0),
    /** The last crediting decision in plain words (underpaid, overpaid, waiting for confirmations). */
    note: text('note'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('bitcoin_payments_address_key').on(t.address),
    check('bitcoin_payments_expected_positive', sql`${t.expectedSatoshis} > 0`),
    check('bitcoin_payments_credited_not_negative', sql`${t.creditedCredits} >= 0`),
  ],
);

/**
 * Every transaction Blockonomics reported for a payment's address, once per status it reached
 * (callbacks repeat, and rise from 0 to 2): the crediting decision is made again from all of them.
 */
export const bitcoinTransactions = pgTable(
  'bitcoin_transactions',
  {
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    /** Lower-case hex. */
    txid: text('txid').notNull(),
    /** Blockonomics' status: -1 broadcast, 0 unconfirmed, 1 one confirmation, 2 two or more. */
    status: integer('status').notNull(),
    /** What it paid to the address; at one status, the smallest amount reported. */
    satoshis: whole('satoshis').notNull(),
    /** Replace-by-fee was signalled at this status. */
    rbf: boolean('rbf').notNull().default(false),
    firstSeenAt: ts('first_seen_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.paymentId, t.txid, t.status] }),
    check('bitcoin_transactions_status_range', sql`${t.status} between -1 and 2`),
    check('bitcoin_transactions_satoshis_not_negative', sql`${t.satoshis} >= 0`),
  ],
);
