import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_ENDPOINT_STATUSES } from '../../db/schema/index.ts';
import { Timestamp } from '../../lib/api-schemas.ts';

/** The response schemas of the webhook-endpoint routes; the module's view types are inferred from them. */

/** What the API shows of an endpoint: everything but the secret. */
export const WebhookEndpoint = z
  .object({
    id: z.string().describe('whe_…'),
    url: z.string().describe('Where events are POSTed'),
    description: z.string().nullable(),
    events: z.array(z.string()).describe('The event types sent to this endpoint; `*` means all'),
    status: z.enum(WEBHOOK_ENDPOINT_STATUSES),
    disabledReason: z.string().nullable().describe('Why we stopped sending (persistent failures, or 410 Gone); null while enabled'),
    disabledAt: Timestamp.nullable(),
    consecutiveFailures: z.number().int().describe('Failed attempts since the last successful one'),
    failingSince: Timestamp.nullable().describe('The first failed attempt since the last success'),
    lastSuccessAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'WebhookEndpoint' });
export type EndpointView = z.infer<typeof WebhookEndpoint>;

/** An endpoint just created or given a new secret: the one time the secret is shown. */
export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().describe('The signing secret (whsec_…): shown only now. Verify each delivery with it (Standard Webhooks).'),
}).meta({ id: 'WebhookEndpointWithSecret' });
export type EndpointWithSecretView = z.infer<typeof WebhookEndpointWithSecret>;

/** One line of an endpoint's delivery log: how each event fared, never what it carried. */
export const WebhookDelivery = z
  .object({
    messageId: z.string().describe('The `webhook-id` header of this event (msg_…): the same on every retry'),
    type: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: Timestamp.nullable().describe('When a pending delivery is tried next'),
    lastAttemptAt: Timestamp.nullable(),
    lastResponseStatus: z.number().int().nullable().describe('The HTTP status your endpoint answered last, if it answered'),
    lastError: z.string().nullable().describe('Why the last attempt failed (status, timeout, refused address, …)'),
    lastDurationMs: z.number().int().nullable(),
    createdAt: Timestamp,
    deliveredAt: Timestamp.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type DeliveryView = z.infer<typeof WebhookDelivery>;
