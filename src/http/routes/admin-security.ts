import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NextCursor } from '../../lib/api-schemas.ts';
import { DomainError } from '../../lib/errors.ts';
import type { StaffRead } from '../../modules/privacy/index.ts';
import {
  AuditEntry,
  accountExists,
  currentLockouts,
  Lockout,
  liftLockout,
  SecurityEventType,
  StaffSecurityEvent,
  searchAuditLog,
  searchSecurityEvents,
} from '../../modules/security/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf } from '../auth.ts';
import { pageOf } from '../paging.ts';
import { AccessReason, idCursor, Limit, Text } from '../schemas.ts';
import { logStaffRead } from '../staff-reads.ts';
import { Reason } from './admin-providers.ts';

const AccountFilter = Text.trim().min(1).max(64).optional().describe('Only this account (logged as a staff read of its data)');
const cursorOf = (prefix: string) => idCursor(prefix).optional().describe('`nextCursor` of the previous page');
/** Why staff read one account's records, optional: `X-Access-Reason` header or `reason` query parameter (staff access log). */

/** A filter on one account is a read of that customer's data: logged before the answer, refused (404) for an unknown account. */
async function logAccountRead(request: FastifyRequest, accountId: string | undefined, what: StaffRead): Promise<void> {
  if (!accountId) return;
  if (!(await accountExists(request.ctx, accountId))) throw new DomainError('NOT_FOUND', 'No such account.');
  await logStaffRead(request, accountId, what);
}

/** Without a filter, the page is a read of each account it shows: each is logged, before the answer. */
async function logPageReads(request: FastifyRequest, rows: { accountId: string | null }[], what: StaffRead): Promise<void> {
  for (const accountId of new Set(rows.map((row) => row.accountId))) if (accountId) await logStaffRead(request, accountId, what);
}

/**
 * The console's security review: security events across accounts, current lockouts (which an admin
 * may lift), the staff audit log. Admin only: they show every customer's networks and browsers, and what each staff member did
 * and why — support staff see one customer's events through that customer's page.
 */
export const adminSecurityRoutes: FastifyPluginAsync<AppDeps> = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  app.get(
    '/api/v1/admin/security/events',
    {
      config: { access: ADMIN, errors: ['NOT_FOUND', 'VALIDATION_FAILED'] },
      schema: {
        tags,
        summary: 'Security events across accounts, newest first: by type, account and period (admin)',
        description:
          'With `accountId`: only that account. Each account on the page sees the read under "Who accessed my data". ' +
          'An unknown query parameter is refused (400), so a mistyped filter never reads everything.',
        headers: z.object({ 'x-access-reason': AccessReason }),
        querystring: z.object({
          type: SecurityEventType.optional(),
          accountId: AccountFilter,
          from: z.iso.datetime({ offset: true }).optional().describe('From this moment'),
          to: z.iso.datetime({ offset: true }).optional().describe('Before this moment (exclusive)'),
          cursor: cursorOf('sev'),
          limit: Limit,
          reason: AccessReason,
        }),
        response: { 200: z.object({ events: z.array(StaffSecurityEvent), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { type, accountId, from, to, cursor, limit } = request.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) throw new DomainError('VALIDATION_FAILED', '`from` must be before `to`.');
      await logAccountRead(request, accountId, 'account.security_events');
      const rows = await searchSecurityEvents(request.ctx, {
        type,
        accountId,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
        before: cursor,
        limit,
      });
      const { items, nextCursor } = pageOf(rows, limit, (row) => row.id);
      if (!accountId) await logPageReads(request, items, 'account.security_events');
      return { events: items, nextCursor };
    },
  );

  app.get(
    '/api/v1/admin/security/lockouts',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'What the sign-in throttles block now: names, devices, networks, second factors (admin)',
        description: 'The latest blocks first, at most 500. Names and addresses are keyed hashes; each entry has a short reference.',
        response: { 200: z.object({ lockouts: z.array(Lockout) }) },
      },
    },
    async (request) => ({ lockouts: await currentLockouts(request.ctx) }),
  );

  app.post(
    '/api/v1/admin/security/lockouts/:ref/lift',
    {
      config: { access: ADMIN, errors: ['NOT_FOUND', 'VALIDATION_FAILED'] },
      schema: {
        tags,
        summary: 'Lift a block of the sign-in throttles before it runs out (admin)',
        description:
          'The block is named by its `ref` in the list. Its count of failures starts again, as after a successful sign-in. Audited with the reason (`security.lockout_lifted`).',
        params: z.object({
          ref: z
            .string()
            .regex(/^[0-9a-f]{12}$/, 'a reference is 12 hexadecimal digits')
            .describe('The lockout’s `ref`, as the list shows it'),
        }),
        body: z.object({ reason: Reason }),
        response: { 200: z.object({ lockout: Lockout.describe('The block as it was when lifted') }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const lockout = await liftLockout(request.ctx, {
        ref: request.params.ref,
        reason: request.body.reason,
        staff: { accountId: principal.accountId, role: principal.role },
        requestId: request.id,
      });
      return { lockout };
    },
  );

  app.get(
    '/api/v1/admin/security/audit',
    {
      config: { access: ADMIN, errors: ['NOT_FOUND'] },
      schema: {
        tags,
        summary: 'The staff audit log: who did what, to which account, when and why (admin)',
        description:
          'With `accountId`: only that account. Each account on the page sees the read under "Who accessed my data". ' +
          'An unknown query parameter is refused (400), so a mistyped filter never reads everything.',
        headers: z.object({ 'x-access-reason': AccessReason }),
        querystring: z.object({
          action: Text.trim().min(1).max(100).optional().describe('Only this action (e.g. `support.answered`)'),
          actor: Text.trim().min(1).max(64).optional().describe('Only what this staff account (or `cli`, `system`) did'),
          accountId: AccountFilter,
          cursor: cursorOf('aud'),
          limit: Limit,
          reason: AccessReason,
        }),
        response: { 200: z.object({ entries: z.array(AuditEntry), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const { action, actor, accountId, cursor, limit } = request.query;
      await logAccountRead(request, accountId, 'account.audit_log');
      const rows = await searchAuditLog(request.ctx, { action, actor, accountId, before: cursor, limit });
      const { items, nextCursor } = pageOf(rows, limit, (row) => row.id);
      if (!accountId) await logPageReads(request, items, 'account.audit_log');
      return { entries: items, nextCursor };
    },
  );
};
