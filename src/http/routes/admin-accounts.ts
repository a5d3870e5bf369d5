import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lookupAccount, ROLES, SecurityEvent, Session } from '../../modules/accounts/index.ts';
import {
  accountActivity,
  changeRoleAsStaff,
  deductCreditsAsStaff,
  endSessionsAsStaff,
  grantCreditsAsStaff,
  liftRestrictionAsStaff,
  MAX_GRANT,
  restrictAsStaff,
  StaffAccountSummary,
  StaffActionRecord,
  StaffOrder,
  StaffRental,
  searchAccounts,
  setSupportGrantLimits,
  supportGrantLimits,
  suspendAsStaff,
  unsuspendAsStaff,
} from '../../modules/console/index.ts';
import { StatementLine } from '../../modules/ledger/index.ts';
import { Payment } from '../../modules/payments/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf, STAFF } from '../auth.ts';
import { AccessReason, IdempotencyKey, IdParam, StaffReason, Text } from '../schemas.ts';
import { logStaffRead, refuseStaffAccountToSupport } from '../staff-reads.ts';

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
/** Why staff act on an account: required, audited, and shown to the customer. */
const Reason = StaffReason.describe('Why: required, kept in the audit log and shown to the customer');
const Purse = z.object({ available: z.number().int(), held: z.number().int() });

/** Who acts, on which account, why: what every console action records. */
function actionOf(request: FastifyRequest) {
  const principal = principalOf(request);
  const { id } = request.params as { id: string };
  const { reason } = request.body as { reason: string };
  return { staff: { accountId: principal.accountId, role: principal.role }, accountId: id, reason, requestId: request.id };
}

const KEYED =
  'Send an `Idempotency-Key` header (the console sends one per form) so that a retry — a double click, a request ' +
  'repeated after a timeout — moves the credits once: it is answered with the first transfer and `Idempotent-Replayed: true`.';
const CreditsMoved = z.object({ transferId: z.string(), amount: z.number().int() });

/** The amount and the form's key of a grant or a deduction. */
function creditsOf(request: FastifyRequest) {
  const { amount } = request.body as { amount: number };
  const key = request.headers['idempotency-key'];
  return { amount, ...(typeof key === 'string' ? { idempotencyKey: key } : {}) };
}

