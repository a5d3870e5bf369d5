import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';

export type AccountRow = typeof accounts.$inferSelect;

/** An account as staff see it when they look it up by id (support, admin); NOT_FOUND when there is none. */
export async function lookupAccount(db: Executor, id: string): Promise<AccountRow> {
  const [account] = await db.select().from(accounts).where(eq(accounts.id, id)).limit(1);
  if (!account) throw new DomainError('NOT_FOUND', 'No such account.');
  return account;
}
