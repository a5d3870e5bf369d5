import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { queryRows } from '../../../db/client.ts';
import { auditLog, ledgerAccounts, ledgerEntries, SYSTEM_STRIPES } from '../../../db/schema/index.ts';
import { balanceOf, systemAccountFor, walletOf } from '../accounts.ts';
import {
  captureHold,
  chargeBack,
  creditPurchase,
  forfeitBalance,
  grantCredits,
  holdCredits,
  liftRestriction,
  refundCredits,
  releaseHold,
  reverseTransfer,
} from '../verbs.ts';
import { verifyLedger } from '../verify.ts';
import { clock, customer, inAnHour, key, ledgerCtx } from './support.ts';

let database: TestDatabase;
let ctx: ReturnType<typeof ledgerCtx>;
beforeAll(async () => {
  database = await createTestDatabase();
  ctx = ledgerCtx(database, 'cli');
});
afterAll(() => database?.destroy());

const funded = async (amount: number) => {
  const accountId = await customer(database);
  await grantCredits(ctx, { accountId, amount, reason: 'test funds', idempotencyKey: key('fund') });
  return accountId;
};
const hold = (accountId: string, amount: number, idempotencyKey = key('hold')) =>
  holdCredits(ctx, { accountId, amount, reason: 'Telegram number reserved', idempotencyKey, expiresAt: inAnHour() });
/** The database's own message, under Drizzle's "Failed query" wrapper. */
const failureText = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (error: Error & { cause?: Error }) => `${error.message} ${error.cause?.message ?? ''}`,
  );
const expectError = async (promise: Promise<unknown>, code: string) => {
  const error = await promise.then(
    () => undefined,
    (e) => e,
  );
  expect(error?.code, String(error)).toBe(code);
  return error;
};

describe('grant', () => {
  it('credits the wallet from the grants account, audited, and replays by key', async () => {
    const accountId = await customer(database);
    const idempotencyKey = key('grant');
    const first = await grantCredits(ctx, { accountId, amount: 500, reason: 'welcome', idempotencyKey });
    expect(first.replayed).toBe(false);
    expect(first.transfer).toMatchObject({
      kind: 'grant',
      amount: 500,
      debitAccountId: systemAccountFor('grants', accountId),
      actor: 'cli',
      reason: 'welcome',
    });
    const again = await grantCredits(ctx, { accountId, amount: 500, reason: 'welcome', idempotencyKey });
    expect(again).toMatchObject({ replayed: true, transfer: { id: first.transfer.id } });
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 500, held: 0, posted: 500 });
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.accountId, accountId));
    expect(audit).toMatchObject([{ actor: 'cli', action: 'credits.grant', details: { amount: 500, reason: 'welcome' } }]);
  });

  it('refuses a key reused for another transfer, and amounts that are not positive whole numbers', async () => {
    const accountId = await customer(database);
    const idempotencyKey = key('grant');
    await grantCredits(ctx, { accountId, amount: 5, reason: 'x', idempotencyKey });
    await expectError(grantCredits(ctx, { accountId, amount: 6, reason: 'x', idempotencyKey }), 'IDEMPOTENCY_KEY_REUSED');
    for (const amount of [0, -5, 1.5, Number.NaN, 2 ** 60]) {
      await expectError(grantCredits(ctx, { accountId, amount, reason: 'x', idempotencyKey: key() }), 'VALIDATION_FAILED');
    }
    expect((await balanceOf(database.db, accountId)).available).toBe(5);
  });
});

