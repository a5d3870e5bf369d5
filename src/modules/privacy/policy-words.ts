import type { Config } from '../../config.ts';
import { DATA_MAP, type DataCategory, type LegalBasis, periodDays, type Retention, type TableEntry } from './data-map.ts';

/**
 * The data map in a customer's words: what each table holding personal data is (the words below),
 * and, walked from the map, on what basis we hold it, how long, and what deleting the account does
 * to it. A test fails when a table with personal data has no words here, so the published policy
 * never leaves a data class out.
 */

/** What a table holds, for the person it is about (one phrase, starting lower-case). */
export const TABLE_WORDS: Record<string, string> = {
  accounts: 'your account: its e-mail address and password (stored only as an argon2id hash) when you have one, its role and status',
  devices:
    'for an app account, an identifier of your device (kept only as a keyed hash, never in clear) and, for support, its operating system and version, model and app version',
  sessions: 'your sign-in sessions, with the browser or app they belong to and the network part of your IP address',
  api_keys: 'the API keys you created (their names and when they were last used; the key itself only as a hash)',
  consents: 'your confirmation of the minimum age and the versions of this policy you accepted',
  auth_tokens: 'single-use links for verifying your e-mail address or resetting your password',
  auth_throttles: 'counts of failed sign-ins per account and network (against password guessing)',
  rate_limit_counters:
    'counts of requests per account, API key and network in the current minute or hour (rate limits; the account, key or address only as a keyed hash, deleted when the period ends)',
  security_events:
    'security events: sign-ins, password and key changes and the like, with the network part of your IP address, a keyed hash of it and your browser’s user agent',
  email_outbox: 'the e-mail we send you (verification, password reset, a note that support answered you), until it is delivered',
  ledger_accounts: 'your credit balance',
  ledger_transfers: 'every movement of your credits: purchases, reservations for orders, charges and refunds',
  ledger_entries: 'the lines of your credit statement',
  audit_log: 'what our staff did on your account (for example credits granted) and why',
  account_order_counts: 'how many orders you have open (for the limit on open orders)',
  activations: 'your orders: the number you rented, for which service and country, its price and what became of it',
  activation_sms: 'the verification messages your orders received, shown only to you',
  rentals:
    'your long-term rentals: the number you rented (encrypted under your account’s own key), its country, the services you declared, the price per day, auto-renewal and how it ended',
  rental_periods: 'the periods of each rental: their days and price, reserved at the start and charged at the end (or returned)',
  rental_sms:
    'the messages your rented numbers received, with their sender and the code found in them, shown only to you and stored encrypted',
  gateway_messages:
    'SMS that reached the operator’s own numbers without belonging to any order: who sent it and its text, encrypted, kept for staff to look into and never shown to a customer',
  activation_events: 'the history of each order: every change of its status, who caused it and when',
  provider_tasks: 'what we still have to tell the number provider about an order (finish, cancel, another SMS) — never who you are',
  provider_calls: 'what we asked the number provider about each of your orders and what it answered — never your number or your code',
  order_numbers: 'the number an order is known by in the SMS-Activate-compatible API, pointing to that order and nothing else',
  account_events: 'the live updates of your account (orders, codes, balance), so that the app can resume after a lost connection',
  account_event_heads: 'the number of the last live update of your account',
  idempotency_keys: 'the answer to an order you placed, so that a retried request does not order twice',
  webhook_endpoints: 'the addresses you asked us to send your account’s events to, and their descriptions',
  webhook_deliveries:
    'the delivery log of the events sent to your webhook addresses, with what was sent (the SMS text only where messages are kept)',
  staff_access_log:
    'a log of every time a member of our staff opened your account’s data: when, in what role, what they looked at and why (you can read it in the Privacy centre)',
  staff_factors:
    'for staff accounts only: the second factor of their sign-in (the authenticator’s shared secret, encrypted) and when it was enrolled',
  staff_recovery_codes: 'for staff accounts only: their single-use recovery codes, kept only as keyed hashes, and when each was used',
  staff_enrolments: 'for staff accounts only: the single-use links that enrol their second factor (the link only as a hash)',
  staff_sign_in_challenges: 'for staff accounts only: a sign-in waiting for its second factor, for five minutes',
  privacy_requests:
    'the requests you make to exercise your rights: which right, what you wrote, when you filed it, its deadline, and our answer',
  support_conversations:
    'your conversations with our support: their subject, the order one is about if you chose one, and whether it waits on us, on you, or is closed',
  support_messages:
    'the messages of those conversations, yours and our answers (our staff appear as “Support”); stored encrypted under your account’s own key',
  payments: 'your payments: what you bought, its status, credits, amount, currency, times and the payment processor’s references',
  subscriptions: 'your plans: which package, its status, when the period ends, whether it renews, and the processor’s references',
  bitcoin_payments: 'for a bitcoin payment, the receiving address made for it and the amount asked and received',
  bitcoin_transactions: 'the bitcoin transactions that paid it (public transaction ids and amounts)',
};

