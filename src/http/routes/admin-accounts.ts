import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import { lookupAccount, ROLES, setRole, suspendAccount, unsuspendAccount } from '../../modules/accounts/index.ts';
import { recordStaffAccess, type StaffRead } from '../../modules/privacy/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf, STAFF } from '../auth.ts';
import { IdParam, Text } from '../schemas.ts';

const AccountView = z.object({
  id: z.string(),
  kind: z.enum(['email', 'device']),
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  role: z.enum(ROLES),
  status: z.enum(['active', 'suspended', 'deleted']),
  suspendedReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

/** Why staff read a customer's data, optional: `X-Access-Reason` header or `reason` query parameter. */
const AccessReason = Text.trim().max(500).optional();

/**
 * Log a staff read of a customer's data before the answer goes out (privacy: the staff access log); a
 * failure to log fails the read. Every admin route that reads one account's data calls this.
 */
async function logStaffRead(request: FastifyRequest, accountId: string, what: StaffRead): Promise<void> {
  const principal = principalOf(request);
  const headers = request.headers as { 'x-access-reason'?: string };
  const query = request.query as { reason?: string };
  await recordStaffAccess(request.ctx, {
    accountId,
    staff: { accountId: principal.accountId, role: principal.role },
    what,
    reason: headers['x-access-reason'] || query.reason,
    requestId: request.id,
  });
}

/** Staff actions on accounts. Acting on one's own account is refused (no self-lockout, no self-promotion). */
export const adminAccountRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];
  const notSelf = (actorId: string, targetId: string) => {
    if (actorId === targetId) throw new DomainError('CONFLICT', 'Staff cannot change their own account this way.');
  };

  app.get(
    '/api/v1/admin/accounts/:id',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Look up an account (support, admin)',
        description: 'Logged as a staff read the customer sees under "Who accessed my data", with the reason given, if any.',
        params: IdParam,
        headers: z.object({ 'x-access-reason': AccessReason }),
        querystring: z.object({ reason: AccessReason }),
        response: { 200: AccountView },
      },
    },
    async (request) => {
      const account = await lookupAccount(request.ctx, request.params.id);
      await logStaffRead(request, account.id, 'account.profile');
      return {
        id: account.id,
        kind: account.kind,
        email: account.email,
        emailVerified: account.emailVerifiedAt !== null,
        role: account.role,
        status: account.status,
        suspendedReason: account.suspendedReason,
        createdAt: account.createdAt.toISOString(),
      };
    },
  );

  app.post(
    '/api/v1/admin/accounts/:id/suspend',
    {
      config: { access: STAFF, errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'Suspend an account: its sessions end and every request is refused',
        params: IdParam,
        body: z.object({ reason: Text.trim().min(3).max(500) }),
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const actor = principalOf(request).accountId;
      notSelf(actor, request.params.id);
      await suspendAccount({ ...request.ctx, actor }, request.params.id, request.body.reason);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admin/accounts/:id/unsuspend',
    {
      config: { access: STAFF, errors: ['CONFLICT'] },
      schema: { tags, summary: 'Lift a suspension', params: IdParam, response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      const actor = principalOf(request).accountId;
      notSelf(actor, request.params.id);
      await unsuspendAccount({ ...request.ctx, actor }, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admin/accounts/:id/role',
    {
      config: { access: ADMIN, errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'Change the role of an account (admin)',
        params: IdParam,
        body: z.object({ role: z.enum(ROLES) }),
        response: { 200: z.object({ from: z.enum(ROLES), to: z.enum(ROLES) }) },
      },
    },
    async (request) => {
      const actor = principalOf(request).accountId;
      notSelf(actor, request.params.id);
      return setRole({ ...request.ctx, actor }, request.params.id, request.body.role);
    },
  );
};
