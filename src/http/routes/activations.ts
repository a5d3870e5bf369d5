import type { FastifyPluginAsync, FastifyReply, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import type { ErrorCode } from '../../lib/errors.ts';
import { processingRestricted } from '../../modules/accounts/index.ts';
import {
  Activation,
  type ActivationView,
  cancelActivation,
  createActivation,
  createWithIdempotencyKey,
  finishActivation,
  type KeyedCreation,
  listActivations,
  type OpenedOrder,
  openOrders,
  PublicStatus,
  retryActivation,
  smsOf,
  toView,
} from '../../modules/activations/index.ts';
import type { OrderRouteDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { STATUS_BY_CODE } from '../errors.ts';
import { pageOf } from '../paging.ts';
import { IdempotencyKey, idCursor, Limit, Text } from '../schemas.ts';

/**
 * An order's view is built field by field by toView (nothing else can leak into it): it is serialised
 * as is, without the response schema's validation pass, on the routes that create and poll orders.
 */
const asBuilt = () => (data: unknown) => JSON.stringify(data);
const ID_MAX = 64;
const IdParam = z.object({ id: Text.max(ID_MAX) });
/**
 * The polled route's parameters: an id the schema accepts passes on a plain check (the zod pass costs a
 * measurable share of a poll); anything else goes through the schema, which words the refusal.
 */
// Typed for any route schema: Fastify types a route's compiler by the whole schema, not the part it compiles.
const idParamValidator: FastifySchemaCompiler<unknown> = (route) => {
  const bySchema = validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
  if (route.httpPart !== 'params') return bySchema;
  return (data) => {
    const id = (data as { id?: unknown }).id;
    return typeof id === 'string' && id.length <= ID_MAX ? { value: { id } } : bySchema(data);
  };
};
/** An answer under an `Idempotency-Key`, sent as stored; a replay says so. */
function sendKeyed(reply: FastifyReply, answer: KeyedCreation) {
  if (answer.replayed) {
    reply
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .serializer((payload: unknown) => JSON.stringify(payload));
  }
  return reply.code(answer.status).send(answer.body);
}

export const activationRoutes: FastifyPluginAsync<OrderRouteDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['activations'];
  // Numbers and texts are sealed under the account's key (ADR 28): every verb answers its order opened.
  const view = (order: OpenedOrder) => toView(order, deps.activations.ephemeral, deps.clock.now().getTime());

  // Polling answers from memory; every change to an order drops it (see OrderCache and app.ts).
  const cache = deps.orderCache;

  app.post(
    '/api/v1/activations',
    {
      config: {
        // By the part of an order that refuses: the catalog, the account's limits, the key, the hold, the providers.
        errors: [
          'UNKNOWN_SERVICE',
          'UNKNOWN_COUNTRY',
          'PRICE_ABOVE_MAX',
          'TOO_MANY_ACTIVE',
          'ORDER_RATE_LIMITED',
          'IDEMPOTENCY_KEY_IN_USE',
          'IDEMPOTENCY_KEY_REUSED',
          'INSUFFICIENT_CREDITS',
          'ACCOUNT_RESTRICTED',
          'NO_NUMBERS',
          'PROVIDER_UNAVAILABLE',
        ],
      },
      schema: {
        tags,
        summary: 'Rent a number for a service in a country',
        description:
          'Holds the price, then buys a number. The credits are spent only if an SMS arrives (the first, with a code read in it or not); a cancelled or expired order gives them back. ' +
          'Send an `Idempotency-Key` header to retry safely: the same key and body return the original order.',
        headers: z.object({ 'idempotency-key': IdempotencyKey }),
        body: z.object({
          service: Text.trim().toLowerCase().min(1).max(10).describe('Service code, e.g. tg, wa, go (GET /api/v1/services)'),
          country: Text.trim().toUpperCase().length(2).describe('ISO 3166 alpha-2, e.g. US, ID'),
          maxPrice: z.number().int().positive().optional().describe('Refuse if the price is above this many credits'),
        }),
        response: { 201: Activation },
      },
      serializerCompiler: asBuilt,
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // Restricted processing (Art. 18, ADR 25): the account is kept, but no new order is processed.
      if (principal.processingRestricted) throw processingRestricted();
      const key = request.headers['idempotency-key'];
      const input = { ...request.body, accountId: principal.accountId };
      if (!key) return reply.code(201).send(view(await createActivation(request.ctx, deps.activations, input)));

      const answer = await createWithIdempotencyKey(request.ctx, deps.activations, input, key, {
        protocol: 'rest',
        order: (order) => ({ status: 201, body: view(order) }),
        refusal: (error) => ({
          status: STATUS_BY_CODE[error.code],
          body: { error: { code: error.code, message: error.message, requestId: request.id } },
        }),
      });
      return sendKeyed(reply, answer);
    },
  );

  app.get(
    '/api/v1/activations/:id',
    {
      schema: { tags, summary: 'One of my orders, with its messages', params: IdParam, response: { 200: Activation } },
      // The route clients poll hardest: its id checked by hand on the way in (the schema words a
      // refusal), its answer serialised once per change of the order (order-cache.ts).
      validatorCompiler: idParamValidator,
      serializerCompiler: asBuilt,
    },
    // Not async: an answer from memory is sent at once, without a promise to settle.
    (request, reply) => {
      const found = cache.opened(request.ctx, principalOf(request).accountId, request.params.id);
      if (found instanceof Promise) return found.then(({ order }) => view(order));
      // Already JSON: Fastify sends a string with a JSON content type as is (the cast only quiets the type provider).
      if (found.json !== undefined) {
        reply.type('application/json; charset=utf-8').send(found.json as unknown as ActivationView);
        return;
      }
      const shown = view(found.order);
      // With every text stored (history mode) the view does not depend on the time: serialise it once.
      if (found.order.sms.every((m) => m.text !== null)) found.json = JSON.stringify(shown);
      reply.send(shown);
    },
  );

  app.get(
    '/api/v1/activations',
    {
      schema: {
        tags,
        summary: 'My orders, newest first',
        querystring: z.object({
          status: Text.optional()
            .describe('Comma-separated statuses, e.g. waiting,received')
            .transform((value, context) => {
              if (!value) return undefined;
              const statuses = value.split(',').map((s) => s.trim());
              for (const status of statuses) {
                if (!PublicStatus.safeParse(status).success) {
                  context.addIssue({ code: 'custom', message: `unknown status "${status}"` });
                  return z.NEVER;
                }
              }
              return statuses as PublicStatus[];
            }),
          cursor: idCursor('act').optional(),
          limit: Limit,
        }),
        response: { 200: z.object({ activations: z.array(Activation), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { status, cursor, limit } = request.query;
      const accountId = principalOf(request).accountId;
      const rows = await listActivations(request.ctx.db, { accountId, status, cursor, limit });
      const { items, nextCursor } = pageOf(rows, limit, (row) => row.id);
      const sms = await smsOf(
        request.ctx.db,
        items.map((r) => r.id),
      );
      const opened = await openOrders(request.ctx, accountId, items, sms);
      const now = deps.clock.now().getTime();
      return { activations: opened.map((order) => toView(order, deps.activations.ephemeral, now)), nextCursor };
    },
  );

  for (const [action, summary, run, errors] of [
    [
      'cancel',
      'Cancel an order that got no code: the credits come back',
      cancelActivation,
      ['EARLY_CANCEL', 'CODE_RECEIVED', 'ACTIVATION_ENDED'],
    ],
    ['finish', 'Finish an order after its code arrived', finishActivation, ['NO_CODE_YET', 'ACTIVATION_ENDED']],
    [
      'retry',
      'Ask for another SMS on the same number (free)',
      (ctx, _deps, accountId, id) => retryActivation(ctx, accountId, id),
      ['NO_CODE_YET', 'ACTIVATION_ENDED'],
    ],
  ] as const satisfies readonly (readonly [string, string, typeof cancelActivation, readonly ErrorCode[]])[]) {
    app.post(
      `/api/v1/activations/:id/${action}`,
      { config: { errors }, schema: { tags, summary, params: IdParam, response: { 200: Activation } } },
      async (request) => view(await run(request.ctx, deps.activations, principalOf(request).accountId, request.params.id)),
    );
  }
};
