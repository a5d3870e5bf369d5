import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import { requireLiveCredential } from '../../modules/accounts/index.ts';
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
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../../modules/webhooks/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { Limit, Line, Text } from '../schemas.ts';

const IdParam = z.object({ id: Text.max(64).describe('The endpoint id (whe_…)') });
const EventType = z.enum([...WEBHOOK_EVENT_TYPES, ALL_EVENTS]);

/** Outbound webhooks: customers' endpoints, signed per Standard Webhooks, with their delivery log (ADR 9). */
export const webhookEndpointRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/v1/webhook-endpoints',
    {
      config: { errors: ['CONFLICT', 'WEBHOOK_URL_REFUSED'] },
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint (its signing secret is shown once)',
        description:
          `Events are POSTed as JSON \`{type, timestamp, data}\` with the Standard Webhooks headers \`webhook-id\`, ` +
          '`webhook-timestamp` and `webhook-signature`; a 2xx answer is success, anything else is retried for about 3 days. ' +
          `The URL must be https:// and reach a public address. At most ${MAX_ENDPOINTS_PER_ACCOUNT} endpoints per account.`,
        body: z.object({
          url: Text.min(1).max(MAX_URL_LENGTH).describe('An https:// URL on the public internet'),
          description: Line.trim().max(200).optional().describe('A note for yourself'),
          events: z
            .array(EventType)
            .min(1)
            .max(10)
            .optional()
            .describe('activation.updated, sms.received, balance.updated, or `*` for all (the default)'),
        }),
        response: { 201: WebhookEndpointWithSecret },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // An endpoint a key registers lives no longer than the key (revoking it disables the endpoint).
      // Re-checked as it is inserted: a key revoked (or a session ended by a reset) meanwhile registers nothing.
      const endpoint = await createWebhookEndpoint(
        request.ctx,
        principal.accountId,
        { ...request.body, createdByKey: principal.apiKeyId ?? null },
        undefined,
        (ctx) => requireLiveCredential(ctx, principal),
      );
      return reply.code(201).send(endpoint);
    },
  );

  app.get(
    '/api/v1/webhook-endpoints',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'My webhook endpoints, with their status (and why one was disabled)',
        response: { 200: z.object({ endpoints: z.array(WebhookEndpoint) }) },
      },
    },
    async (request) => ({ endpoints: await listWebhookEndpoints(request.ctx, principalOf(request).accountId) }),
  );

  app.get(
    '/api/v1/webhook-endpoints/:id',
    { schema: { tags: ['webhooks'], summary: 'One of my webhook endpoints', params: IdParam, response: { 200: WebhookEndpoint } } },
    async (request) => getWebhookEndpoint(request.ctx, principalOf(request).accountId, request.params.id),
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
        response: { 200: WebhookEndpointWithSecret },
      },
    },
    async (request) => {
      return rotateSigningSecret(request.ctx, principalOf(request).accountId, request.params.id);
    },
  );

  app.post(
    '/api/v1/webhook-endpoints/:id/enable',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Re-enable a disabled endpoint (new events only; what happened meanwhile is not sent)',
        params: IdParam,
        response: { 200: WebhookEndpoint },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      // Re-checked as it is enabled: a session or key a reset or revocation ended meanwhile enables nothing.
      // Enabled by a key, it lives no longer than that key (revoking it disables the endpoint again).
      return enableWebhookEndpoint(
        request.ctx,
        principal.accountId,
        request.params.id,
        (ctx) => requireLiveCredential(ctx, principal),
        principal.apiKeyId ?? null,
      );
    },
  );

  app.post(
    '/api/v1/webhook-endpoints/:id/test',
    {
      config: { errors: ['CONFLICT'] },
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
        summary: 'The delivery log of an endpoint, newest first (kept for RETENTION_LOGS_DAYS, 90 days by default; never the payloads)',
        params: IdParam,
        querystring: z.object({
          cursor: Text.regex(/^\d{1,18}$/, 'expected a nextCursor from a previous page')
            .optional()
            .describe('nextCursor of the previous page'),
          limit: Limit,
        }),
        response: { 200: z.object({ deliveries: z.array(WebhookDelivery), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listDeliveries(request.ctx, principalOf(request).accountId, request.params.id, { limit: limit + 1, cursor });
      const { items, nextCursor } = pageOf(rows, limit, (delivery) => delivery.cursor);
      return {
        deliveries: items.map(({ cursor: _cursor, ...delivery }) => delivery),
        nextCursor,
      };
    },
  );
};
