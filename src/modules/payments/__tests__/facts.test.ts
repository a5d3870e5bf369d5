import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { accountEvents, auditLog, ledgerAccounts, ledgerTransfers, payments } from '../../../db/schema/index.ts';
import { balanceOf, captureHold, grantCredits, holdCredits, liftRestriction, restrictWallet, verifyLedger } from '../../ledger/index.ts';
import {
  closePaymentDispute,
  creditKey,
  markPaymentFailed,
  markPaymentPaid,
  markPaymentPending,
  openPaymentDispute,
  recordPaymentRefund,
} from '../apply-fact.ts';
import { aPackage, aPayment, clock, customer, paymentsCtx } from './support.ts';

let database: TestDatabase;
let ctx: ReturnType<typeof paymentsCtx>;
beforeAll(async () => {
  database = await createTestDatabase();
  ctx = paymentsCtx(database);
});
afterAll(() => database?.destroy());

const restricted = async (accountId: string) => {
  const [wallet] = await database.db
    .select({ restrictedAt: ledgerAccounts.restrictedAt, inDebt: ledgerAccounts.inDebt })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.ownerAccountId, accountId), eq(ledgerAccounts.purse, 'credits')));
  return { restricted: wallet?.restrictedAt != null, inDebt: wallet?.inDebt ?? false };
};
const available = async (accountId: string) => (await balanceOf(database.db, accountId)).available;
const row = async (id: string) => (await database.db.select().from(payments).where(eq(payments.id, id)))[0];
/** Spend credits as an order would: hold, then capture. */
const spend = async (accountId: string, amount: number) => {
  const key = `spend:${Math.random()}`;
  const hold = await holdCredits(ctx, {
    accountId,
    amount,
    reason: 'a number',
    idempotencyKey: key,
    expiresAt: new Date(clock.now().getTime() + 60_000),
  });
  await captureHold(ctx, { holdId: hold.transfer.id, reason: 'code', idempotencyKey: `${key}:capture` });
};
const holdRefused = async (accountId: string) =>
  holdCredits(ctx, {
    accountId,
    amount: 1,
    reason: 'a number',
    idempotencyKey: `try:${Math.random()}`,
    expiresAt: new Date(clock.now().getTime() + 60_000),
  }).then(
    () => undefined,
    (error) => error.code as string,
  );

