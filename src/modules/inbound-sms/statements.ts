import { params, raw, type Statement, sql, statement } from '../../db/statement.ts';
import { orderColumns, orderSmsInsert } from '../activations/index.ts';
import { LATEST_LEASE, LEASE_COLUMNS, noteLeaseCtes, POOL_PROVIDER, RECEIVER_CTES, receiverParams } from '../pool/index.ts';

/**
 * The two statements an SMS on an own number runs before its order's change (ADR 12: constant texts,
 * prepared once per connection, committed under src/db/queries/inbound-sms.sql): where it went, then
 * its rows. Composed from the pool's parts (the number, the lease, the lease noted) and the orders'
 * (the order's columns, its SMS row), so that neither module knows the other.
 */

const p = params({ replayKey: 'text', now: 'timestamptz' });

/** The prefix of the order's columns in RECEIVE's row. */
export const ORDER_PREFIX = 'order_';

/**
 * Where an SMS went, in one round trip: the delivery's replay key recorded (when one is given: the
 * first SMS of a webhook delivery; `replay_fresh` 0 when the very same delivery was accepted before),
 * the receiving number, its latest lease begun by `startedBy` (locked), and — when that lease is an
 * order's and still takes SMS (open, or ended at `endedSince` or later) — the order holding it,
 * locked too: the lease, then the order, the order in which the pool's and the orders' paths lock them.
 * Always one row: `picked_number_id` null when the gateway named a receiver the pool does not know.
 */
export const RECEIVE = statement(
  'otpbox_inbound_receive_v2',
  sql`with
    replay as (
      insert into gateway_replays (gateway_id, replay_key, seen_at)
      select ${receiverParams.gateway}, ${p.replayKey}, ${p.now} where ${p.replayKey} is not null
      on conflict do nothing
      returning 1),
    ${RECEIVER_CTES}
  select (select count(*) from replay) as replay_fresh, picked.id as picked_number_id,
         ${LEASE_COLUMNS},
         ${orderColumns('o', ORDER_PREFIX)}
  from (select 1) as one
    left join picked on true
    left join lateral ${LATEST_LEASE} l on true
    left join lateral (
      select * from activations
      where provider = ${raw(`'${POOL_PROVIDER}'`)} and upstream_id = l.id
        and l.kind = 'order' and (l.ended_at is null or l.ended_at >= ${receiverParams.endedSince})
      for update) o on true`,
);

const m = params(
  {
    id: 'text',
    gateway: 'text',
    messageKey: 'text',
    contentKey: 'text',
    number: 'text',
    lease: 'text',
    outcome: 'text',
    sender: 'text',
    text: 'text',
    now: 'timestamptz',
  },
  'message',
);

/**
 * An SMS's rows, in one round trip: the gateway's record of the message (once per message id and
 * per content: a repeat inserts nothing, and then nothing else is written), and for an order's SMS
 * the order's SMS row and the lease noted as having got one.
 */
export const RECORD = statement(
  'otpbox_inbound_record_v1',
  sql`with
  message as (
    insert into gateway_messages (id, gateway_id, message_key, content_key, number_id, lease_id, outcome, sender_sealed,
                                  text_sealed, received_at)
    values (${m.id}, ${m.gateway}, ${m.messageKey}, ${m.contentKey}, ${m.number}, ${m.lease}, ${m.outcome}, ${m.sender},
            ${m.text}, ${m.now})
    on conflict do nothing
    returning id
  ),
  ${orderSmsInsert(sql`exists (select 1 from message)`)},
  ${noteLeaseCtes(sql`exists (select 1 from message)`)}
  select (select count(*) from message) as recorded, (select count(*) from order_sms) as order_sms`,
);

/** The statements of this file, for their snapshot (src/db/queries/inbound-sms.sql). */
export const INBOUND_STATEMENTS: readonly Statement[] = [RECEIVE, RECORD];