/** The headings of the policy's data classes, in the order it lists them. */
export const CATEGORY_WORDS: Partial<Record<DataCategory, string>> = {
  account: 'Your account',
  device: 'Your device (app accounts)',
  activation: 'Your orders',
  reservation: 'Reservation details',
  sms_content: 'Messages',
  transaction: 'Transactions and payments',
  security_event: 'Security',
  usage: 'Using the service',
  support: 'Support',
};

const BASIS_WORDS: Record<Exclude<LegalBasis, 'not_applicable'>, string> = {
  contract: 'to provide the service you asked for (contract)',
  legal_obligation: 'because the law requires it (legal obligation)',
  legitimate_interest: 'to keep the service secure and fair (legitimate interest)',
  consent: 'with your consent, which you can withdraw',
};

/** What the time a retention counts from is, by column name. */
const AFTER_WORDS: Record<string, string> = {
  created_at: 'after it was created',
  occurred_at: 'after it happened',
  received_at: 'after it arrived',
  expires_at: 'after it expired',
  updated_at: 'after its last change',
  started_at: 'after it ran',
  first_seen_at: 'after it was first seen',
};

/** Columns a retention empties early, by column name. */
const COLUMN_WORDS: Record<string, string> = {
  ip_prefix: 'the network part of your IP address',
  ip_hash: 'its keyed hash',
  user_agent: 'your browser’s user agent',
};

/** A number of days as a person says it: 365 → "1 year", 1826 → "5 years", 180 → "6 months", 90 → "90 days". */
export function periodWords(days: number): string {
  const years = Math.round(days / 365.25);
  if (years >= 1 && Math.abs(days - years * 365.25) <= 1) return years === 1 ? '1 year' : `${years} years`;
  if (days >= 120 && days % 30 === 0) return `${days / 30} months`;
  return days === 1 ? '1 day' : `${days} days`;
}

/** Where a table's own words read better than its column's. */
const AFTER_WORDS_BY_TABLE: Record<string, string> = {
  'activations.created_at': 'after the order was placed',
  'sessions.expires_at': 'after the session ended',
  'support_conversations.last_activity_at': 'after its last message or its closing',
  'support_messages.created_at': 'after it was written',
};

const after = (column: string, table = '') =>
  AFTER_WORDS_BY_TABLE[`${table}.${column}`] ?? AFTER_WORDS[column] ?? `after its ${column.replace(/_at$/, '').replaceAll('_', ' ')}`;

/** How long a table's rows are kept, in words, with the periods in force. */
export function retentionWords(retention: Retention, config: Config, table = ''): string {
  switch (retention.kind) {
    case 'account_lifetime':
      return 'while your account exists';
    case 'until_changed':
      return 'until the operator changes it';
    case 'legal_period':
      return `${periodWords(periodDays(retention, config))} ${after(retention.column, table)} (the legal period for transaction records)`;
    case 'fixed': {
      const main = `${periodWords(periodDays(retention, config))} ${after(retention.column, table)}`;
      const early = (retention.clear ?? []).map((clearing) => {
        const what = clearing.columns.map((column) => COLUMN_WORDS[column] ?? column.replaceAll('_', ' '));
        const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what.at(-1)}` : (what[0] ?? '');
        return `; ${list} ${what.length > 1 ? 'are' : 'is'} removed ${periodWords(periodDays(clearing, config))} ${after(clearing.after, table)}`;
      });
      return `${main}${early.join('')}${table === 'activations' ? ', with whatever is left of its details' : ''}`;
    }
  }
}

const ERASURE_WORDS: Record<TableEntry['erasure'], string> = {
  delete: 'deleted',
  anonymise: 'kept without what identifies you',
  keep_for_legal_period: 'kept for the legal period, no longer linked to you by name or e-mail',
  not_personal: '',
};

/** One bullet of the policy for a table: what, why, how long, and what deleting the account does. */
export function tableWords(table: string, entry: TableEntry, config: Config): string {
  const what = TABLE_WORDS[table] ?? table;
  const basis = entry.legalBasis === 'not_applicable' ? '' : `, ${BASIS_WORDS[entry.legalBasis]}`;
  const kept = retentionWords(entry.retention, config, table);
  const erased = entry.retention.kind === 'account_lifetime' ? '' : ` If you delete your account: ${ERASURE_WORDS[entry.erasure]}.`;
  return `${capitalise(what)}${basis}. Kept ${kept}.${erased}`;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The tables of the map that hold personal data, by data class, in the policy's order. */
export function personalTablesByCategory(map: Record<string, TableEntry> = DATA_MAP): [DataCategory, [string, TableEntry][]][] {
  const personal = Object.entries(map).filter(([, entry]) => entry.erasure !== 'not_personal');
  return (Object.keys(CATEGORY_WORDS) as DataCategory[])
    .map((category): [DataCategory, [string, TableEntry][]] => [category, personal.filter(([, entry]) => entry.category === category)])
    .filter(([, tables]) => tables.length > 0);
}
