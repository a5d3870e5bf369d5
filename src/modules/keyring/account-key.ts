import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { accountKeys, destroyedAccountKeys } from '../../db/schema/index.ts';
import { afterCommit } from '../../db/tx.ts';
import { LazyLru } from '../../lib/lazy-lru.ts';
import type { SecretKeys } from '../../lib/secrets.ts';
import type { Ctx } from '../context.ts';
import { type SealedField, sealedAad } from './fields.ts';
import { openBytesWith, openWith, sealWith } from './seal.ts';

/** Opening or sealing for an account whose key was destroyed (erased), or never made: callers show "erased". */
export class AccountKeyDestroyedError extends Error {
  override name = 'AccountKeyDestroyedError';
  constructor(readonly accountId: string) {
    super(`the data key of account ${accountId} was destroyed: its sealed data cannot be read`);
  }
}

/** One account's unwrapped data key, with the sealing bound to that account. */
export class AccountKey {
  readonly #key: Buffer;
  constructor(
    readonly accountId: string,
    key: Buffer,
    /** The SECRET_KEY derivations it was unwrapped with (a cached key serves only the same ones). */
    readonly keys: SecretKeys,
  ) {
    this.#key = key;
  }

  seal(field: SealedField, rowId: string, plaintext: string): string {
    return sealWith(this.#key, sealedAad(field, this.accountId, rowId), plaintext);
  }

  /** Throws `SealedValueError` when the value was not sealed here (another account, row or column, or tampered). */
  open(field: SealedField, rowId: string, sealed: string): string {
    return openWith(this.#key, sealedAad(field, this.accountId, rowId), sealed);
  }

  openNullable(field: SealedField, rowId: string, sealed: string | null): string | null {
    return sealed === null ? null : this.open(field, rowId, sealed);
  }
}

/** What reading keys needs: the database and the derived keys. */
export type KeyCtx = Pick<Ctx, 'db' | 'keys'>;

const wrapAad = (accountId: string) => `otpbox/keyring/account_keys\n${accountId}`;
const kek = (keys: SecretKeys) => keys.derive('account-keyring');

export const wrapKey = (keys: SecretKeys, accountId: string, key: Buffer): string => sealWith(kek(keys), wrapAad(accountId), key);
export const unwrapKey = (keys: SecretKeys, accountId: string, wrapped: string): Buffer =>
  openBytesWith(kek(keys), wrapAad(accountId), wrapped);

/**
 * Unwrapped keys, so the hot paths (polling, order creation) pay no query and no unwrap. Bounded, and
 * trusted for a limited time; an account's entry is dropped when its key is destroyed, on this instance
 * at once and on the others when the NOTIFY on the auth channel arrives (see `forgetAccountKey`).
 */
const cache = new LazyLru<string, AccountKey>({ max: 20_000, ttl: 15 * 60_000 });

const cached = (ctx: KeyCtx, accountId: string): AccountKey | undefined => {
  const hit = cache.made?.get(accountId);
  return hit && hit.keys === ctx.keys ? hit : undefined;
};

/** Drop an account's cached key (`'*'`: every account's); wired to the auth-change announcements. */
export function forgetAccountKey(accountId: string): void {
  if (accountId === '*') cache.made?.clear();
  else cache.made?.delete(accountId);
}

/** Whether an account's key is in this process's cache (for tests of the destruction). */
export const isAccountKeyCached = (accountId: string): boolean => cache.made?.has(accountId) ?? false;

function remember(ctx: KeyCtx, key: AccountKey): void {
  // Only once committed: a key made in a transaction that rolls back must never be used.
  afterCommit(ctx.db, () => cache.cache.set(key.accountId, key));
}

/**
 * The account's key for sealing: read from the keyring, or made (random 256 bits, wrapped) in the
 * caller's transaction when the account has none yet. Throws `AccountKeyDestroyedError` after erasure.
 */
export async function accountKeyForSealing(ctx: Ctx, accountId: string): Promise<AccountKey> {
  const hit = cached(ctx, accountId);
  if (hit) return hit;
  const existing = await readAccountKey(ctx, accountId);
  if (existing) return existing;
  const [destroyed] = await ctx.db
    .select({ accountId: destroyedAccountKeys.accountId })
    .from(destroyedAccountKeys)
    .where(eq(destroyedAccountKeys.accountId, accountId));
  if (destroyed) throw new AccountKeyDestroyedError(accountId);
  const fresh = randomBytes(32);
  const inserted = await ctx.db
    .insert(accountKeys)
    .values({ accountId, wrappedKey: wrapKey(ctx.keys, accountId, fresh), createdAt: ctx.clock.now() })
    .onConflictDoNothing()
    .returning({ accountId: accountKeys.accountId });
  if (inserted.length === 1) {
    const key = new AccountKey(accountId, fresh, ctx.keys);
    remember(ctx, key);
    return key;
  }
  // Another transaction made it first (and has committed: the insert waited for it).
  const made = await readAccountKey(ctx, accountId);
  if (!made) throw new AccountKeyDestroyedError(accountId);
  return made;
}

/** The account's key for opening: `undefined` when it was destroyed (or never made: nothing was sealed). */
export async function readAccountKey(ctx: KeyCtx, accountId: string): Promise<AccountKey | undefined> {
  const hit = cached(ctx, accountId);
  if (hit) return hit;
  const [row] = await ctx.db.select({ wrappedKey: accountKeys.wrappedKey }).from(accountKeys).where(eq(accountKeys.accountId, accountId));
  if (!row) return undefined;
  const key = new AccountKey(accountId, unwrapKey(ctx.keys, accountId, row.wrappedKey), ctx.keys);
  remember(ctx, key);
  return key;
}

/** The keys of several accounts in one query (lists: staff views, the data migration); destroyed ones are absent. */
export async function readAccountKeys(ctx: KeyCtx, accountIds: readonly string[]): Promise<Map<string, AccountKey>> {
  const found = new Map<string, AccountKey>();
  const missing: string[] = [];
  for (const accountId of new Set(accountIds)) {
    const hit = cached(ctx, accountId);
    if (hit) found.set(accountId, hit);
    else missing.push(accountId);
  }
  for (let i = 0; i < missing.length; i += 500) {
    const rows = await ctx.db
      .select()
      .from(accountKeys)
      .where(inArray(accountKeys.accountId, missing.slice(i, i + 500)));
    for (const row of rows) {
      const key = new AccountKey(row.accountId, unwrapKey(ctx.keys, row.accountId, row.wrappedKey), ctx.keys);
      remember(ctx, key);
      found.set(row.accountId, key);
    }
  }
  return found;
}

/** Seal one value for an account (making its key if needed, in the caller's transaction). */
export async function sealFor(ctx: Ctx, accountId: string, field: SealedField, rowId: string, plaintext: string): Promise<string> {
  return (await accountKeyForSealing(ctx, accountId)).seal(field, rowId, plaintext);
}

/** Open one value of an account: `null` when the value is null or the account's key was destroyed (erased). */
export async function openFor(
  ctx: Ctx,
  accountId: string,
  field: SealedField,
  rowId: string,
  sealed: string | null,
): Promise<string | null> {
  if (sealed === null) return null;
  const key = await readAccountKey(ctx, accountId);
  return key ? key.open(field, rowId, sealed) : null;
}

/** Like `openFor`, but a destroyed key is an `AccountKeyDestroyedError` rather than `null`. */
export async function openStrict(ctx: KeyCtx, accountId: string, field: SealedField, rowId: string, sealed: string): Promise<string> {
  const key = await readAccountKey(ctx, accountId);
  if (!key) throw new AccountKeyDestroyedError(accountId);
  return key.open(field, rowId, sealed);
}
