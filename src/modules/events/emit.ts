import { sql } from 'drizzle-orm';
import { type Executor, preparedRows } from '../../db/client.ts';
import { enqueueWebhookDeliveries } from '../webhooks/enqueue.ts';

export const EVENT_CHANNEL = 'otpbox_events';
export type AccountEventType = 'activation.updated' | 'sms.received' | 'balance.updated';

export interface AccountEvent {
  id: number;
  accountId: string;
  type: AccountEventType;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** NOTIFY payloads must stay under 8,000 bytes; larger events are announced by id and read back. */
const INLINE_LIMIT = 7000;

/**
 * Record an event for an account, announce it and queue it for the account's webhook endpoints (in
 * the caller's transaction: NOTIFY is delivered at commit and deliveries exist only once committed, so
 * neither listeners nor endpoints ever hear of a change that rolled back). Payloads carry ids,
 * statuses, codes and balances — never SMS text, which must not travel through the database (P4).
 */
export async function emitAccountEvent(
  db: Executor,
  accountId: string,
  type: AccountEventType,
  payload: Record<string, unknown>,
  now: Date,
): Promise<number> {
  const body = JSON.stringify(payload);
  const [row] = await preparedRows<{ id: number | string }>(
    db,
    'otpbox_emit_event_v1',
    sql`with e as (
          insert into account_events (account_id, type, payload, created_at)
          values (${accountId}, ${type}, ${body}::jsonb, ${now}::timestamptz) returning id
        )
        select e.id, pg_notify(${EVENT_CHANNEL},
          case when length(${body}) < ${INLINE_LIMIT}
               then json_build_object('id', e.id, 'accountId', ${accountId}::text, 'type', ${type}::text, 'payload', ${body}::jsonb, 'createdAt', ${now}::timestamptz)::text
               else json_build_object('id', e.id, 'accountId', ${accountId}::text)::text end)
        from e`,
  );
  const id = Number(row?.id);
  await enqueueWebhookDeliveries(db, { id, accountId, type, payload, createdAt: now.toISOString() });
  return id;
}
