import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import { ACTIVATION_STATUSES } from '../../modules/activations/index.ts';
import { MAX_ORDER_PAGE, orderLife, StaffOrderLife, StaffOrderListItem, searchOrders } from '../../modules/console/index.ts';
import type { AppDeps } from '../app.ts';
import { STAFF } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { AccessReason, IdParam, idCursor, Text } from '../schemas.ts';
import { customersOnlyFor, logStaffRead, refuseStaffAccountToSupport } from '../staff-reads.ts';

const OrderAccessReason = AccessReason.describe('Why staff read it (kept in the staff access log; also `X-Access-Reason`)');

/**
 * The console's Orders page (issue 19): every order, searched by id, compat order number or rented
 * number (its keyed hash, ADR 32) and filtered, numbers masked; and one order's whole life, its number
 * and messages opened. Each customer whose orders a page shows is logged as a staff read (once per
 * page), and every opened order too.
 */
export const adminOrderRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/api/v1/admin/orders',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Orders, newest first: search by order id, order number or rented number, and filter (support, admin)',
        description:
          '`q` is an order id (`act_…`), a numeric order number of the compatible APIs, or a rented number in any usual spelling ' +
          '(`+44 7700 900123`, digits, with spaces): numbers are matched by their keyed hash, exact matches only. Numbers are masked here.',
        headers: z.object({ 'x-access-reason': OrderAccessReason }),
        querystring: z.object({
          q: Text.trim().max(64).optional(),
          status: z.enum(ACTIVATION_STATUSES).optional(),
          service: Text.trim().max(16).optional(),
          country: Text.trim().max(8).optional(),
          provider: Text.trim().max(64).optional(),
          account: Text.trim().max(64).optional(),
          from: z.iso.datetime({ offset: true }).optional().describe('Created at or after'),
          to: z.iso.datetime({ offset: true }).optional().describe('Created before'),
          cursor: idCursor('act').optional(),
          limit: z.coerce.number().int().min(1).max(MAX_ORDER_PAGE).default(50),
          reason: OrderAccessReason,
        }),
        response: {
          200: z.object({
            by: z
              .enum(['order_id', 'order_number', 'number', 'order_number_or_number'])
              .nullable()
              .describe('What `q` was taken for; null without `q`, or when it is none of these'),
            items: z.array(StaffOrderListItem),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const from = q.from === undefined ? undefined : new Date(q.from);
      const to = q.to === undefined ? undefined : new Date(q.to);
      if (from && to && from >= to) throw new DomainError('VALIDATION_FAILED', '`from` must come before `to`.');
      if (q.account) await refuseStaffAccountToSupport(request, q.account);
      const found = await searchOrders(request.ctx, { ...q, from, to });
      const page = pageOf(found.rows, q.limit, (row) => row.id);
      const items = await customersOnlyFor(request, page.items);
      for (const accountId of new Set(items.map((row) => row.accountId))) await logStaffRead(request, accountId, 'order.list');
      return { by: found.by ?? null, items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/admin/orders/:id',
    {
      config: { access: STAFF, errors: ['NOT_FOUND'] },
      schema: {
        tags,
        summary:
          "One order's whole life: the order, its messages, transitions, ledger lines, webhook deliveries and provider tasks (support, admin)",
        description: 'The number and the messages are opened: logged as a staff read the customer sees under "Who accessed my data".',
        params: IdParam,
        headers: z.object({ 'x-access-reason': OrderAccessReason }),
        querystring: z.object({ reason: OrderAccessReason }),
        response: { 200: StaffOrderLife },
      },
    },
    async (request) => {
      const life = await orderLife(request.ctx, request.params.id, deps.activations.ephemeral);
      await refuseStaffAccountToSupport(request, life.order.accountId);
      await logStaffRead(request, life.order.accountId, 'order.detail');
      return life;
    },
  );
};
