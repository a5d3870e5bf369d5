import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import { DomainError } from '../../lib/errors.ts';
import { recordSecurityEvent } from '../../modules/accounts/index.ts';
import { AccountExportDocument, exportAccountData, listStaffAccess, StaffAccess } from '../../modules/privacy/index.ts';
import type { AppDeps } from '../app.ts';
import { principalOf } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { idCursor, Limit } from '../schemas.ts';

/**
 * How many copies an account may download: building one reads every table the account has rows in,
 * so it is limited well below the API limit (across instances, like the API limit: ADR 43).
 */
export const EXPORT_LIMIT = { limit: 5, windowMs: 60 * 60_000 } as const;

/** The customer's rights of access and portability (P11): their data as a file, and who among the staff read it. */
export const privacyExportRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['privacy'];
  const exports = deps.limits.limiter('privacy-export', EXPORT_LIMIT.limit, EXPORT_LIMIT.windowMs);

  app.get(
    '/api/v1/privacy/export',
    {
      // An API key sits in scripts and on servers: one that leaks must not carry away the whole account.
      config: { signedInOnly: { what: 'Download your data', keyCannot: 'export an account' }, errors: ['NOT_FOUND'] },
      schema: {
        tags,
        summary: 'Download everything held about my account (one JSON file)',
        description:
          'Every record of the account, one section per kind, each with its purpose, legal basis and retention; secrets and hashes ' +
          'are left out, with the reason. Sent as an attachment (`otpbox-export-<date>.json`). ' +
          `At most ${EXPORT_LIMIT.limit} copies an hour.`,
        response: { 200: AccountExportDocument },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const hit = exports.hit(principal.accountId);
      if (!hit.allowed) {
        throw new DomainError('RATE_LIMITED', `At most ${EXPORT_LIMIT.limit} copies of your data an hour; try again later.`, {
          retryAfterSeconds: Math.ceil(hit.retryAfterMs / 1000),
        });
      }
      const document = await exportAccountData(request.ctx, { accountId: principal.accountId, policyVersion: deps.policy.version });
      // Recorded before the first byte leaves: a copy that was asked for is on record even if its download breaks.
      await recordSecurityEvent(request.ctx, { type: 'data_exported', accountId: principal.accountId });
      reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${document.filename}"`)
        .header('cache-control', 'no-store');
      // A stream is sent as is (no serialiser): the schema above documents it.
      return reply.send(Readable.from(document.chunks) as unknown as z.infer<typeof AccountExportDocument>);
    },
  );

  app.get(
    '/api/v1/privacy/access-log',
    {
      schema: {
        tags,
        summary: 'Who accessed my data: every read by staff, newest first',
        querystring: z.object({ before: idCursor('sal').optional(), limit: Limit }),
        response: { 200: z.object({ items: z.array(StaffAccess), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const rows = await listStaffAccess(request.ctx, principalOf(request).accountId, { limit: limit + 1, before });
      return pageOf(rows, limit, (row) => row.id);
    },
  );
};
