import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import {
  findPaymentsForStaff,
  PaymentMethod,
  PaymentStatus,
  type PaymentWithPackage,
  paymentForStaff,
  refundPayment,
} from '../../modules/payments/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf, STAFF } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { AccessReason, IdParam, idCursor, Text } from '../schemas.ts';
import { customersOnlyFor, logStaffRead, refuseStaffAccountToSupport } from '../staff-reads.ts';
import { Reason } from './admin-providers.ts';

const StaffPayment = z
  .object({
    id: z.string(),
    accountId: z.string(),
    email: z.string().nullable().describe('The customer’s address (null for device accounts and erased ones)'),
    status: PaymentStatus,
    method: PaymentMethod,
    processor: z.string(),
    package: z.string(),
    credits: z.number().int(),
    amount: z.number().int().describe('Minor units (cents)'),
    currency: z.string(),
    refunded: z.number().int().describe('Minor units refunded so far'),
    creditsTakenBack: z.number().int(),
    dispute: z.enum(['none', 'open', 'won', 'lost']),
    failureReason: z.string().nullable(),
    processorRef: z.string().nullable(),
    createdAt: z.iso.datetime(),
    paidAt: z.iso.datetime().nullable(),
    refundedAt: z.iso.datetime().nullable(),
    disputedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'StaffPayment' });

const iso = (date: Date | null) => date?.toISOString() ?? null;
const toStaffPayment = (row: PaymentWithPackage & { email: string | null }) => ({
  id: row.id,
  accountId: row.accountId,
  email: row.email,
  status: row.status,
  method: row.method,
  processor: row.processor,
  package: row.packageCode,
  credits: row.credits,
  amount: row.amountMinor,
  currency: row.currency,
  refunded: row.refundedMinor,
  creditsTakenBack: row.creditsReversed,
  dispute: row.disputeStatus,
  failureReason: row.failureReason,
  processorRef: row.processorRef,
  createdAt: row.createdAt.toISOString(),
  paidAt: iso(row.paidAt),
  refundedAt: iso(row.refundedAt),
  disputedAt: iso(row.disputedAt),
});

/**
 * The console's Payments page (ADR 35): every payment, filtered (support and admin), one payment, and
 * the admin's refund through `refundPayment` — what `otpbox payments refund` does: Stripe refunds it,
 * the credits are taken back in proportion, audited with the reason. Each customer's payments read is
 * logged as a staff access (the whole list's too, once per customer it shows).
 */
export const adminPaymentRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/api/v1/admin/payments',
    {
      config: { access: STAFF, errors: ['VALIDATION_FAILED'] },
      schema: {
        tags,
        summary: 'Payments, newest first, filtered by status (`disputed`: the disputes), method, customer and date (support, admin)',
        querystring: z.object({
          status: PaymentStatus.optional(),
          method: PaymentMethod.optional(),
          accountId: Text.trim().max(64).optional(),
          from: z.iso.datetime({ offset: true }).optional().describe('Created at or after'),
          to: z.iso.datetime({ offset: true }).optional().describe('Created before'),
          cursor: idCursor('pay').optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          reason: AccessReason.describe('Why staff read it (kept in the staff access log)'),
        }),
        response: { 200: z.object({ items: z.array(StaffPayment), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const q = request.query;
      const from = q.from === undefined ? undefined : new Date(q.from);
      const to = q.to === undefined ? undefined : new Date(q.to);
      if (from && to && from >= to) throw new DomainError('VALIDATION_FAILED', '`from` must come before `to`.');
      if (q.accountId) await refuseStaffAccountToSupport(request, q.accountId);
      const rows = await findPaymentsForStaff(request.ctx, {
        status: q.status,
        method: q.method,
        accountId: q.accountId,
        from,
        to,
        cursor: q.cursor,
        limit: q.limit,
      });
      const page = pageOf(rows, q.limit, (row) => row.id);
      const items = await customersOnlyFor(request, page.items);
      for (const accountId of new Set(items.map((row) => row.accountId))) await logStaffRead(request, accountId, 'payment.list');
      return { items: items.map(toStaffPayment), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/admin/payments/:id',
    {
      config: { access: STAFF, errors: ['NOT_FOUND'] },
      schema: {
        tags,
        summary: 'One payment: amounts, refunds, dispute, its customer (support, admin)',
        params: IdParam,
        querystring: z.object({ reason: AccessReason }),
        response: { 200: StaffPayment },
      },
    },
    async (request) => {
      const row = await paymentForStaff(request.ctx, request.params.id);
      await refuseStaffAccountToSupport(request, row.accountId);
      await logStaffRead(request, row.accountId, 'payment.detail');
      return toStaffPayment(row);
    },
  );

  app.post(
    '/api/v1/admin/payments/:id/refund',
    {
      config: {
        access: ADMIN,
        errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT', 'PAYMENT_METHOD_UNAVAILABLE', 'PAYMENT_PROCESSOR_UNAVAILABLE'],
      },
      schema: {
        tags,
        summary: 'Refund a card payment in full or in part through Stripe; its credits are taken back in proportion (admin)',
        params: IdParam,
        body: z.object({
          amount: z.number().int().min(1).optional().describe('Minor units to refund; the whole rest when absent'),
          refundedBefore: z
            .number()
            .int()
            .min(0)
            .optional()
            .describe('The refunded total (minor units) you saw: 409 when the payment has been refunded further since'),
          reason: Reason,
        }),
        response: {
          200: z.object({ payment: StaffPayment, refundId: z.string(), refunded: z.number().int(), creditsTakenBack: z.number().int() }),
        },
      },
    },
    async (request) => {
      const ctx = { ...request.ctx, actor: principalOf(request).accountId };
      const outcome = await refundPayment(ctx, deps.payments ?? {}, request.params.id, request.body.reason, {
        amountMinor: request.body.amount,
        refundedBefore: request.body.refundedBefore,
      });
      const payment = await paymentForStaff(request.ctx, request.params.id);
      return {
        payment: toStaffPayment(payment),
        refundId: outcome.refundId,
        refunded: outcome.refundedMinor,
        creditsTakenBack: -outcome.creditsMoved,
      };
    },
  );
};
