import { eq, type SQL } from 'drizzle-orm';
import { accounts } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { emailLookupHash, normaliseEmail, openFor, readAccountKeys, sealFor } from '../keyring/index.ts';

/** E-mail addresses are compared trimmed and lower-cased (ASVS: normalise identifiers before use). */
export { normaliseEmail };

/**
 * The address is sealed under the account's key (ADR 28); accounts are found by its keyed hash, so
 * sign-in, sign-up uniqueness and password reset never need the address in clear in the database.
 */
export const byEmail = (ctx: Ctx, email: string): SQL => eq(accounts.emailHash, emailLookupHash(ctx.keys, email));

/** The columns that store an address for an account: sealed, and its keyed hash. */
export async function emailColumns(ctx: Ctx, accountId: string, email: string): Promise<{ email: string; emailHash: string }> {
  const normalised = normaliseEmail(email);
  return {
    email: await sealFor(ctx, accountId, 'accounts.email', accountId, normalised),
    emailHash: emailLookupHash(ctx.keys, normalised),
  };
}

/** The row with its address opened (null when it has none, or when the account was erased). */
export async function withOpenedEmail<T extends { id: string; email: string | null }>(ctx: Ctx, row: T): Promise<T>;
export async function withOpenedEmail<T extends { id: string; email: string | null }>(ctx: Ctx, row: T | undefined): Promise<T | undefined>;
export async function withOpenedEmail<T extends { id: string; email: string | null }>(
  ctx: Ctx,
  row: T | undefined,
): Promise<T | undefined> {
  if (!row || row.email === null) return row;
  return { ...row, email: await openFor(ctx, row.id, 'accounts.email', row.id, row.email) };
}

/** Many rows' addresses opened with one keyring read (staff lists). */
export async function withOpenedEmails<T extends { id: string; email: string | null }>(ctx: Ctx, rows: T[]): Promise<T[]> {
  const keys = await readAccountKeys(
    ctx,
    rows.filter((row) => row.email !== null).map((row) => row.id),
  );
  return rows.map((row) =>
    row.email === null ? row : { ...row, email: keys.get(row.id)?.open('accounts.email', row.id, row.email) ?? null },
  );
}
