import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import { processingRestricted } from '../../modules/accounts/index.ts';
import {
  cancelRental,
  createRental,
  getRental,
  listRentals,
  MAX_RENTAL_DAYS,
  Rental,
  RentalOffers,
  type RentalRow,
  RentalSummary,
  renewRental,
  rentalOffers,
  setAutoRenew,
  summariesOf,
  viewOf,
} from '../../modules/rentals/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { IdempotencyKey, IdParam, idCursor, Limit, Text } from '../schemas.ts';

const Days = z.number().int().min(1).max(MAX_RENTAL_DAYS);

/** Long-term rentals of the operator's own numbers (ADR 42). */
export const rentalRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['rentals'];
  const view = (ctx: Parameters<typeof viewOf>[0], row: RentalRow) =>
    viewOf(ctx, row, deps.activations.ephemeral, deps.clock.now().getTime());

  app.get(
    '/api/v1/rentals/offers',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'What can be rented: per country, how many numbers and the price per day',
        response: { 200: RentalOffers },
      },
    },
    async (request) => rentalOffers(request.ctx.db, deps.config, deps.clock.now()),
  );

  app.post(
    '/api/v1/rentals',
    {
      config: {
        errors: [
          'UNKNOWN_COUNTRY',
          'UNKNOWN_SERVICE',
          'NO_NUMBERS',
          'INSUFFICIENT_CREDITS',
          'ACCOUNT_RESTRICTED',
          'IDEMPOTENCY_KEY_REUSED',
          'TOO_MANY_ACTIVE',
        ],
      },
      schema: {
        tags,
        summary: 'Rent a number for days or weeks',
        description:
          'Leases one of the operator’s own numbers in the country and holds the first period’s price (days × the price per day of GET /api/v1/rentals/offers). ' +
          'Every SMS to the number is shown (event `rental.sms`). The price of a period is captured when it ends; cancelling a period that received no SMS within an hour gives it back. ' +
          `A rental lasts at most ${MAX_RENTAL_DAYS} days, renewals included. Send an \`Idempotency-Key\` header to retry safely.`,
        headers: z.object({ 'idempotency-key': IdempotencyKey }),
        body: z.object({
          country: Text.trim().toUpperCase().length(2).describe('ISO 3166 alpha-2, e.g. US, GB'),
          days: Days.describe(`The first period, in days (1–${MAX_RENTAL_DAYS})`),
          services: z
            .array(Text.trim().toLowerCase().min(1).max(10))
            .max(20)
            .optional()
            .describe('The services you will use it for: the number must allow each and not have been sold for it recently'),
          autoRenew: z.boolean().optional().describe('Renew by the same number of days when a period ends, if your balance allows'),
        }),
        response: { 200: Rental, 201: Rental },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.processingRestricted) throw processingRestricted();
      const key = request.headers['idempotency-key'];
      const made = await createRental(request.ctx, { ...request.body, accountId: principal.accountId, idempotencyKey: key });
      if (made.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(made.replayed ? 200 : 201).send(await view(request.ctx, made.row));
    },
  );

  app.get(
    '/api/v1/rentals',
    {
      schema: {
        tags,
        summary: 'My rentals, newest first',
        querystring: z.object({ cursor: idCursor('rent').optional(), limit: Limit }),
        response: { 200: z.object({ rentals: z.array(RentalSummary), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const accountId = principalOf(request).accountId;
      const rows = await listRentals(request.ctx.db, accountId, request.query);
      const { items, nextCursor } = pageOf(rows, request.query.limit, (row) => row.id);
      return { rentals: await summariesOf(request.ctx, accountId, items), nextCursor };
    },
  );

  app.get(
    '/api/v1/rentals/:id',
    { schema: { tags, summary: 'One of my rentals, with its periods and every SMS', params: IdParam, response: { 200: Rental } } },
    async (request) => view(request.ctx, await getRental(request.ctx.db, principalOf(request).accountId, request.params.id)),
  );

  app.post(
    '/api/v1/rentals/:id/renew',
    {
      config: { errors: ['INSUFFICIENT_CREDITS', 'ACCOUNT_RESTRICTED', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Extend a rental by a period (its price held now)',
        description: `Adds \`days\` (default: the last period's) after the current end. Refused past ${MAX_RENTAL_DAYS} days from the start.`,
        params: IdParam,
        body: z.object({ days: Days.optional() }).nullish(),
        response: { 200: Rental },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (principal.processingRestricted) throw processingRestricted();
      const row = await renewRental(request.ctx, principal.accountId, request.params.id, request.body?.days);
      return view(request.ctx, row);
    },
  );

  app.post(
    '/api/v1/rentals/:id/auto-renew',
    {
      config: { errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'Turn automatic renewal on or off',
        params: IdParam,
        body: z.object({ autoRenew: z.boolean() }),
        response: { 200: Rental },
      },
    },
    async (request) =>
      view(request.ctx, await setAutoRenew(request.ctx, principalOf(request).accountId, request.params.id, request.body.autoRenew)),
  );

  app.post(
    '/api/v1/rentals/:id/cancel',
    {
      config: { errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'End a rental now',
        description:
          'The current period is charged in full if the number received an SMS in it; if not, it is free within its first hour, and after that the days begun are charged. A renewal not yet begun is given back.',
        params: IdParam,
        response: { 200: Rental },
      },
    },
    async (request) => view(request.ctx, await cancelRental(request.ctx, principalOf(request).accountId, request.params.id)),
  );
};
