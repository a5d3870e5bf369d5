import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CreditPackage, listPackages, toPackageView } from '../../modules/payments/index.ts';
import type { AppDeps } from '../app.ts';

/** Credit packages (public), checkout, and the customer's payments. */
export const paymentRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['payments'];

  app.get(
    '/api/v1/packages',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Credit packs and plans on sale, with their prices',
        response: { 200: z.object({ packages: z.array(CreditPackage) }) },
      },
    },
    async () => ({ packages: (await listPackages(deps.database.db, { activeOnly: true })).map(toPackageView) }),
  );
};