/** A grant's or a deduction's answer: 201 with the transfer, saying when it is the first request's. */
function sendMoved(reply: FastifyReply, moved: { transferId: string; amount: number; replayed: boolean }) {
  if (moved.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(201).send({ transferId: moved.transferId, amount: moved.amount });
}

/**
 * Staff reads and actions on accounts (the operator console, ADR 32). Every read is logged in the
 * staff access log; every action needs a reason, is audited (audit_log) and shown to the customer.
 * Acting on one's own account is refused (no self-lockout, no self-promotion, no self-grant).
 */
export const adminAccountRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];
  const readSchema = { headers: z.object({ 'x-access-reason': AccessReason }), querystring: z.object({ reason: AccessReason }) };

  app.get(
    '/api/v1/admin/accounts',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Find accounts by e-mail, account id, order id or rented number (support, admin)',
        description:
          'Exact matches only: the e-mail address and the rented number are compared by their keyed hashes (both are stored sealed). ' +
          'Each account found is logged as a staff read the customer sees under "Who accessed my data".',
        headers: readSchema.headers,
        querystring: z.object({ q: Text.trim().min(3).max(254), reason: AccessReason }),
        response: {
          200: z.object({
            by: z
              .enum(['account_id', 'order_id', 'email', 'number'])
              .nullable()
              .describe('What the term was taken for; null: none of these'),
            accounts: z.array(StaffAccountSummary),
          }),
        },
      },
    },
    async (request) => {
      const found = await searchAccounts(request.ctx, request.query.q);
      // Support staff act on customers only: staff accounts are not found for them.
      const visible =
        principalOf(request).role === 'admin' ? found.accounts : found.accounts.filter((account) => account.role === 'customer');
      for (const account of visible) await logStaffRead(request, account.id, 'account.search');
      return { by: found.by ?? null, accounts: visible };
    },
  );

  app.get(
    '/api/v1/admin/accounts/:id',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Look up an account (support, admin)',
        description: 'Logged as a staff read the customer sees under "Who accessed my data", with the reason given, if any.',
        params: IdParam,
        ...readSchema,
        response: { 200: AccountView },
      },
    },
    async (request) => {
      const account = await lookupAccount(request.ctx, request.params.id);
      await refuseStaffAccountToSupport(request, account);
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

  app.get(
    '/api/v1/admin/accounts/:id/activity',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary:
          "An account's balance and statement, orders, rentals, payments, sessions, security events and staff actions (support, admin)",
        description: 'The newest 50 of each. Logged as a staff read the customer sees under "Who accessed my data".',
        params: IdParam,
        ...readSchema,
        response: {
          200: z.object({
            balance: Purse.extend({ demo: Purse }),
            statement: z.array(StatementLine),
            orders: z.array(StaffOrder),
            rentals: z.array(StaffRental),
            payments: z.array(Payment),
            sessions: z.array(Session),
            securityEvents: z.array(SecurityEvent),
            staffActions: z.array(StaffActionRecord),
          }),
        },
      },
    },
    async (request) => {
      const account = await lookupAccount(request.ctx, request.params.id);
      // Support staff act on customers only: a staff account's sessions and sign-in events are for admins.
      await refuseStaffAccountToSupport(request, account);
      await logStaffRead(request, account.id, 'account.activity');
      return accountActivity(request.ctx, account.id);
    },
  );

  const action = { params: IdParam, body: z.object({ reason: Reason }) };

  app.post(
    '/api/v1/admin/accounts/:id/credits',
    {
      config: { access: STAFF, errors: ['CONFLICT', 'IDEMPOTENCY_KEY_REUSED'] },
      schema: {
        tags,
        summary: 'Grant credits (support up to the limit an admin sets; admin)',
        description: KEYED,
        params: IdParam,
        headers: z.object({ 'idempotency-key': IdempotencyKey }),
        body: z.object({ amount: z.number().int().min(1).max(MAX_GRANT), reason: Reason }),
        response: { 201: CreditsMoved },
      },
    },
    async (request, reply) => sendMoved(reply, await grantCreditsAsStaff(request.ctx, { ...actionOf(request), ...creditsOf(request) })),
  );

  app.post(
    '/api/v1/admin/accounts/:id/credits/deduct',
    {
      config: { access: ADMIN, errors: ['CONFLICT', 'INSUFFICIENT_CREDITS', 'IDEMPOTENCY_KEY_REUSED'] },
      schema: {
        tags,
        summary: 'Take credits back (admin): at most what the account has available',
        description: KEYED,
        params: IdParam,
        headers: z.object({ 'idempotency-key': IdempotencyKey }),
        body: z.object({ amount: z.number().int().min(1).max(MAX_GRANT), reason: Reason }),
        response: { 201: CreditsMoved },
      },
    },
    async (request, reply) => sendMoved(reply, await deductCreditsAsStaff(request.ctx, { ...actionOf(request), ...creditsOf(request) })),
  );

  app.post(
    '/api/v1/admin/accounts/:id/suspend',
    {
      config: { access: STAFF, errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'Suspend an account: its sessions end and every request is refused',
        ...action,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await suspendAsStaff(request.ctx, actionOf(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admin/accounts/:id/unsuspend',
    {
      // Support may suspend, not undo a suspension: an admin's decision (fraud, say) stays until an admin lifts it.
      config: { access: ADMIN, errors: ['CONFLICT'] },
      schema: { tags, summary: 'Lift a suspension (admin)', ...action, response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      await unsuspendAsStaff(request.ctx, actionOf(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admin/accounts/:id/restrict',
    {
      config: { access: STAFF, errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: "Restrict an account's wallet (a dispute): no spending until lifted",
        ...action,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await restrictAsStaff(request.ctx, actionOf(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admin/accounts/:id/lift-restriction',
    {
      config: { access: ADMIN, errors: ['CONFLICT'] },
      schema: { tags, summary: "Lift a wallet's restriction (the dispute is settled; admin)", ...action, response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      await liftRestrictionAsStaff(request.ctx, actionOf(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admin/accounts/:id/end-sessions',
    {
      config: { access: STAFF, errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'End every session of an account (browsers and apps sign in again)',
        ...action,
        response: { 200: z.object({ ended: z.number().int() }) },
      },
    },
    async (request) => endSessionsAsStaff(request.ctx, actionOf(request)),
  );

  app.post(
    '/api/v1/admin/accounts/:id/role',
    {
      config: { access: ADMIN, errors: ['CONFLICT'] },
      schema: {
        tags,
        summary: 'Change the role of an account (admin); its sessions end',
        description: 'A new staff account signs in only after enrolling a second factor: issue its link with `otpbox admin enrol`.',
        params: IdParam,
        body: z.object({ role: z.enum(ROLES), reason: Reason }),
        response: { 200: z.object({ from: z.enum(ROLES), to: z.enum(ROLES) }) },
      },
    },
    async (request) => changeRoleAsStaff(request.ctx, { ...actionOf(request), role: request.body.role }),
  );

  const Credits = z.number().int().min(0).max(MAX_GRANT);
  const Limit = z.object({
    credits: Credits.describe('At most this many credits in one grant'),
    perDay: Credits.describe('At most this many credits in all over any 24 hours, per support member'),
  });
  app.get(
    '/api/v1/admin/settings/support-grant-limit',
    {
      config: { access: STAFF },
      schema: { tags, summary: 'How many credits support staff may grant at a time, and in 24 hours', response: { 200: Limit } },
    },
    async (request) => supportGrantLimits(request.ctx),
  );

  app.post(
    '/api/v1/admin/settings/support-grant-limit',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Set how many credits support staff may grant at a time, and in 24 hours (admin; audited)',
        description: '`perDay` left out stays as it was.',
        body: Limit.extend({ perDay: Credits.optional(), reason: Reason }),
        response: { 200: Limit },
      },
    },
    async (request) => setSupportGrantLimits(request.ctx, { ...request.body, adminId: principalOf(request).accountId }),
  );
};
