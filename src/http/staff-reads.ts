import { inArray } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { accounts } from '../db/schema/index.ts';
import { DomainError } from '../lib/errors.ts';
import { recordStaffAccess, refuseStaffAccountToSupport as refuseStaffAccount, type StaffRead } from '../modules/privacy/index.ts';
import { principalOf } from './auth.ts';

/**
 * Support staff act on customers only: a staff account's profile, activity, orders and payments are
 * for admins. Refuses a support member's read aimed at one (FORBIDDEN); an account that does not exist
 * is left to the read itself (its NOT_FOUND).
 */
export async function refuseStaffAccountToSupport(request: FastifyRequest, accountId: string | { role: string }): Promise<void> {
  const { role } = principalOf(request);
  if (typeof accountId === 'string') return refuseStaffAccount(request.ctx.db, role, accountId, STAFF_DATA);
  if (role !== 'admin' && accountId.role !== 'customer') throw new DomainError('FORBIDDEN', STAFF_DATA);
}

const STAFF_DATA = "Only an admin can read a staff account's data.";

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

/**
 * A page of rows (orders, payments) as a support member may see it: the rows of staff accounts left
 * out (admins see every row). The page keeps its cursor: what is left out is skipped, not re-fetched.
 */
export async function customersOnlyFor<T extends { accountId: string }>(request: FastifyRequest, rows: T[]): Promise<T[]> {
  if (principalOf(request).role === 'admin' || rows.length === 0) return rows;
  const ids = [...new Set(rows.map((row) => row.accountId))];
  const found = await request.ctx.db.select({ id: accounts.id, role: accounts.role }).from(accounts).where(inArray(accounts.id, ids));
  const staff = new Set(found.filter((account) => account.role !== 'customer').map((account) => account.id));
  return staff.size === 0 ? rows : rows.filter((row) => !staff.has(row.accountId));
}