describe('hold, capture, release', () => {
  it('a hold lowers available, not posted; a capture spends it', async () => {
    const accountId = await funded(100);
    const { transfer } = await hold(accountId, 30);
    expect(transfer).toMatchObject({ kind: 'hold', phase: 'pending', amount: 30 });
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 70, held: 30, posted: 100 });
    const captured = await captureHold(ctx, { holdId: transfer.id, reason: 'code received', idempotencyKey: key('capture') });
    expect(captured.transfer).toMatchObject({ kind: 'capture', amount: 30, pendingId: transfer.id });
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 70, held: 0, posted: 70 });
  });

  it('a capture for less than held gives the rest back', async () => {
    const accountId = await funded(100);
    const { transfer } = await hold(accountId, 30);
    await captureHold(ctx, { holdId: transfer.id, amount: 12, reason: 'cheaper number', idempotencyKey: key() });
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 88, held: 0, posted: 88 });
  });

  it('a release gives the hold back in full', async () => {
    const accountId = await funded(100);
    const { transfer } = await hold(accountId, 40);
    await releaseHold(ctx, { holdId: transfer.id, reason: 'no code: credits returned', idempotencyKey: key() });
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 100, held: 0, posted: 100 });
  });

  it('replays a hold by its key (once, with its wallet and stripe), and refuses the key for another amount', async () => {
    const accountId = await funded(100);
    const idempotencyKey = key('hold');
    const first = await hold(accountId, 30, idempotencyKey);
    expect(first.replayed).toBe(false);
    expect(first.transfer).toMatchObject({
      debitAccountId: await walletOf(database.db, accountId, clock.now()),
      creditAccountId: systemAccountFor('order_revenue', accountId),
      holdExpiresAt: inAnHour(),
    });
    const again = await hold(accountId, 30, idempotencyKey);
    expect(again).toMatchObject({ replayed: true, transfer: { id: first.transfer.id, amount: 30 } });
    await expectError(hold(accountId, 31, idempotencyKey), 'IDEMPOTENCY_KEY_REUSED');
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 70, held: 30, posted: 100 });
    const entries = await database.db
      .select()
      .from(ledgerEntries)
      .where(eq(ledgerEntries.transferId, first.transfer.id))
      .orderBy(ledgerEntries.id);
    expect(entries.map((e) => [e.accountId, e.phase, e.amount, e.pendingAfter])).toEqual([
      [first.transfer.debitAccountId, 'pending', -30, -30],
      [first.transfer.creditAccountId, 'pending', 30, expect.any(Number)],
    ]);
  });

  it('refuses a hold beyond the available balance, saying how much is missing', async () => {
    const accountId = await funded(50);
    await hold(accountId, 30);
    const error = await expectError(hold(accountId, 21), 'INSUFFICIENT_CREDITS');
    expect(error.details).toEqual({ needed: 21, available: 20 });
    await hold(accountId, 20);
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 0, held: 50, posted: 50 });
    await expectError(hold(await customer(database), 1), 'INSUFFICIENT_CREDITS');
  });

  it('resolves a hold at most once: replays by key, refuses the other resolution', async () => {
    const accountId = await funded(100);
    const { transfer } = await hold(accountId, 10);
    const captureKey = key('capture');
    const captured = await captureHold(ctx, { holdId: transfer.id, reason: 'code', idempotencyKey: captureKey });
    expect((await captureHold(ctx, { holdId: transfer.id, reason: 'code', idempotencyKey: captureKey })).transfer.id).toBe(
      captured.transfer.id,
    );
    const error = await expectError(
      releaseHold(ctx, { holdId: transfer.id, reason: 'late', idempotencyKey: key() }),
      'HOLD_ALREADY_RESOLVED',
    );
    expect(error.details).toMatchObject({ resolution: 'capture' });
    await expectError(captureHold(ctx, { holdId: transfer.id, reason: 'again', idempotencyKey: key() }), 'HOLD_ALREADY_RESOLVED');

    const second = await hold(accountId, 10);
    await releaseHold(ctx, { holdId: second.transfer.id, reason: 'cancelled', idempotencyKey: key() });
    await expectError(
      captureHold(ctx, { holdId: second.transfer.id, reason: 'late code', idempotencyKey: key() }),
      'HOLD_ALREADY_RESOLVED',
    );
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 90, held: 0, posted: 90 });
  });

  it('refuses captures of more than the hold or of nothing, and unknown holds', async () => {
    const accountId = await funded(100);
    const { transfer } = await hold(accountId, 10);
    await expectError(captureHold(ctx, { holdId: transfer.id, amount: 11, reason: 'x', idempotencyKey: key() }), 'VALIDATION_FAILED');
    await expectError(captureHold(ctx, { holdId: transfer.id, amount: 0, reason: 'x', idempotencyKey: key() }), 'VALIDATION_FAILED');
    await expectError(releaseHold(ctx, { holdId: 'txn_nope', reason: 'x', idempotencyKey: key() }), 'NOT_FOUND');
    const grant = await grantCredits(ctx, { accountId, amount: 1, reason: 'x', idempotencyKey: key() });
    await expectError(captureHold(ctx, { holdId: grant.transfer.id, reason: 'x', idempotencyKey: key() }), 'NOT_FOUND');
  });
});

