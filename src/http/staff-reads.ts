import type { FastifyRequest } from 'fastify';
import { recordStaffAccess, type StaffRead } from '../modules/privacy/index.ts';
import { principalOf } from './auth.ts';

/**
 * Log a staff read of a customer's data before the answer goes out (privacy: the staff access log,
 * ADR 24); a failure to log fails the read. Why staff read is optional: the `X-Access-Reason` header,
 * else the `reason` query parameter. Every staff route that reads one account's data calls this.
 */
export async function logStaffRead(request: FastifyRequest, accountId: string, what: StaffRead): Promise<void> {
  const principal = principalOf(request);
  const headers = request.headers as { 'x-access-reason'?: string };
  const query = request.query as { reason?: string } | undefined;
  await recordStaffAccess(request.ctx, {
    accountId,
    staff: { accountId: principal.accountId, role: principal.role },
    what,
    reason: headers['x-access-reason'] || query?.reason,
    requestId: request.id,
  });
}
