import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const WEBHOOK_ENDPOINT_STATUSES = ['enabled', 'disabled'] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** What a delivery carries: the Standard Webhooks body, signed and sent as is. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** A customer's webhook receiver: where to POST which events, and the secret they are signed with. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    url: text('url').notNull(),
    description: text('description'),
    /** Event types subscribed to; `*` means every type. */
    eventTypes: jsonb('event_types').$type<string[]>().notNull(),
    /** `whsec_…` encrypted with AES-256-GCM under a key derived from SECRET_KEY; never shown again after creation or rotation. */
    secretEncrypted: text('secret_encrypted').notNull(),
    status: text('status', { enum: WEBHOOK_ENDPOINT_STATUSES }).notNull(),
    /**
     * The API key that registered it (null: the owner signed in): revoking that key disables it, so a
     * leaked key cannot leave behind an endpoint that keeps receiving codes. No foreign key: erasure
     * deletes keys before endpoints are gone.
     */
    createdByKey: text('created_by_key'),
    disabledReason: text('disabled_reason'),
    disabledAt: ts('disabled_at'),
    /** Failed attempts since the last successful one (any delivery of this endpoint). */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** The first failed attempt since the last success: how long the endpoint has been failing. */
    failingSince: ts('failing_since'),
    lastSuccessAt: ts('last_success_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('webhook_endpoints_account_idx').on(t.accountId, t.id)],
);

/**
 * The outbox and log of webhook deliveries: one row per (event, endpoint), written in the event's own
 * transaction, sent and retried by the `webhook-delivery` job.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    /** The `webhook-id` header (`msg_…`): one per event, the same on every retry and every endpoint. */
    messageId: text('message_id').notNull(),
    /** The account event announced (null for `webhook.test`). */
    eventId: bigint('event_id', { mode: 'number' }),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<WebhookPayload>().notNull(),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lastAttemptAt: ts('last_attempt_at'),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    lastDurationMs: integer('last_duration_ms'),
    createdAt: ts('created_at').notNull(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_message_key').on(t.endpointId, t.messageId),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.id),
    // The delivery job reads only pending rows by due time.
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_created_idx').on(t.createdAt),
  ],
);
