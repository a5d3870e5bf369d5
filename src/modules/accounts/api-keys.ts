import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { accounts, apiKeys } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { openFor } from '../keyring/index.ts';
import { disableEndpointsLeftBy } from '../webhooks/index.ts';
import { announceAuthChange } from './auth-changes.ts';
import { type Credential, requireLiveCredential } from './live-credential.ts';
import type { Principal } from './principal.ts';
import type { ApiKeyView, NewApiKeyView } from './schemas.ts';
import { recordSecurityEvent } from './security-events.ts';
import { TOUCH_INTERVAL_MS } from './sessions.ts';
import { hashToken, newToken } from './tokens.ts';

export const MAX_ACTIVE_API_KEYS = 20;

/** Create a key; the key itself is returned once and never stored. */
export async function createApiKey(ctx: Ctx, accountId: string, name: string, madeWith: Credential = {}): Promise<NewApiKeyView> {
  return transaction(ctx.db, async (tx) => {
    // The session making it is still live, and stays so until this commits (a reset racing it revokes the key too).
    await requireLiveCredential(withDb(ctx, tx), madeWith);
    const [active] = await tx
      .select({ n: count() })
      .from(apiKeys)
      .where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)));
    if (Number(active?.n ?? 0) >= MAX_ACTIVE_API_KEYS) {
      throw new DomainError('CONFLICT', `You already have ${MAX_ACTIVE_API_KEYS} active API keys; revoke one first.`);
    }
    const now = ctx.clock.now();
    const { token, hash } = newToken('apiKey');
    const view: ApiKeyView = { id: newId('key', now.getTime()), name, displayPrefix: token.slice(0, 13), createdAt: now, lastUsedAt: null };
    await tx.insert(apiKeys).values({ ...view, accountId, keyHash: hash });
    await recordSecurityEvent(withDb(ctx, tx), { type: 'api_key_created', accountId, details: { keyId: view.id, name } });
    return { ...view, key: token };
  });
}

export async function listApiKeys(ctx: Ctx, accountId: string): Promise<ApiKeyView[]> {
  return ctx.db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      displayPrefix: apiKeys.displayPrefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
}

/** Revoke one of the account's keys. Another account's key, or an unknown one, is NOT_FOUND. */
export async function revokeApiKey(ctx: Ctx, accountId: string, keyId: string): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.clock.now() })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name });
    if (revoked.length === 0) throw new DomainError('NOT_FOUND', 'No such API key.');
    const endpointsDisabled = await disableEndpointsLeftBy(
      withDb(ctx, tx),
      accountId,
      { keys: [keyId] },
      'the API key that registered it was revoked: check it, then enable it again',
    );
    await recordSecurityEvent(withDb(ctx, tx), {
      type: 'api_key_revoked',
      accountId,
      details: { keyId, name: revoked[0]?.name, webhookEndpointsDisabled: endpointsDisabled },
    });
    await announceAuthChange(tx, accountId);
  });
}

export async function authenticateApiKey(ctx: Ctx, key: string): Promise<Principal | undefined> {
  const [row] = await ctx.db
    .select({ key: apiKeys, account: accounts })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .where(and(eq(apiKeys.keyHash, hashToken(key)), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return undefined;
  const now = ctx.clock.now();
  if (!row.key.lastUsedAt || now.getTime() - row.key.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    await ctx.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.key.id));
  }
  return {
    accountId: row.account.id,
    role: row.account.role,
    status: row.account.status,
    processingRestricted: row.account.processingRestrictedAt !== null,
    kind: row.account.kind,
    email: await openFor(ctx, row.account.id, 'accounts.email', row.account.id, row.account.email),
    via: 'api_key',
    apiKeyId: row.key.id,
    secondFactor: false,
  };
}
