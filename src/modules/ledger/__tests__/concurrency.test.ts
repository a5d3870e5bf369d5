import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../../test/support/database.ts';
import { ledgerTransfers } from '../../../db/schema/index.ts';
import { balanceOf } from '../accounts.ts';
import { captureHold, grantCredits, holdCredits, releaseHold } from '../verbs.ts';
import { verifyLedger } from '../verify.ts';
import { clock, customer, inAnHour, key, ledgerCtx } from './support.ts';

/** Races only show on a real server: PGlite has one connection and runs everything one at a time. */
describe.skipIf(!onPostgres())('ledger under concurrency (PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 40 });
  });
  afterAll(() => database?.destroy());
  const ctx = () => ledgerCtx(database);
  const settle = <T>(promise: Promise<T>) =>
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: { code?: string }) => ({ ok: false as const, code: error.code ?? String(error) }),
    );

  it('200 concurrent holds against a wallet that covers exactly 37: 37 succeed, 163 are refused', async () => {
    const accountId = await customer(database);
    await grantCredits(ctx(), { accountId, amount: 37 * 5, reason: 'funds', idempotencyKey: key() });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        settle(holdCredits(ctx(), { accountId, amount: 5, reason: 'race', idempotencyKey: key('race'), expiresAt: inAnHour() })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(37);
    const refusals = results.filter((r) => !r.ok);
    expect(refusals).toHaveLength(163);
    expect(new Set(refusals.map((r) => (r.ok ? '' : r.code)))).toEqual(new Set(['INSUFFICIENT_CREDITS']));
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 0, held: 185, posted: 185 });
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
  });

  it('a capture and a release of the same hold at once: exactly one wins, every time', async () => {
    const accountId = await customer(database);
    await grantCredits(ctx(), { accountId, amount: 1000, reason: 'funds', idempotencyKey: key() });
    for (let round = 0; round < 25; round++) {
      const { transfer } = await holdCredits(ctx(), {
        accountId,
        amount: 10,
        reason: 'race',
        idempotencyKey: key(),
        expiresAt: inAnHour(),
      });
      const [capture, release, capture2] = await Promise.all([
        settle(captureHold(ctx(), { holdId: transfer.id, reason: 'code', idempotencyKey: key('c') })),
        settle(releaseHold(ctx(), { holdId: transfer.id, reason: 'expired', idempotencyKey: key('r') })),
        settle(captureHold(ctx(), { holdId: transfer.id, reason: 'code again', idempotencyKey: key('c2') })),
      ]);
      const winners = [capture, release, capture2].filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect([capture, release, capture2].filter((r) => !r.ok).map((r) => (r.ok ? '' : r.code))).toEqual([
        'HOLD_ALREADY_RESOLVED',
        'HOLD_ALREADY_RESOLVED',
      ]);
      const resolutions = await database.db.select().from(ledgerTransfers).where(eq(ledgerTransfers.pendingId, transfer.id));
      expect(resolutions).toHaveLength(1);
    }
    expect((await balanceOf(database.db, accountId)).held).toBe(0);
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
  });

  it('the same idempotency key sent 50 times at once makes one transfer', async () => {
    const accountId = await customer(database);
    const idempotencyKey = key('same');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => grantCredits(ctx(), { accountId, amount: 7, reason: 'once', idempotencyKey })),
    );
    expect(new Set(results.map((r) => r.transfer.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 7, held: 0, posted: 7 });
    const holdKey = key('same-hold');
    const holds = await Promise.all(
      Array.from({ length: 50 }, () =>
        holdCredits(ctx(), { accountId, amount: 3, reason: 'once', idempotencyKey: holdKey, expiresAt: inAnHour() }),
      ),
    );
    expect(new Set(holds.map((r) => r.transfer.id)).size).toBe(1);
    expect((await balanceOf(database.db, accountId)).held).toBe(3);
  });

  it('a mixed storm over many wallets ends balanced, never below zero, without deadlocks (3 rounds)', async () => {
    for (let round = 0; round < 3; round++) await storm();
  });

  async function storm() {
    const wallets = await Promise.all(Array.from({ length: 8 }, () => customer(database)));
    for (const accountId of wallets) await grantCredits(ctx(), { accountId, amount: 200, reason: 'funds', idempotencyKey: key() });
    const holds: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 400 }, async (_, i) => {
        const accountId = wallets[i % wallets.length] as string;
        if (i % 4 === 3 && holds.length > 0) {
          const holdId = holds[Math.floor(Math.random() * holds.length)] as string;
          return settle(
            i % 8 === 3
              ? captureHold(ctx(), { holdId, reason: 'code', idempotencyKey: key() })
              : releaseHold(ctx(), { holdId, reason: 'expired', idempotencyKey: key() }),
          );
        }
        if (i % 5 === 0) return settle(grantCredits(ctx(), { accountId, amount: 3, reason: 'top-up', idempotencyKey: key() }));
        const held = await settle(
          holdCredits(ctx(), { accountId, amount: 7, reason: 'order', idempotencyKey: key(), expiresAt: inAnHour() }),
        );
        if (held.ok) holds.push(held.value.transfer.id);
        return held;
      }),
    );
    const unexpected = results.filter((r) => !r.ok && r.code !== 'INSUFFICIENT_CREDITS' && r.code !== 'HOLD_ALREADY_RESOLVED');
    expect(unexpected).toEqual([]);
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
  }
});
