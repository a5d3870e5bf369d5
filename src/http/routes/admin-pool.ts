import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { GATEWAY_KINDS } from '../../gateway-clients/port.ts';
import { NextCursor, Timestamp } from '../../lib/api-schemas.ts';
import { readUnmatchedMessages } from '../../modules/inbound-sms/index.ts';
import { addPoolNumber, GATEWAY_STATES, listGateways, listPoolNumbers, removePoolNumber, setRentalRate } from '../../modules/pool/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf, STAFF } from '../auth.ts';
import { AccessReason, idCursor, Limit, Text } from '../schemas.ts';
import { Reason } from './admin-providers.ts';

const POOL_NUMBER_STATES = ['free', 'rented', 'cooling'] as const;

const PoolGateway = z
  .object({
    name: z.string(),
    kind: z.enum(GATEWAY_KINDS),
    state: z.enum(GATEWAY_STATES).describe('`down`: its numbers are out of stock until it is heard from again'),
    lastSeenAt: z.iso.datetime().nullable().describe('The last genuine delivery or heartbeat'),
    numbers: z.number().int().describe('Numbers in the pool on it'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'PoolGateway' });

const PoolNumber = z
  .object({
    number: z.string().describe('E.164'),
    gateway: z.string(),
    country: z.string().describe('ISO 3166-1 alpha-2'),
    services: z.array(z.string()).nullable().describe('Service codes it is sold for; null: every service'),
    device: z.string().nullable().describe('The Android device that receives it'),
    sim: z.number().int().nullable().describe('Its SIM slot on that device'),
    cost: z.number().describe('What one sale costs the operator, USD'),
    state: z.enum(POOL_NUMBER_STATES),
    coolingUntil: z.iso.datetime().nullable().describe('While cooling: sold again after this'),
    lastSoldAt: z.iso.datetime().nullable(),
    rentPerDay: z.number().nullable().describe('Rental rate, USD per day; null: not rented out'),
  })
  .meta({ id: 'PoolNumber' });

const UnmatchedMessage = z
  .object({
    id: z.string(),
    receivedAt: Timestamp,
    gateway: z.string(),
    number: z.string().nullable().describe('The pool number it reached; null: a receiver the pool does not know'),
    sender: z.string(),
    text: z.string(),
  })
  .meta({ id: 'UnmatchedGatewayMessage' });

const NumberParam = z.object({ number: Text.trim().min(3).max(32).describe('E.164, such as +14155550123') });
const Decimal = Text.trim().max(20);
const GatewayName = Text.trim().min(1).max(40);

const actorCtx = (request: FastifyRequest) => ({ ...request.ctx, actor: principalOf(request).accountId });

/**
 * The console's Numbers page (own numbers, ADR 37): the gateways and the pool's numbers (support and
 * admin read), numbers added, removed and given a rental rate by admins through the same module verbs
 * as `otpbox numbers add|remove|rent-rate`, each one transaction with its audit row and the staff
 * member's reason; and the unmatched messages (third parties' texts), every read of them audited.
 * Never a gateway's secret.
 */
export const adminPoolRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/api/v1/admin/pool/gateways',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'The own-number gateways: kind, state, last seen, numbers on each; never a secret (support, admin)',
        response: { 200: z.object({ gateways: z.array(PoolGateway) }) },
      },
    },
    async (request) => ({
      gateways: (await listGateways(request.ctx.db)).map(({ name, kind, state, lastSeenAt, numbers, createdAt }) => ({
        name,
        kind,
        state,
        lastSeenAt,
        numbers,
        createdAt,
      })),
    }),
  );

  app.get(
    '/api/v1/admin/pool/numbers',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'The pool’s numbers with their state now (free, rented, cooling), cost and rental rate (support, admin)',
        querystring: z.object({
          gateway: GatewayName.optional().describe('Only this gateway'),
          state: z.enum(POOL_NUMBER_STATES).optional().describe('Only numbers in this state'),
        }),
        response: { 200: z.object({ numbers: z.array(PoolNumber) }) },
      },
    },
    async (request) => {
      const { gateway, state } = request.query;
      const numbers = await listPoolNumbers(request.ctx.db, request.ctx.clock.now(), gateway);
      return { numbers: numbers.filter((n) => state === undefined || n.state === state) };
    },
  );

  app.post(
    '/api/v1/admin/pool/numbers',
    {
      config: { access: ADMIN, errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Put one of the operator’s numbers in the pool, on a gateway (admin; audited)',
        description:
          'The same checks as `otpbox numbers add`: a valid E.164 number of a country the catalog sells (`country` must agree with ' +
          'the number), known service codes (comma-separated; absent: every service), device and SIM slot on Android gateways only. ' +
          'In stock at once.',
        body: z.object({
          gateway: GatewayName,
          number: Text.trim().min(1).max(32),
          country: Text.trim().max(2).optional(),
          services: Text.trim().max(500).optional().describe('Comma-separated service codes: tg,wa'),
          device: Text.trim().max(128).optional(),
          sim: Text.trim().max(2).optional(),
          cost: Decimal.optional().describe('What one sale costs you, decimal USD: 0.05'),
          reason: Reason,
        }),
        response: { 201: PoolNumber },
      },
    },
    async (request, reply) => {
      const { reason, ...input } = request.body;
      const ctx = actorCtx(request);
      const blank = (value: string | undefined) => (value === '' ? undefined : value);
      const row = await addPoolNumber(ctx, {
        gateway: input.gateway,
        number: input.number,
        country: blank(input.country),
        services: blank(input.services),
        device: blank(input.device),
        sim: blank(input.sim),
        cost: blank(input.cost),
        reason,
      });
      return reply.code(201).send({
        number: row.number,
        gateway: input.gateway,
        country: row.country,
        services: row.services,
        device: row.device,
        sim: row.sim,
        cost: row.cost / 1_000_000,
        state: row.state,
        coolingUntil: null,
        lastSoldAt: null,
        rentPerDay: null,
      });
    },
  );

  app.post(
    '/api/v1/admin/pool/numbers/:number/remove',
    {
      config: { access: ADMIN, errors: ['NOT_FOUND', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Take a number out of the pool (admin; audited): refused while it is rented',
        params: NumberParam,
        body: z.object({ reason: Reason }),
        response: { 200: z.object({ removed: z.literal(true) }) },
      },
    },
    async (request) => {
      await removePoolNumber(actorCtx(request), request.params.number, request.body.reason);
      return { removed: true as const };
    },
  );

  app.post(
    '/api/v1/admin/pool/numbers/:number/rent-rate',
    {
      config: { access: ADMIN, errors: ['VALIDATION_FAILED', 'NOT_FOUND'] },
      schema: {
        tags,
        summary: 'Set or clear a number’s rental rate, USD per day (admin; audited)',
        description: 'A number without a rate is never rented; `perDay: null` takes it off the rental offer (running rentals keep it).',
        params: NumberParam,
        body: z.object({ perDay: Decimal.nullable().describe('Decimal USD per day: 0.50; null clears it'), reason: Reason }),
        response: { 200: z.object({ number: z.string(), perDay: z.number().nullable() }) },
      },
    },
    async (request) => setRentalRate(actorCtx(request), request.params.number, request.body.perDay, request.body.reason),
  );

  app.get(
    '/api/v1/admin/pool/messages',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'SMS that reached an own number with no order or rental, sender and text opened, newest first (support, admin)',
        description:
          'These are third parties’ texts: every read is recorded in the staff audit log (`gateway_messages.read`, with the ' +
          'messages shown and the optional reason).',
        headers: z.object({ 'x-access-reason': AccessReason }),
        querystring: z.object({
          gateway: GatewayName.optional().describe('Only this gateway'),
          cursor: idCursor('gmsg').optional().describe('`nextCursor` of the previous page'),
          limit: Limit,
          reason: AccessReason,
        }),
        response: { 200: z.object({ messages: z.array(UnmatchedMessage), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { gateway, cursor, limit, reason } = request.query;
      const page = await readUnmatchedMessages(
        request.ctx,
        { accountId: principal.accountId, role: principal.role },
        { gateway, before: cursor, limit, reason: request.headers['x-access-reason'] || reason },
      );
      return { messages: page.items, nextCursor: page.nextCursor };
    },
  );
};
