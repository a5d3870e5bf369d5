import { eq } from 'drizzle-orm';
import { accounts } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { withOpenedEmail } from './email.ts';

export type AccountRow = typeof accounts.$inferSelect;

/**
 * An account as staff see it when they look it up by id (support, admin), its address opened (null once
 * erased); NOT_FOUND when there is none.
 */
export async function lookupAccount(ctx: Ctx, id: string): Promise<AccountRow> {
  const [account] = await ctx.db.select().from(accounts).where(eq(accounts.id, id)).limit(1);
  if (!account) throw new DomainError('NOT_FOUND', 'No such account.');
  return withOpenedEmail(ctx, account);
}
