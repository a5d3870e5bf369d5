import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { queryRows } from '../client.ts';
import { instanceSettings } from '../schema/index.ts';
import { afterCommit, isTransaction, sqlState, transaction } from '../tx.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

const now = new Date('2026-01-01T00:00:00Z');

describe('transaction()', () => {
  it('commits all or nothing', async () => {
    await expect(
      transaction(database.db, async (tx) => {
        await tx.insert(instanceSettings).values({ key: 'tx-rollback', value: 1, updatedAt: now });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await database.db.select().from(instanceSettings).where(eq(instanceSettings.key, 'tx-rollback'))).toEqual([]);
  });

  it('joins an outer transaction instead of opening a new one', async () => {
    await expect(
      transaction(database.db, async (outer) => {
        await transaction(outer, async (inner) => {
          expect(inner).toBe(outer);
          expect(isTransaction(inner)).toBe(true);
          await inner.insert(instanceSettings).values({ key: 'tx-nested', value: 1, updatedAt: now });
        });
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await database.db.select().from(instanceSettings).where(eq(instanceSettings.key, 'tx-nested'))).toEqual([]);
  });

  it('retries serialization failures and deadlocks, then gives up after the bound', async () => {
    let calls = 0;
    const result = await transaction(database.db, async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error('could not serialize access'), { code: calls === 1 ? '40001' : '40P01' });
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);

    let attempts = 0;
    await expect(
      transaction(
        database.db,
        async () => {
          attempts++;
          throw Object.assign(new Error('still conflicting'), { code: '40001' });
        },
        { attempts: 4 },
      ),
    ).rejects.toThrow('still conflicting');
    expect(attempts).toBe(4);
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    await expect(
      transaction(database.db, async () => {
        attempts++;
        throw Object.assign(new Error('unique violation'), { code: '23505' });
      }),
    ).rejects.toThrow();
    expect(attempts).toBe(1);
  });

  it('reads SQLSTATE through wrappers', () => {
    expect(sqlState(new Error('x', { cause: { code: '40001' } }))).toBe('40001');
    expect(sqlState({ code: 'ECONNRESET' })).toBeUndefined();
    expect(sqlState(undefined)).toBeUndefined();
  });
});

describe.skipIf(!onPostgres())('transaction() on PostgreSQL', () => {
  it('turns real serialization conflicts into successful retries', async () => {
    await database.db.insert(instanceSettings).values({ key: 'counter', value: 0, updatedAt: now }).onConflictDoNothing();
    const increments = 12;
    await Promise.all(
      Array.from({ length: increments }, () =>
        transaction(
          database.db,
          async (tx) => {
            const [row] = await queryRows<{ value: number }>(tx, sql`select value from instance_settings where key = 'counter'`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            await tx
              .update(instanceSettings)
              .set({ value: Number(row?.value) + 1 })
              .where(eq(instanceSettings.key, 'counter'));
          },
          { isolationLevel: 'serializable', attempts: 50 },
        ),
      ),
    );
    const [row] = await database.db.select().from(instanceSettings).where(eq(instanceSettings.key, 'counter'));
    expect(row?.value).toBe(increments);
  });
});

describe('afterCommit()', () => {
  it('runs once the outermost transaction committed, before transaction() returns; never after a rollback', async () => {
    const heard: string[] = [];
    await transaction(database.db, async (outer) => {
      await transaction(outer, async (inner) => {
        await inner.insert(instanceSettings).values({ key: 'tx-after-commit', value: 1, updatedAt: now });
        afterCommit(inner, () => heard.push('committed'));
      });
      expect(heard).toEqual([]);
    });
    expect(heard).toEqual(['committed']);

    await expect(
      transaction(database.db, async (tx) => {
        afterCommit(tx, () => heard.push('rolled back'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(heard).toEqual(['committed']);
  });

  it('runs at once outside a transaction (the statement before it committed on its own)', () => {
    const heard: string[] = [];
    afterCommit(database.db, () => heard.push('now'));
    expect(heard).toEqual(['now']);
  });
});
