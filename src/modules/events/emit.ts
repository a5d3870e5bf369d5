import { EVENT_CHANNEL } from '../../db/channels.ts';
import type { Executor } from '../../db/client.ts';
import { runStatement } from '../../db/raw-driver.ts';
import { type Fragment, params, raw, sql, statement, type Values } from '../../db/statement.ts';
import { newId } from '../../lib/ids.ts';
import type { SealedField } from '../keyring/index.ts';
import { ALL_EVENTS } from './subscriptions.ts';

export type AccountEventType =
  | 'activation.updated'
  | 'sms.received'
  | 'balance.updated'
  | 'payment.updated'
  | 'support.message'
  | 'rental.updated'
  | 'rental.sms';

export interface AccountEvent {
  /** The event's row (webhook deliveries name it). */
  id: number;
  /** The event's number within its account: 1, 2, 3, … committed in this order, without gaps. */
  seq: number;
  accountId: string;
  type: AccountEventType;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** The payload of a `balance.updated` event read by the emitting statement: the balance this transaction leaves. */
export const CURRENT_BALANCE = 'current balance';

export type EventToEmit =
  | { type: AccountEventType; payload: Record<string, unknown> }
  | { type: 'balance.updated'; payload: typeof CURRENT_BALANCE };

/** NOTIFY payloads must stay under 8,000 bytes; larger events are announced by number and read back. */
const INLINE_LIMIT = 7000;

/** The parameters of `emitCtes`: see `emitValues`. */
const p = params({
  account: 'text',
  types: 'text[]',
  /** JSON texts; null for the current balance. */
  payloads: 'text[]',
  messageIds: 'text[]',
  now: 'timestamptz',
  /** The SMS of an `sms.received` event, or null. */
  smsId: 'text',
  /** The time as the webhook body's `timestamp` (JavaScript's ISO form, not PostgreSQL's). */
  timestamp: 'text',
});
export type EmitParam = (typeof p)[keyof typeof p]['name'];

/**
 * One statement records the events, announces each (NOTIFY, in order) and queues a webhook delivery
 * per event and subscribed endpoint — the Standard Webhooks body `{type, timestamp, data}` with the
 * event's payload as `data`, under one message id per event.
 *
 * Numbering: the account's row in `account_event_heads` is moved on by the number of events (an
 * upsert, which locks the row until the transaction ends), and the events take the numbers after
 * the previous head. Emitting is the last write of every transaction that emits, so the lock is held
 * for the commit only; an account's events therefore commit in the order of their numbers, and a
 * stream that sees number n+2 before n+1 knows it missed one (routes/events.ts).
 *
 * SMS text: account events never carry it. An `sms.received` delivery gets the text read from
 * `activation_sms` here, and a `rental.sms` delivery from `rental_sms`, of an SMS of this account only
 * (sealed, as stored: webhooks/deliver.ts opens it to send) — and with SMS_STORAGE=ephemeral that text
 * is never stored, so there is none to read: a delivery (which is stored) never holds it (P4).
 *
 * The events are recorded only where `gate` holds (another statement's CTE may decide); a balance is
 * read from `accounts` (the ledger's accounts, or a relation of the same columns showing them as an
 * earlier part of the same statement leaves them: that statement's snapshot predates its writes). The CTE
 * `announced` must be read by the statement. Its values come from `emitValues`; `now` may be shared
 * with the rest of the statement (same name, same type: one parameter).
 */
export function emitCtes<G extends string = never, A extends string = never>(
  gate: Fragment<G> = sql`true`,
  accounts: Fragment<A> = sql`ledger_accounts`,
): Fragment<EmitParam | G | A> {
  return sql`  balances as (
    select coalesce(sum(w.posted + w.pending) filter (where w.purse = 'credits'), 0) as available,
           coalesce(sum(0 - w.pending) filter (where w.purse = 'credits'), 0) as held,
           coalesce(sum(w.posted + w.pending) filter (where w.purse = 'demo'), 0) as demo_available,
           coalesce(sum(0 - w.pending) filter (where w.purse = 'demo'), 0) as demo_held
    from ${accounts} w where w.owner_account_id = ${p.account}
  ),
  input as (
    select i.type,
           case when i.payload is not null then i.payload::jsonb
                -- No payload: the account's balances as this transaction leaves them.
                else (select jsonb_build_object('available', b.available, 'held', b.held,
                                                'demo', jsonb_build_object('available', b.demo_available, 'held', b.demo_held))
                      from balances b) end as payload,
           i.ord
    from unnest(${p.types}, ${p.payloads}) with ordinality as i(type, payload, ord)
    where ${gate}
  ),
  head as (
    insert into account_event_heads (account_id, seq)
    select ${p.account}, count(*) from input having count(*) > 0
    on conflict (account_id) do update set seq = account_event_heads.seq + excluded.seq
    returning seq
  ),
  e as (
    insert into account_events (account_id, seq, type, payload, created_at)
    select ${p.account}, head.seq - (select count(*) from input) + input.ord, input.type, input.payload, ${p.now}
    from input, head order by input.ord
    returning id, seq, type, payload
  ),
  numbered as (
    select e.*, e.seq - (select min(seq) from e) + 1 as ord from e
  ),
  announced as (
    select s.id, pg_notify(${raw(`'${EVENT_CHANNEL}'`)},
      case when length(s.payload::text) < ${raw(String(INLINE_LIMIT))}
           then json_build_object('id', s.id, 'seq', s.seq, 'accountId', ${p.account}, 'type', s.type, 'payload', s.payload,
                                  'createdAt', ${p.now})::text
           else json_build_object('seq', s.seq, 'accountId', ${p.account})::text end) as notified
    from (select * from numbered order by seq offset 0) as s
  ),
  sms as (
    select s.text from activation_sms s join activations a on a.id = s.activation_id
    where s.id = ${p.smsId} and a.account_id = ${p.account} and s.text is not null
    union all
    select s.text from rental_sms s join rentals r on r.id = s.rental_id
    where s.id = ${p.smsId} and r.account_id = ${p.account} and s.text is not null
  ),
  deliveries as (
    insert into webhook_deliveries (endpoint_id, message_id, event_id, type, payload, status, attempts, next_attempt_at, created_at)
    select ep.id, (${p.messageIds})[n.ord], n.id, n.type,
           jsonb_build_object('type', n.type, 'timestamp', ${p.timestamp},
             'data', n.payload || case when n.type in (${raw([...SMS_EVENTS].map((type) => `'${type}'`).join(', '))})
                                       then coalesce((select jsonb_build_object('text', sms.text) from sms), '{}'::jsonb)
                                       else '{}'::jsonb end),
           'pending', 0, ${p.now}, ${p.now}
    from numbered n
    join webhook_endpoints ep on ep.account_id = ${p.account} and ep.status = 'enabled'
      and (ep.event_types @> jsonb_build_array(n.type) or ep.event_types @> jsonb_build_array(${raw(`'${ALL_EVENTS}'`)}::text))
    returning 1
  )`;
}

/**
 * The events of an SMS (an order's or a rental's), with the sealed field its text is stored under: their
 * webhook deliveries carry that text, copied sealed (the `sms` CTE), opened only to send (webhooks/deliver.ts).
 */
export const SMS_TEXT_FIELDS = { 'sms.received': 'activation_sms.text', 'rental.sms': 'rental_sms.text' } as const satisfies Partial<
  Record<AccountEventType, SealedField>
>;
const SMS_EVENTS: ReadonlySet<string> = new Set(Object.keys(SMS_TEXT_FIELDS));

/** The values of `emitCtes`' parameters. */
export function emitValues(accountId: string, events: EventToEmit[], now: Date): Values<EmitParam> {
  const smsId = events
    .map((event) => (SMS_EVENTS.has(event.type) && typeof event.payload === 'object' ? event.payload.smsId : undefined))
    .find((id): id is string => typeof id === 'string');
  const time = now.toISOString();
  return {
    account: accountId,
    types: events.map((event) => event.type),
    payloads: events.map((event) => (event.payload === CURRENT_BALANCE ? null : JSON.stringify(event.payload))),
    messageIds: events.map(() => newId('msg', now.getTime())),
    now: time,
    smsId: smsId ?? null,
    timestamp: time,
  };
}

const EMIT = statement(
  'otpbox_emit_events_v5',
  sql`with ${emitCtes()}
  select (select array_agg(id order by id) from announced) as ids`,
);

/** The statements of this file, for their snapshot (src/db/queries/events.sql). */
export const EVENT_STATEMENTS = [EMIT];

/**
 * Record events for an account, announce them and queue them for the account's webhook endpoints, in
 * the caller's transaction and one round trip: NOTIFY is delivered at commit and deliveries exist only
 * once committed, so neither listeners nor endpoints ever hear of a change that rolled back. Payloads
 * carry ids, statuses, codes and balances — never SMS text, which must not travel through the
 * database (P4). Returns the events' ids, in order.
 */
export async function emitAccountEvents(db: Executor, accountId: string, events: EventToEmit[], now: Date): Promise<number[]> {
  if (events.length === 0) return [];
  const [row] = (await runStatement(db, EMIT, emitValues(accountId, events, now))) as { ids: (number | string)[] | string | null }[];
  return parseIds(row?.ids);
}

/** A bigint[] arrives as an array (pg, PGlite) or, from some drivers, as its text form `{1,2}`. */
function parseIds(ids: (number | string)[] | string | null | undefined): number[] {
  if (ids === null || ids === undefined) return [];
  const list = typeof ids === 'string' ? ids.replace(/[{}]/g, '').split(',').filter(Boolean) : ids;
  return list.map(Number);
}
