import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addPackage,
  CreditPackage,
  disablePackage,
  listPackagesForStaff,
  type StaffPackageRow,
  toPackageView,
} from '../../modules/payments/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf, STAFF } from '../auth.ts';
import { Text } from '../schemas.ts';
import { Reason } from './admin-providers.ts';

const Interval = CreditPackage.shape.interval;

const StaffPackage = z
  .object({
    id: z.string(),
    code: z.string().describe('What customers send as `package` to buy it'),
    credits: z.number().int().describe('Credits it gives (each period, for a plan)'),
    price: z.number().int().describe('In the smallest unit of its currency (cents for USD)'),
    currency: z.string().describe('ISO 4217'),
    interval: Interval,
    storeProduct: z.string().nullable().describe('The App Store / Google Play product id that buys it in the mobile app'),
    active: z.boolean().describe('On sale; a disabled package is kept for the payments that name it'),
    sold: z.number().int().describe('Payments for it that were paid (refunded ones included)'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'StaffPackage' });

const toStaffPackage = (row: StaffPackageRow) => ({
  id: row.id,
  ...toPackageView(row),
  active: row.active,
  sold: row.sold,
  createdAt: row.createdAt.toISOString(),
});

const Code = Text.trim().min(1).max(64);
const actorCtx = (request: FastifyRequest) => ({ ...request.ctx, actor: principalOf(request).accountId });

/**
 * The console's Packages page: the credit packages and plans customers buy (support and admin read),
 * added and disabled by admins through the same module functions as `otpbox packages add|disable`,
 * each one transaction with its audit row and the staff member's reason. Packages are never edited
 * (payments name them): a new price is a new package, the old one disabled.
 */
export const adminPackageRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/api/v1/admin/packages',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'The credit packages and plans, on sale or disabled, with how many were sold (support, admin)',
        response: { 200: z.object({ packages: z.array(StaffPackage) }) },
      },
    },
    async (request) => ({ packages: (await listPackagesForStaff(request.ctx.db)).map(toStaffPackage) }),
  );

  app.post(
    '/api/v1/admin/packages',
    {
      config: { access: ADMIN, errors: ['VALIDATION_FAILED', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Sell a pack of credits, or with `interval` a plan that grants them every period (admin; audited)',
        description:
          'The code is 1–64 letters, digits, dots, dashes or underscores; a code or store product already used is refused with ' +
          '`CONFLICT` (packages are never edited: payments name them). The price is in the currency’s smallest unit.',
        body: z.object({
          code: Code,
          credits: z.number().int().min(1).max(1_000_000_000_000),
          price: z.number().int().min(1).max(1_000_000_000_000).describe('In the smallest unit of its currency (cents for USD)'),
          currency: Text.trim().min(3).max(3).describe('ISO 4217: USD, EUR, …'),
          interval: Interval.unwrap().optional(),
          storeProduct: Text.trim().min(1).max(200).optional(),
          reason: Reason,
        }),
        response: { 201: StaffPackage },
      },
    },
    async (request, reply) => {
      const { code, credits, price, currency, interval, storeProduct, reason } = request.body;
      const row = await addPackage(
        actorCtx(request),
        { code, credits, priceMinor: price, currency, interval, storeProductId: storeProduct },
        reason,
      );
      return reply.code(201).send(toStaffPackage({ ...row, sold: 0 }));
    },
  );

  app.post(
    '/api/v1/admin/packages/:code/disable',
    {
      config: { access: ADMIN, errors: ['NOT_FOUND'] },
      schema: {
        tags,
        summary: 'Stop selling a package (admin; audited): payments already made keep it',
        params: z.object({ code: Code }),
        body: z.object({ reason: Reason }),
        response: { 200: z.object({ disabled: z.boolean().describe('false: it was already disabled') }) },
      },
    },
    async (request) => disablePackage(actorCtx(request), request.params.code, request.body.reason),
  );
};
