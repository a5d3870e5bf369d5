import { eq, inArray } from 'drizzle-orm';
import { accounts, activations } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { emailLookupHash, normalisePhone, openFor, phoneLookupHash } from '../keyring/index.ts';
import type { StaffAccountSummaryView } from './schemas.ts';

export type SearchedBy = 'account_id' | 'order_id' | 'email' | 'number';

/** What a search term is, by its shape: an account id, an order id, an e-mail address, or a rented number. */
export function searchKind(term: string): SearchedBy | undefined {
  if (/^acc_[0-9a-z]{26}$/.test(term)) return 'account_id';
  if (/^act_[0-9a-z]{26}$/.test(term)) return 'order_id';
  if (/^[^\s@]+@[^\s@]+$/.test(term)) return 'email';
  if (/^\+?[\d\s().-]{6,24}$/.test(term) && normalisePhone(term).length >= 6) return 'number';
  return undefined;
}

/**
 * Find accounts by one exact term. Nothing is opened to search: the e-mail and the rented number are
 * matched by their keyed hashes (both sealed under each account's key, ADR 28), ids by themselves.
 * Exact matches only (no prefix search over sealed data), at most 50 accounts.
 */
export async function searchAccounts(
  ctx: Ctx,
  rawTerm: string,
): Promise<{ by: SearchedBy | undefined; accounts: StaffAccountSummaryView[] }> {
  const term = rawTerm.trim();
  const by = searchKind(term);
  let ids: string[] = [];
  if (by === 'account_id') ids = [term];
  else if (by === 'email') {
    const rows = await ctx.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.emailHash, emailLookupHash(ctx.keys, term)));
    ids = rows.map((row) => row.id);
  } else if (by === 'order_id' || by === 'number') {
    const rows = await ctx.db
      .selectDistinct({ id: activations.accountId })
      .from(activations)
      .where(by === 'order_id' ? eq(activations.id, term) : eq(activations.phoneHash, phoneLookupHash(ctx.keys, term)))
      .limit(50);
    ids = rows.map((row) => row.id);
  }
  if (ids.length === 0) return { by, accounts: [] };
  const rows = await ctx.db.select().from(accounts).where(inArray(accounts.id, ids)).limit(50);
  const found = await Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      kind: row.kind,
      email: await openFor(ctx, row.id, 'accounts.email', row.id, row.email),
      role: row.role,
      status: row.status,
      createdAt: row.createdAt,
    })),
  );
  return { by, accounts: found.sort((a, b) => (a.id < b.id ? 1 : -1)) };
}
