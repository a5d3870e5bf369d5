import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { bareCustomer, moduleCtx } from '../../../../test/support/module-ctx.ts';
import { queryRows } from '../../../db/client.ts';
import { accountKeys, destroyedAccountKeys } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { secretKeys } from '../../../lib/secrets.ts';
import { withDb } from '../../context.ts';
import {
  AccountKeyDestroyedError,
  accountKeyForSealing,
  destroyAccountKey,
  forgetAccountKey,
  isAccountKeyCached,
  openFor,
  openStrict,
  readAccountKey,
  readAccountKeys,
  SealedValueError,
  sealFor,
} from '../index.ts';

let database: TestDatabase;
const clock = new ManualClock();
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

describe('the keyring', () => {
  it('makes one wrapped key per account on the first seal, and opens with it after the cache is gone', async () => {
    const ctx = moduleCtx(database, clock);
    const accountId = await bareCustomer(database, clock);
    expect(await readAccountKey(ctx, accountId)).toBeUndefined();
    const sealed = await sealFor(ctx, accountId, 'activation_sms.text', 'sms_1', 'Your code is 4242');
    const rows = await database.db.select().from(accountKeys).where(eq(accountKeys.accountId, accountId));
    expect(rows).toHaveLength(1);
    // Stored wrapped: 1 version byte, 12 nonce, 32 key, 16 tag.
    expect(Buffer.from(rows[0]?.wrappedKey ?? '', 'base64')).toHaveLength(61);
    await sealFor(ctx, accountId, 'activation_sms.text', 'sms_2', 'again');
    expect(await database.db.select().from(accountKeys).where(eq(accountKeys.accountId, accountId))).toHaveLength(1);

    forgetAccountKey(accountId);
    expect(isAccountKeyCached(accountId)).toBe(false);
    expect(await openFor(ctx, accountId, 'activation_sms.text', 'sms_1', sealed)).toBe('Your code is 4242');
    expect(isAccountKeyCached(accountId)).toBe(true);
    await expect(openFor(ctx, accountId, 'activation_sms.text', 'sms_2', sealed)).rejects.toThrow(SealedValueError);
    expect(await openFor(ctx, accountId, 'activation_sms.text', 'sms_1', null)).toBeNull();
  });

  it('keeps no key made in a transaction that rolled back', async () => {
    const ctx = moduleCtx(database, clock);
    const accountId = await bareCustomer(database, clock);
    await expect(
      transaction(database.db, async (tx) => {
        await sealFor(withDb(ctx, tx), accountId, 'webhook_endpoints.url', 'whe_1', 'https://example.com/hook');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(isAccountKeyCached(accountId)).toBe(false);
    expect(await database.db.select().from(accountKeys).where(eq(accountKeys.accountId, accountId))).toHaveLength(0);
  });

  it('does not open with another SECRET_KEY', async () => {
    const ctx = moduleCtx(database, clock);
    const accountId = await bareCustomer(database, clock);
    const sealed = await sealFor(ctx, accountId, 'accounts.email', accountId, 'a@example.com');
    const other = { ...ctx, keys: secretKeys('another-secret-key-0123456789abcdef-xyz') };
    await expect(openFor(other, accountId, 'accounts.email', accountId, sealed)).rejects.toThrow(SealedValueError);
  });

  it('destroys a key: the row is deleted, the cache dropped, sealed values read as erased, and no new key is made', async () => {
    const ctx = moduleCtx(database, clock);
    const accountId = await bareCustomer(database, clock);
    const keep = await bareCustomer(database, clock);
    const sealed = await sealFor(ctx, accountId, 'activation_sms.text', 'sms_9', 'Code 777');
    const kept = await sealFor(ctx, keep, 'activation_sms.text', 'sms_8', 'Code 888');
    expect(isAccountKeyCached(accountId)).toBe(true);

    expect(await destroyAccountKey(ctx, accountId)).toEqual({ destroyed: true });
    expect(isAccountKeyCached(accountId)).toBe(false);
    expect(await database.db.select().from(accountKeys).where(eq(accountKeys.accountId, accountId))).toHaveLength(0);
    expect(await database.db.select().from(destroyedAccountKeys).where(eq(destroyedAccountKeys.accountId, accountId))).toHaveLength(1);

    expect(await openFor(ctx, accountId, 'activation_sms.text', 'sms_9', sealed)).toBeNull();
    await expect(openStrict(ctx, accountId, 'activation_sms.text', 'sms_9', sealed)).rejects.toThrow(AccountKeyDestroyedError);
    await expect(accountKeyForSealing(ctx, accountId)).rejects.toThrow(AccountKeyDestroyedError);
    expect(await openFor(ctx, keep, 'activation_sms.text', 'sms_8', kept)).toBe('Code 888');
    expect(await destroyAccountKey(ctx, accountId)).toEqual({ destroyed: false });
  });

  it('drops the key from the cache only once the destroying transaction commits, and announces it to other instances', async () => {
    const ctx = moduleCtx(database, clock);
    const accountId = await bareCustomer(database, clock);
    await sealFor(ctx, accountId, 'devices.model', 'dev_1', 'Pixel 8');
    const notified: string[] = [];
    if (database.raw.engine === 'pglite') {
      const stop = await database.raw.client.listen('otpbox_auth', (payload) => notified.push(payload));
      await destroyAccountKey(ctx, accountId);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await stop();
      expect(notified).toContain(accountId);
    } else {
      await transaction(database.db, async (tx) => {
        await destroyAccountKey(withDb(ctx, tx), accountId);
        const [row] = await queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from keyring.account_keys where account_id = ${accountId}`,
        );
        expect(row?.n).toBe(0);
      });
    }
    expect(isAccountKeyCached(accountId)).toBe(false);
  });

  it('reads several accounts’ keys at once, leaving out destroyed ones', async () => {
    const ctx = moduleCtx(database, clock);
    const [a, b, c] = [await bareCustomer(database, clock), await bareCustomer(database, clock), await bareCustomer(database, clock)];
    for (const id of [a, b, c]) await sealFor(ctx, id, 'accounts.email', id, `${id}@example.com`);
    await destroyAccountKey(ctx, b);
    forgetAccountKey('*');
    const keys = await readAccountKeys(ctx, [a, b, c, a]);
    expect([...keys.keys()].sort()).toEqual([a, c].sort());
  });
});
