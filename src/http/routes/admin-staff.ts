import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createStaffAsAdmin, EnrolmentLinkView, listStaff, resetSecondFactorAsAdmin, StaffMember } from '../../modules/console/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf } from '../auth.ts';
import { Email, IdParam } from '../schemas.ts';
import { Reason } from './admin-providers.ts';

const staffOf = (request: FastifyRequest) => {
  const principal = principalOf(request);
  return { accountId: principal.accountId, role: principal.role };
};

/**
 * The console's Staff page (admins only): the staff accounts with their second factor and last sign-in,
 * a new staff account with its one-time enrolment link (`otpbox admin create`), and a second factor
 * reset with a new link (`otpbox admin enrol`). Each change needs a reason and is one audit row. The
 * links are answered once and stored only as hashes; the last admin with a second factor is never
 * reset, demoted or suspended from the console.
 */
export const adminStaffRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/api/v1/admin/staff',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'The staff accounts: role, second factor, pending enrolment link, last sign-in (admin)',
        response: { 200: z.object({ staff: z.array(StaffMember) }) },
      },
    },
    async (request) => ({ staff: await listStaff(request.ctx) }),
  );

  app.post(
    '/api/v1/admin/staff',
    {
      config: { access: ADMIN, errors: ['VALIDATION_FAILED', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Create a staff account and its one-time enrolment link (admin; audited)',
        description:
          'The link (valid 24 hours, one use) is in this answer only: give it to the new staff member. Enrolling through it, they choose their own password: no one else ever knows it, and the account cannot sign in before (a `password` field, which this operation once took, is ignored). ' +
          'They sign in only after enrolling their authenticator through it. An address that already has an account is refused ' +
          '(`CONFLICT`): change that account’s role instead.',
        body: z.object({
          email: Email,
          role: z.enum(['support', 'admin']),
          reason: Reason,
        }),
        response: { 201: z.object({ accountId: z.string(), enrolment: EnrolmentLinkView }) },
      },
    },
    async (request, reply) => {
      const { email, role, reason } = request.body;
      const created = await createStaffAsAdmin(request.ctx, {
        staff: staffOf(request),
        email,
        role,
        reason,
        requestId: request.id,
      });
      return reply.code(201).send(created);
    },
  );

  app.post(
    '/api/v1/admin/staff/:id/reset-second-factor',
    {
      config: { access: ADMIN, errors: ['NOT_FOUND', 'CONFLICT'] },
      schema: {
        tags,
        summary: 'Reset a staff member’s second factor: their factor and sessions end, a new enrolment link is answered once (admin)',
        description:
          'For a lost or replaced phone. Refused for one’s own account and for the last admin with a second factor (`CONFLICT`).',
        params: IdParam,
        body: z.object({ reason: Reason }),
        response: { 200: z.object({ enrolment: EnrolmentLinkView }) },
      },
    },
    async (request) =>
      resetSecondFactorAsAdmin(request.ctx, {
        staff: staffOf(request),
        accountId: request.params.id,
        reason: request.body.reason,
        requestId: request.id,
      }),
  );
};
