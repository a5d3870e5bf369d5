import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EndpointView } from '../../modules/webhooks/index.ts';
import {
  ALL_EVENTS,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  getWebhookEndpoint,
  listDeliveries,
  listWebhookEndpoints,
  MAX_ENDPOINTS_PER_ACCOUNT,
  MAX_URL_LENGTH,
  rotateSigningSecret,
  sendTestEvent,
  WEBHOOK_EVENT_TYPES,
} from '../../modules/webhooks/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { Limit, Text } from '../schemas.ts';

const Iso = z.iso.datetime();
const IdParam = z.object({ id: Text.max(64).describe('The endpoint id (whe_…)') });
const EventType = z.enum([...WEBHOOK_EVENT_TYPES, ALL_EVENTS]);

const Endpoint = z.object({
  id: z.string().describe('whe_…'),
  url: z.string().describe('Where events are POSTed'),
  description: z.string().nullable(),
  events: z.array(z.string()).describe('The event types sent to this endpoint; `*` means all'),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable().describe('Why we stopped sending (persistent failures, or 410 Gone); null while enabled'),
  disabledAt: Iso.nullable(),
  consecutiveFailures: z.number().int().describe('Failed attempts since the last successful one'),
  failingSince: Iso.nullable().describe('The first failed attempt since the last success'),
  lastSuccessAt: Iso.nullable(),
  createdAt: Iso,
  updatedAt: Iso,
});
const WithSecret = Endpoint.extend({
  secret: z.string().describe('The signing secret (whsec_…): shown only now. Verify each delivery with it (Standard Webhooks).'),
});

const Delivery = z.object({
  messageId: z.string().describe('The `webhook-id` header of this event (msg_…): the same on every retry'),
  type: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: Iso.nullable().describe('When a pending delivery is tried next'),
  lastAttemptAt: Iso.nullable(),
  lastResponseStatus: z.number().int().nullable().describe('The HTTP status your endpoint answered last, if it answered'),
  lastError: z.string().nullable().describe('Why the last attempt failed (status, timeout, refused address, …)'),
  lastDurationMs: z.number().int().nullable(),
  createdAt: Iso,
  deliveredAt: Iso.nullable(),
});

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const show = (view: EndpointView) => ({
  ...view,
  disabledAt: iso(view.disabledAt),
  failingSince: iso(view.failingSince),
  lastSuccessAt: iso(view.lastSuccessAt),
  createdAt: view.createdAt.toISOString(),
  updatedAt: view.updatedAt.toISOString(),
});

/** Outbound webhooks: customers' endpoints, signed per Standard Webhooks, with their delivery log (ADR 9). */
export const webhookEndpointRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/v1/webhook-endpoints',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint (its signing secret is shown once)',
        description:
          `Events are POSTed as JSON \`{type, timestamp, data}\` with the Standard Webhooks headers \`webhook-id\`, ` +
          '`webhook-timestamp` and `webhook-signature`; a 2xx answer is success, anything else is retried for about 3 days. ' +
          `The URL must be https:// and reach a public address. At most ${MAX_ENDPOINTS_PER_ACCOUNT} endpoints per account.`,
        body: z.object({
          url: Text.min(1).max(MAX_URL_LENGTH).describe('An https:// URL on the public internet'),
          description: Text.trim().max(200).optional().describe('A note for yourself'),
          events: z
            .array(EventType)
            .min(1)
            .max(10)
            .optional()
            .describe('activation.updated, sms.received, balance.updated, or `*` for all (the default)'),
        }),
        response: { 201: WithSecret },
      },
    },
    async (request, reply) => {
      const created = await createWebhookEndpoint(request.ctx, principalOf(request).accountId, request.body);
      return reply.code(201).send({ ...show(created), secret: created.secret });
    },
  );

  app.get(
    '/api/v1/webhook-endpoints',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'My webhook endpoints, with their status (and why one was disabled)',
        response: { 200: z.object({ endpoints: z.array(Endpoint) }) },
      },
    },
    async (request) => ({ endpoints: (await listWebhookEndpoints(request.ctx, principalOf(request).accountId)).map(show) }),
  );

  app.get(
    '/api/v1/webhook-endpoints/:id',
    { schema: { tags: ['webhooks'], summary: 'One of my webhook endpoints', params: IdParam, response: { 200: Endpoint } } },
    async (request) => show(await getWebhookEndpoint(request.ctx, principalOf(request).accountId, request.params.id)),
  );

  app.delete(
    '/api/v1/webhook-endpoints/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint and its delivery log',
        params: IdParam,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await deleteWebhookEndpoint(request.ctx, principalOf(request).accountId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/webhook-endpoints/:id/rotate-secret',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Replace the signing secret (the new one is shown once; the old one stops at once)',
        params: IdParam,
        response: { 200: WithSecret },
      },
    },
    async (request) => {
      const rotated = await rotateSigningSecret(request.ctx, principalOf(request).accountId, request.params.id);
      return { ...show(rotated), secret: rotated.secret };
    },
  );

  app.post(
    '/api/v1/webhook-endpoints/:id/enable',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Re-enable a disabled endpoint (new events only; what happened meanwhile is not sent)',
        params: IdParam,
        response: { 200: Endpoint },
      },
    },
    async (request) => show(await enableWebhookEndpoint(request.ctx, principalOf(request).accountId, request.params.id)),
  );

  app.post(
    '/api/v1/webhook-endpoints/:id/test',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send a `webhook.test` event to this endpoint',
        params: IdParam,
        response: { 202: z.object({ messageId: z.string().describe('The `webhook-id` it will carry') }) },
      },
    },
    async (request, reply) => reply.code(202).send(await sendTestEvent(request.ctx, principalOf(request).accountId, request.params.id)),
  );

  app.get(
    '/api/v1/webhook-endpoints/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'The delivery log of an endpoint, newest first (kept 30 days; never the payloads)',
        params: IdParam,
        querystring: z.object({
          cursor: Text.regex(/^\d{1,18}$/, 'expected a nextCursor from a previous page')
            .optional()
            .describe('nextCursor of the previous page'),
          limit: Limit,
        }),
        response: { 200: z.object({ deliveries: z.array(Delivery), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listDeliveries(request.ctx, principalOf(request).accountId, request.params.id, { limit: limit + 1, cursor });
      const { items, nextCursor } = pageOf(rows, limit, (delivery) => delivery.cursor);
      return {
        deliveries: items.map(({ cursor: _cursor, ...d }) => ({
          ...d,
          nextAttemptAt: iso(d.nextAttemptAt),
          lastAttemptAt: iso(d.lastAttemptAt),
          createdAt: d.createdAt.toISOString(),
          deliveredAt: iso(d.deliveredAt),
        })),
        nextCursor,
      };
    },
  );
};
