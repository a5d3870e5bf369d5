import { sql } from 'drizzle-orm';
import { type Executor, preparedRows } from '../../db/client.ts';
import { newId } from '../../lib/ids.ts';
import type { AccountEvent } from '../events/emit.ts';
import { ALL_EVENTS } from './event-types.ts';

/**
 * Queue an account event for every enabled endpoint of the account subscribed to its type, in the
 * caller's transaction (the event's own): a delivery exists if and only if the event committed. One
 * statement whatever the number of endpoints. The body is the Standard Webhooks payload
 * `{type, timestamp, data}` with the event's payload as `data`.
 *
 * SMS text: account events never carry it. An `sms.received` delivery gets the text read from
 * `activation_sms` here, of an SMS of this account only — and with SMS_STORAGE=ephemeral that text is
 * never stored, so there is none to read: a delivery (which is stored) never holds it (P4).
 */
export async function enqueueWebhookDeliveries(db: Executor, event: AccountEvent): Promise<number> {
  const smsId = event.type === 'sms.received' && typeof event.payload.smsId === 'string' ? event.payload.smsId : null;
  const rows = await preparedRows<{ n: number }>(
    db,
    'otpbox_enqueue_webhooks_v1',
    sql`with sms as (
          select s.text from activation_sms s join activations a on a.id = s.activation_id
          where s.id = ${smsId}::text and a.account_id = ${event.accountId}::text and s.text is not null
        )
        insert into webhook_deliveries (endpoint_id, message_id, event_id, type, payload, status, attempts, next_attempt_at, created_at)
        select e.id, ${newId('msg', new Date(event.createdAt).getTime())}::text, ${event.id}::bigint, ${event.type}::text,
               jsonb_build_object('type', ${event.type}::text, 'timestamp', ${event.createdAt}::text,
                 'data', ${JSON.stringify(event.payload)}::jsonb || coalesce((select jsonb_build_object('text', sms.text) from sms), '{}'::jsonb)),
               'pending', 0, ${event.createdAt}::timestamptz, ${event.createdAt}::timestamptz
        from webhook_endpoints e
        where e.account_id = ${event.accountId}::text and e.status = 'enabled'
          and (e.event_types @> jsonb_build_array(${event.type}::text) or e.event_types @> jsonb_build_array(${ALL_EVENTS}::text))
        returning 1 as n`,
  );
  return rows.length;
}