describe('refunds, chargebacks, forfeits and reversals', () => {
  it('a refund credits spent credits back', async () => {
    const accountId = await funded(10);
    await refundCredits(ctx, { accountId, amount: 4, reason: 'provider refunded the number', idempotencyKey: key() });
    expect((await balanceOf(database.db, accountId)).available).toBe(14);
    await creditPurchase(ctx, { accountId, amount: 100, reason: 'Purchase ord_1', idempotencyKey: 'purchase:ord_1' });
    await creditPurchase(ctx, { accountId, amount: 100, reason: 'Purchase ord_1', idempotencyKey: 'purchase:ord_1' });
    expect((await balanceOf(database.db, accountId)).available).toBe(114);
  });

  it('a chargeback may drive the wallet negative, marks it in debt and restricted, and holds are refused', async () => {
    const accountId = await funded(100);
    const h = await hold(accountId, 80);
    await captureHold(ctx, { holdId: h.transfer.id, reason: 'spent', idempotencyKey: key() });
    await chargeBack(ctx, { accountId, amount: 100, reason: 'card payment disputed', idempotencyKey: key('dispute') });
    expect(await balanceOf(database.db, accountId)).toEqual({ available: -80, held: 0, posted: -80 });
    const [wallet] = await database.db.select().from(ledgerAccounts).where(eq(ledgerAccounts.ownerAccountId, accountId));
    expect(wallet).toMatchObject({ inDebt: true, restrictedAt: expect.any(Date) });
    await grantCredits(ctx, { accountId, amount: 500, reason: 'goodwill', idempotencyKey: key() });
    await expectError(hold(accountId, 1), 'ACCOUNT_RESTRICTED');
    await liftRestriction(ctx, accountId, 'dispute settled');
    await hold(accountId, 1);
    const [after] = await database.db.select().from(ledgerAccounts).where(eq(ledgerAccounts.ownerAccountId, accountId));
    expect(after).toMatchObject({ inDebt: false, restrictedAt: null });
    expect((await database.db.select().from(auditLog).where(eq(auditLog.accountId, accountId))).map((a) => a.action)).toEqual(
      expect.arrayContaining(['credits.chargeback', 'credits.unrestrict']),
    );
  });

  it('forfeits exactly the available balance at account deletion, keeping holds', async () => {
    const accountId = await funded(100);
    await hold(accountId, 30);
    const forfeited = await forfeitBalance(ctx, { accountId, reason: 'account deleted', idempotencyKey: key() });
    expect(forfeited?.transfer.amount).toBe(70);
    expect(await balanceOf(database.db, accountId)).toEqual({ available: 0, held: 30, posted: 30 });
    expect(await forfeitBalance(ctx, { accountId, reason: 'again', idempotencyKey: key() })).toBeUndefined();
  });

  it('corrects a transfer with a reversal (once), never by editing it', async () => {
    const accountId = await customer(database);
    const grant = await grantCredits(ctx, { accountId, amount: 25, reason: 'typo: meant 2.5 euros', idempotencyKey: key() });
    const reversal = await reverseTransfer(ctx, {
      transferId: grant.transfer.id,
      reason: 'granted by mistake',
      idempotencyKey: key('rev'),
    });
    expect(reversal.transfer).toMatchObject({
      kind: 'reversal',
      reversesId: grant.transfer.id,
      debitAccountId: grant.transfer.creditAccountId,
    });
    expect((await balanceOf(database.db, accountId)).available).toBe(0);
    await expectError(reverseTransfer(ctx, { transferId: grant.transfer.id, reason: 'twice', idempotencyKey: key() }), 'CONFLICT');
    await expectError(reverseTransfer(ctx, { transferId: reversal.transfer.id, reason: 'x', idempotencyKey: key() }), 'CONFLICT');
    const spent = await funded(10);
    const spentGrant = (
      await database.db
        .select()
        .from(ledgerEntries)
        .where(eq(ledgerEntries.accountId, await walletOf(database.db, spent, clock.now())))
    )[0];
    await hold(spent, 10);
    await expectError(
      reverseTransfer(ctx, { transferId: spentGrant?.transferId ?? '', reason: 'x', idempotencyKey: key() }),
      'INSUFFICIENT_CREDITS',
    );
  });
});

describe('guarantees enforced by the database itself', () => {
  it('transfers and entries cannot be updated or deleted', async () => {
    await funded(1);
    for (const statement of [
      sql`update ledger_entries set amount = amount + 1`,
      sql`delete from ledger_entries`,
      sql`update ledger_transfers set amount = 1`,
      sql`delete from ledger_transfers`,
      sql`delete from ledger_accounts`,
    ]) {
      expect(await failureText(database.db.execute(statement))).toMatch(/append-only/);
    }
  });

  it('a wallet cannot go negative by any write, except through the chargeback path', async () => {
    const accountId = await funded(5);
    const wallet = await walletOf(database.db, accountId, clock.now());
    expect(await failureText(database.db.execute(sql`update ledger_accounts set posted = -1 where id = ${wallet}`))).toMatch(
      /ledger_accounts_wallet_not_negative/,
    );
  });
});

