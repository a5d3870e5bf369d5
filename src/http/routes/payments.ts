import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import {
  BitcoinCheckout,
  CardCheckout,
  CreditPackage,
  getPayment,
  getReceipt,
  listPackages,
  listPayments,
  listSubscriptions,
  openSubscriptionPortal,
  Payment,
  PaymentReceipt,
  PaymentSubscription,
  refreshPayment,
  startBitcoinCheckout,
  startCheckout,
  toPackageView,
  toPaymentView,
} from '../../modules/payments/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { IdempotencyKey, idCursor, Limit, Text } from '../schemas.ts';

const IdParam = z.object({ id: Text.max(64) });
/** Credit packages (public), checkout, and the customer's payments and plans. */
export const paymentRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['payments'];
  const processors = deps.payments;

  app.get(
    '/api/v1/packages',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Credit packs and plans on sale, with their prices, and the ways to pay for them here',
        response: {
          200: z.object({
            packages: z.array(CreditPackage),
            methods: z
              .array(z.enum(['card', 'bitcoin']))
              .describe('The checkout methods this service takes (its configured processors); bitcoin pays for one-off packs only'),
          }),
        },
      },
    },
    async () => ({
      packages: (await listPackages(deps.database.db, { activeOnly: true })).map(toPackageView),
      methods: [...(processors?.stripe ? (['card'] as const) : []), ...(processors?.bitcoin ? (['bitcoin'] as const) : [])],
    }),
  );

  app.post(
    '/api/v1/payments/checkout',
    {
      config: {
        errors: [
          'UNKNOWN_PACKAGE',
          'PAYMENT_METHOD_UNAVAILABLE',
          'PAYMENT_PROCESSOR_UNAVAILABLE',
          'IDEMPOTENCY_KEY_REUSED',
          'IDEMPOTENCY_KEY_IN_USE',
          'TOO_MANY_ACTIVE',
        ],
      },
      schema: {
        tags,
        summary: 'Buy a package: by card, a payment page to send the customer to; in bitcoin, an address and an amount',
        description:
          'Creates a payment and, for `card`, a Stripe Checkout page (`url`); the credits arrive when Stripe tells us the payment ' +
          'went through (follow `payment.updated` on /api/v1/events, or GET the payment). A plan (a package with an interval) ' +
          'subscribes. For `bitcoin` (one-off packs), the package priced in BTC at this moment: pay `amountBtc` to `address` (or ' +
          'open `uri`, BIP 21) before `expiresAt`; the credits arrive once the transaction is confirmed. A method the service ' +
          'does not take answers `PAYMENT_METHOD_UNAVAILABLE`. Send an `Idempotency-Key` header to retry safely: the same key and body answer ' +
          'with the same payment and page.',
        headers: z.object({ 'idempotency-key': IdempotencyKey }),
        body: z.object({
          package: Text.trim().min(1).max(64).describe('A package code (GET /api/v1/packages)'),
          method: z.enum(['card', 'bitcoin']),
        }),
        response: { 201: z.union([CardCheckout, BitcoinCheckout]) },
      },
    },
    async (request, reply) => {
      const input = {
        accountId: principalOf(request).accountId,
        packageCode: request.body.package,
        idempotencyKey: request.headers['idempotency-key'],
      };
      if (request.body.method === 'bitcoin') {
        const { replayed, ...answer } = await startBitcoinCheckout(request.ctx, processors ?? {}, input);
        if (replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(201).send(answer);
      }
      const answer = await startCheckout(request.ctx, processors ?? {}, input);
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send({ paymentId: answer.paymentId, status: answer.status, url: answer.url });
    },
  );

  app.get(
    '/api/v1/payments',
    {
      schema: {
        tags,
        summary: 'My payments, newest first',
        querystring: z.object({ cursor: idCursor('pay').optional(), limit: Limit }),
        response: { 200: z.object({ payments: z.array(Payment), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const rows = await listPayments(request.ctx.db, { accountId: principalOf(request).accountId, cursor, limit });
      const { items, nextCursor } = pageOf(rows, limit, (row) => row.id);
      return { payments: items.map(toPaymentView), nextCursor };
    },
  );

  app.get(
    '/api/v1/payments/:id',
    { schema: { tags, summary: 'One of my payments, as the server knows it now', params: IdParam, response: { 200: Payment } } },
    async (request) => toPaymentView(await getPayment(request.ctx.db, principalOf(request).accountId, request.params.id)),
  );

  app.post(
    '/api/v1/payments/:id/refresh',
    {
      config: { errors: ['PAYMENT_PROCESSOR_UNAVAILABLE'] },
      schema: {
        tags,
        summary: 'Ask the processor now how one of my payments stands (back from the payment page)',
        description:
          'For an unfinished card payment, otpbox reads the Checkout Session back from Stripe at once (at most every few seconds) and applies what Stripe says, as its webhook would: a late or lost webhook does not leave the payment pending. Never trusts the redirect. Answers the payment as it now stands; for other payments, as `GET` does.',
        params: IdParam,
        response: { 200: Payment },
      },
    },
    async (request) =>
      toPaymentView(await refreshPayment(request.ctx, processors ?? {}, principalOf(request).accountId, request.params.id)),
  );

  app.get(
    '/api/v1/payments/:id/receipt',
    {
      config: { errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'The receipt of one of my paid payments',
        description: 'Who sold what, for how much, when, how it was paid and what was refunded. 409 `CONFLICT` until the payment is paid.',
        params: IdParam,
        response: { 200: PaymentReceipt },
      },
    },
    async (request) => getReceipt(request.ctx, principalOf(request).accountId, request.params.id),
  );

  app.get(
    '/api/v1/subscriptions',
    {
      schema: {
        tags,
        summary: 'My plans: status, when the period ends, whether it renews',
        description:
          'A plan renews at `currentPeriodEnd` unless cancelled before. Card plans are cancelled in the customer portal (POST …/portal); app-store plans in the store.',
        response: { 200: z.object({ subscriptions: z.array(PaymentSubscription) }) },
      },
    },
    async (request) => ({ subscriptions: await listSubscriptions(request.ctx.db, principalOf(request).accountId) }),
  );

  app.post(
    '/api/v1/subscriptions/:id/portal',
    {
      config: { errors: ['CONFLICT', 'PAYMENT_METHOD_UNAVAILABLE', 'PAYMENT_PROCESSOR_UNAVAILABLE'] },
      schema: {
        tags,
        summary: 'A page where I manage (cancel) a card plan: Stripe’s customer portal',
        params: IdParam,
        response: { 200: z.object({ url: z.string() }) },
      },
    },
    async (request) => openSubscriptionPortal(request.ctx, processors ?? {}, principalOf(request).accountId, request.params.id),
  );
};
