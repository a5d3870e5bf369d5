import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts, type Role } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';

/**
 * Support staff act on customers only: a staff account's data, and actions on it, are for admins (the
 * console's rule, ADR 31). Refuses (FORBIDDEN, in `refusal`'s words) a support member reaching a staff
 * account; an account that does not exist is left to the caller's own NOT_FOUND. One place for the rule,
 * used wherever staff reach one account's data: profiles and lists (http/staff-reads.ts), support
 * conversations, rights requests.
 */
export async function refuseStaffAccountToSupport(db: Executor, staffRole: Role, accountId: string, refusal: string): Promise<void> {
  if (staffRole === 'admin') return;
  const [owner] = await db.select({ role: accounts.role }).from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (owner && owner.role !== 'customer') throw new DomainError('FORBIDDEN', refusal);
}