describe('verify', () => {
  it('passes on everything above, and names tampering and overdue holds', async () => {
    const report = await verifyLedger(database.db, clock.now());
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.summary.transfers).toBeGreaterThan(10);

    const accountId = await funded(10);
    const wallet = await walletOf(database.db, accountId, clock.now());
    await database.db.execute(sql`update ledger_accounts set posted = posted + 3 where id = ${wallet}`);
    const tampered = await verifyLedger(database.db, clock.now());
    expect(tampered.ok).toBe(false);
    expect(tampered.violations.join('\n')).toContain(`account ${wallet}: cached posted 13`);
    await database.db.execute(sql`update ledger_accounts set posted = posted - 3 where id = ${wallet}`);

    const open = await hold(accountId, 5);
    clock.advance(2 * 3_600_000);
    const overdue = await verifyLedger(database.db, clock.now());
    expect(overdue.violations).toContainEqual(expect.stringContaining(`hold ${open.transfer.id} is still open past its deadline`));
    expect(overdue.violations.every((v) => v.includes('is still open past its deadline'))).toBe(true);
    // Release every overdue hold (what the expiry sweep does), and the ledger is whole again.
    const stale = await queryRows<{ id: string }>(
      database.db,
      sql`select h.id from ledger_transfers h where h.kind = 'hold' and not exists (select 1 from ledger_transfers r where r.pending_id = h.id)`,
    );
    for (const { id } of stale) await releaseHold(ctx, { holdId: id, reason: 'expired', idempotencyKey: key() });
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
    const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from ledger_entries`);
    expect(n).toBeGreaterThan(0);
  });
});

describe('system account stripes', () => {
  it('spreads customers over the stripes of a system account, always the same stripe for one customer', async () => {
    const stripes = new Set<string>();
    for (let i = 0; i < 200; i++) stripes.add(systemAccountFor('order_revenue', `acc_${i.toString(36).padStart(8, '0')}`));
    expect(stripes.size).toBe(SYSTEM_STRIPES);
    expect(systemAccountFor('order_revenue', 'acc_x')).toBe(systemAccountFor('order_revenue', 'acc_x'));
    const ids = await database.db
      .select({ id: ledgerAccounts.id })
      .from(ledgerAccounts)
      .where(inArray(ledgerAccounts.id, [...stripes]));
    expect(ids).toHaveLength(SYSTEM_STRIPES);
  });

  it('a hold and its capture meet on the stripe of the customer', async () => {
    const accountId = await customer(database);
    await grantCredits(ctx, { accountId, amount: 100, reason: 'x', idempotencyKey: key('g') });
    const held = await holdCredits(ctx, {
      accountId,
      amount: 30,
      reason: 'order',
      idempotencyKey: key('h'),
      expiresAt: new Date(ctx.clock.now().getTime() + 60_000),
    });
    const captured = await captureHold(ctx, { holdId: held.transfer.id, reason: 'code', idempotencyKey: key('c') });
    const revenue = systemAccountFor('order_revenue', accountId);
    expect(held.transfer.creditAccountId).toBe(revenue);
    expect(captured.transfer.creditAccountId).toBe(revenue);
    const [row] = await database.db.select().from(ledgerAccounts).where(eq(ledgerAccounts.id, revenue));
    expect(row).toMatchObject({ kind: 'system', code: 'order_revenue', pending: 0 });
    expect(row?.posted).toBeGreaterThanOrEqual(30);
  });
});

describe('verify (last: it leaves the ledger broken)', () => {
  it('names an entry that belongs to no transfer, or moves an account its transfer does not name', async () => {
    const accountId = await funded(10);
    const other = await walletOf(database.db, await funded(10), clock.now());
    const [grant] = await queryRows<{ id: string }>(
      database.db,
      sql`select t.id from ledger_transfers t join ledger_accounts a on a.id = t.credit_account_id where a.owner_account_id = ${accountId}`,
    );
    await database.db.execute(sql`insert into ledger_entries (transfer_id, account_id, phase, amount, posted_after, pending_after, created_at)
      values (${grant?.id}, ${other}, 'posted', 1, 11, 0, now()), ('txn_nowhere', ${other}, 'posted', -1, 10, 0, now())`);
    const report = await verifyLedger(database.db, clock.now());
    expect(report.ok).toBe(false);
    expect(report.violations).toContainEqual(
      expect.stringMatching(new RegExp(`\\(${other}, transfer ${grant?.id}\\) moves an account its transfer does not name`)),
    );
    expect(report.violations).toContainEqual(expect.stringContaining('transfer txn_nowhere) belongs to no transfer'));
  });
});