describe('payment facts', () => {
  it('credits a paid payment once, however often it is told, with its events and audit row', async () => {
    const accountId = await customer(database);
    const pkg = await aPackage(ctx, { credits: 300 });
    const payment = await aPayment(ctx, accountId, pkg);
    const pending = await markPaymentPending(ctx, payment.id);
    expect(pending.payment.status).toBe('pending');
    const paid = await markPaymentPaid(ctx, payment.id, { processorPaymentRef: 'pi_1', source: 'stripe evt_1' });
    expect(paid).toMatchObject({ changed: true, creditsMoved: 300, payment: { status: 'paid', processorPaymentRef: 'pi_1' } });
    expect(await markPaymentPaid(ctx, payment.id)).toMatchObject({ changed: false, creditsMoved: 0 });
    expect(await markPaymentPending(ctx, payment.id)).toMatchObject({ changed: false });
    expect(await available(accountId)).toBe(300);
    const credits = await database.db
      .select()
      .from(ledgerTransfers)
      .where(eq(ledgerTransfers.idempotencyKey, creditKey(paid.payment)));
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({ kind: 'purchase', amount: 300 });

    const events = await database.db.select().from(accountEvents).where(eq(accountEvents.accountId, accountId)).orderBy(accountEvents.seq);
    expect(events.map((e) => e.type)).toEqual(['payment.updated', 'payment.updated', 'balance.updated']);
    expect(events[1]?.payload).toEqual({
      id: payment.id,
      status: 'paid',
      method: 'card',
      package: pkg.code,
      credits: 300,
      amount: 1000,
      currency: 'USD',
      createdAt: clock.now().toISOString(),
      paidAt: clock.now().toISOString(),
      refunded: 0,
      failureReason: null,
      receipt: `/api/v1/payments/${payment.id}/receipt`,
    });
    expect(events[2]?.payload).toMatchObject({ available: 300, held: 0 });
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.accountId, accountId));
    expect(audit.map((a) => a.action).sort()).toEqual(['payment.paid', 'payment.pending']);
  });

  it('takes refunded credits back even when spent: the wallet goes into debt, restricted until a purchase settles it', async () => {
    const accountId = await customer(database);
    const pkg = await aPackage(ctx, { credits: 300 });
    const first = await aPayment(ctx, accountId, pkg);
    await markPaymentPaid(ctx, first.id);
    await spend(accountId, 250);
    const refunded = await recordPaymentRefund(ctx, first.id, 1000);
    expect(refunded).toMatchObject({ creditsMoved: -300, payment: { status: 'refunded', creditsReversed: 300 } });
    expect(await available(accountId)).toBe(-250);
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: true });
    expect(await holdRefused(accountId)).toBe('ACCOUNT_RESTRICTED');
    // The same refund again, and the payment again: nothing moves.
    expect(await recordPaymentRefund(ctx, first.id, 1000)).toMatchObject({ changed: false });
    expect(await markPaymentPaid(ctx, first.id)).toMatchObject({ changed: false });

    const second = await aPayment(ctx, accountId, pkg);
    await markPaymentPaid(ctx, second.id);
    expect(await available(accountId)).toBe(50);
    expect(await restricted(accountId)).toEqual({ restricted: false, inDebt: false });
    expect(await holdRefused(accountId)).toBeUndefined();
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
  });

  it('a refund that leaves the wallet above zero takes the credits back without restricting', async () => {
    const accountId = await customer(database);
    await grantCredits(ctx, { accountId, amount: 50, reason: 'gift', idempotencyKey: `gift:${accountId}` });
    const payment = await aPayment(ctx, accountId, await aPackage(ctx, { credits: 300, priceMinor: 1000 }));
    await markPaymentPaid(ctx, payment.id);
    // Partial refund: 400 of 1000 takes back 120 of 300 credits; then the rest.
    expect(await recordPaymentRefund(ctx, payment.id, 400)).toMatchObject({ creditsMoved: -120, payment: { status: 'paid' } });
    expect(await available(accountId)).toBe(230);
    expect(await recordPaymentRefund(ctx, payment.id, 1000)).toMatchObject({ creditsMoved: -180, payment: { status: 'refunded' } });
    expect(await available(accountId)).toBe(50);
    expect(await restricted(accountId)).toEqual({ restricted: false, inDebt: false });
  });

  it('ends the same when the refund arrives before the payment', async () => {
    const pkg = await aPackage(ctx, { credits: 300 });
    const inOrder = await customer(database);
    const reversed = await customer(database);
    const a = await aPayment(ctx, inOrder, pkg);
    await markPaymentPaid(ctx, a.id);
    await recordPaymentRefund(ctx, a.id, 1000);
    const b = await aPayment(ctx, reversed, pkg);
    expect(await recordPaymentRefund(ctx, b.id, 1000)).toMatchObject({ creditsMoved: 0, payment: { status: 'refunded' } });
    expect(await markPaymentPaid(ctx, b.id)).toMatchObject({ creditsMoved: 0, payment: { status: 'refunded' } });
    const strip = (p: Awaited<ReturnType<typeof row>>) => ({
      status: p?.status,
      creditsReversed: p?.creditsReversed,
      refundedMinor: p?.refundedMinor,
    });
    expect(strip(await row(b.id))).toEqual(strip(await row(a.id)));
    expect(await available(reversed)).toBe(await available(inOrder));
    const kinds = async (id: string) =>
      (await database.db.select().from(ledgerTransfers))
        .filter((t) => (t.metadata as { paymentId?: string } | null)?.paymentId === id)
        .map((t) => `${t.kind} ${t.amount}`)
        .sort();
    expect(await kinds(b.id)).toEqual(await kinds(a.id));
  });

  it('a dispute restricts the account while open; won lifts it, lost takes the credits back', async () => {
    const accountId = await customer(database);
    const pkg = await aPackage(ctx, { credits: 300 });
    const one = await aPayment(ctx, accountId, pkg);
    const two = await aPayment(ctx, accountId, pkg);
    await markPaymentPaid(ctx, one.id);
    await markPaymentPaid(ctx, two.id);
    await spend(accountId, 500);
    expect(await openPaymentDispute(ctx, one.id)).toMatchObject({ creditsMoved: 0, payment: { status: 'disputed' } });
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: false });
    expect(await holdRefused(accountId)).toBe('ACCOUNT_RESTRICTED');
    await openPaymentDispute(ctx, two.id);
    // One dispute won while the other is open: still restricted.
    expect(await closePaymentDispute(ctx, one.id, 'won')).toMatchObject({ payment: { status: 'paid' } });
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: false });
    expect(await closePaymentDispute(ctx, two.id, 'lost')).toMatchObject({ creditsMoved: -300, payment: { status: 'disputed' } });
    expect(await available(accountId)).toBe(-200);
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: true });
    // A late "opened" for a closed dispute changes nothing.
    expect(await openPaymentDispute(ctx, two.id)).toMatchObject({ changed: false });
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
  });

  it("a staff hold stays through a payment, a dispute won and a debt settled: only an admin's lift ends it", async () => {
    const accountId = await customer(database);
    const pkg = await aPackage(ctx, { credits: 300 });
    const first = await aPayment(ctx, accountId, pkg);
    await markPaymentPaid(ctx, first.id);
    await restrictWallet(ctx, accountId, 'manual fraud hold', { byStaff: true });
    expect(await holdRefused(accountId)).toBe('ACCOUNT_RESTRICTED');
    // A new purchase: paid, credited, still held.
    const second = await aPayment(ctx, accountId, pkg);
    await markPaymentPaid(ctx, second.id);
    expect(await available(accountId)).toBe(600);
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: false });
    expect(await holdRefused(accountId)).toBe('ACCOUNT_RESTRICTED');
    // A dispute opened and won: still held.
    await openPaymentDispute(ctx, first.id);
    await closePaymentDispute(ctx, first.id, 'won');
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: false });
    // A refund, then another purchase: still held.
    await recordPaymentRefund(ctx, second.id, 1000);
    const third = await aPayment(ctx, accountId, pkg);
    await markPaymentPaid(ctx, third.id);
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: false });
    expect(await holdRefused(accountId)).toBe('ACCOUNT_RESTRICTED');
    await liftRestriction(ctx, accountId, 'cleared by an admin');
    expect(await restricted(accountId)).toEqual({ restricted: false, inDebt: false });
    expect(await holdRefused(accountId)).toBeUndefined();
    // A dispute's restriction is still lifted by payments once no staff hold is on the wallet.
    await openPaymentDispute(ctx, third.id);
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: false });
    await closePaymentDispute(ctx, third.id, 'won');
    expect(await restricted(accountId)).toEqual({ restricted: false, inDebt: false });
    expect((await verifyLedger(database.db, clock.now())).violations).toEqual([]);
  });

  it('a staff hold on a wallet restricted by a dispute outlasts the dispute', async () => {
    const accountId = await customer(database);
    const pkg = await aPackage(ctx);
    const payment = await aPayment(ctx, accountId, pkg);
    await markPaymentPaid(ctx, payment.id);
    await openPaymentDispute(ctx, payment.id);
    await restrictWallet(ctx, accountId, 'and a fraud hold', { byStaff: true });
    await closePaymentDispute(ctx, payment.id, 'won');
    expect(await restricted(accountId)).toEqual({ restricted: true, inDebt: false });
    expect(await holdRefused(accountId)).toBe('ACCOUNT_RESTRICTED');
  });

  it('a dispute won with nothing else open lifts the restriction; a failed payment credits nothing', async () => {
    const accountId = await customer(database);
    const pkg = await aPackage(ctx);
    const payment = await aPayment(ctx, accountId, pkg);
    await markPaymentPaid(ctx, payment.id);
    await openPaymentDispute(ctx, payment.id);
    await closePaymentDispute(ctx, payment.id, 'won');
    expect(await restricted(accountId)).toEqual({ restricted: false, inDebt: false });
    const failed = await aPayment(ctx, accountId, pkg);
    expect(await markPaymentFailed(ctx, failed.id, 'expired')).toMatchObject({
      creditsMoved: 0,
      payment: { status: 'failed', failureReason: 'expired' },
    });
    expect(await available(accountId)).toBe(300);
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.accountId, accountId));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['credits.restrict', 'credits.unrestrict', 'payment.dispute_closed']),
    );
  });
});
