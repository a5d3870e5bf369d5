import { eq, sql } from 'drizzle-orm';
import { preparedRows, queryRows } from '../../db/client.ts';
import { auditLog, ledgerAccounts, ledgerTransfers } from '../../db/schema/index.ts';
import { isTransaction, sqlState, transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { systemAccountFor, walletOf } from './accounts.ts';
import { type Applied, applyTransfer, type Transfer, WalletMissing, walletRef } from './transfer.ts';

/**
 * The ledger's verbs. Each runs in the caller's transaction when there is one (so an order's state
 * change, its transfer and its audit row commit together) or in its own. Every transfer carries an
 * idempotency key chosen by the caller; repeating a call returns the original transfer.
 */

/**
 * Run a transfer that names a customer's wallet by its owner (resolved inside the statement). A
 * customer who never had a wallet gets one, and the transfer runs again.
 */
async function withWallet(ctx: Ctx, accountId: string, run: (wallet: string) => Promise<Applied>): Promise<Applied> {
  try {
    return await run(walletRef(accountId));
  } catch (error) {
    if (!(error instanceof WalletMissing)) throw error;
    await walletOf(ctx.db, accountId, ctx.clock.now());
    return run(walletRef(accountId));
  }
}

interface Common {
  idempotencyKey: string;
  reason: string;
  metadata?: Record<string, unknown>;
}

/** Credits given by the operator (support gesture, promotion, tests). Audited. */
export async function grantCredits(ctx: Ctx, input: Common & { accountId: string; amount: number }): Promise<Applied> {
  const grants = systemAccountFor('grants', input.accountId);
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const applied = await withWallet({ ...ctx, db: tx }, input.accountId, (wallet) =>
      applyTransfer(tx, {
        ...input,
        kind: 'grant',
        debitAccountId: grants,
        creditAccountId: wallet,
        changes: [
          { accountId: grants, phase: 'posted', amount: -input.amount },
          { accountId: wallet, phase: 'posted', amount: input.amount },
        ],
        guard: 'none',
        actor: ctx.actor,
        now,
      }),
    );
    if (!applied.replayed) {
      await tx.insert(auditLog).values({
        id: newId('aud', now.getTime()),
        actor: ctx.actor ?? 'system',
        action: 'credits.grant',
        accountId: input.accountId,
        details: { amount: input.amount, reason: input.reason, transferId: applied.transfer.id },
        occurredAt: now,
      });
    }
    return applied;
  });
}

/** Credits bought (a payment settled). */
export async function creditPurchase(ctx: Ctx, input: Common & { accountId: string; amount: number }): Promise<Applied> {
  const purchases = systemAccountFor('purchases', input.accountId);
  const now = ctx.clock.now();
  return withWallet(ctx, input.accountId, (wallet) =>
    applyTransfer(ctx.db, {
      ...input,
      kind: 'purchase',
      debitAccountId: purchases,
      creditAccountId: wallet,
      changes: [
        { accountId: purchases, phase: 'posted', amount: -input.amount },
        { accountId: wallet, phase: 'posted', amount: input.amount },
      ],
      guard: 'none',
      actor: ctx.actor,
      now,
    }),
  );
}

/** Reserve credits for an order: available goes down, posted does not. Refused below zero. */
export async function holdCredits(ctx: Ctx, input: Common & { accountId: string; amount: number; expiresAt: Date }): Promise<Applied> {
  const revenue = systemAccountFor('order_revenue', input.accountId);
  const now = ctx.clock.now();
  return withWallet(ctx, input.accountId, (wallet) =>
    applyTransfer(ctx.db, {
      ...input,
      kind: 'hold',
      debitAccountId: wallet,
      creditAccountId: revenue,
      changes: [
        { accountId: wallet, phase: 'pending', amount: -input.amount },
        { accountId: revenue, phase: 'pending', amount: input.amount },
      ],
      guard: { accountId: wallet, refuseRestricted: true },
      holdExpiresAt: input.expiresAt,
      actor: ctx.actor,
      now,
    }),
  );
}

/** Spend a hold (a code arrived), possibly for less than was held: the rest returns to the customer. */
export async function captureHold(ctx: Ctx, input: Common & { holdId: string; amount?: number }): Promise<Applied> {
  return resolveHold(ctx, input, 'capture');
}

/** Give a hold back in full (cancelled, expired, provider failed). */
export async function releaseHold(ctx: Ctx, input: Common & { holdId: string }): Promise<Applied> {
  return resolveHold(ctx, input, 'release');
}

async function resolveHold(ctx: Ctx, input: Common & { holdId: string; amount?: number }, kind: 'capture' | 'release'): Promise<Applied> {
  // Inside the caller's transaction the hold row is locked until it commits, so resolutions of one
  // hold are decided one at a time. Alone, the unique index on pending_id decides a race instead.
  const locking = isTransaction(ctx.db);
  const [row] = await preparedRows<
    Transfer & { resolution_id: string | null; resolution_kind: string | null; resolution_key: string | null }
  >(
    ctx.db,
    locking ? 'otpbox_ledger_hold_locked_v1' : 'otpbox_ledger_hold_v1',
    sql`select h.id, h.kind, h.amount, h.debit_account_id as "debitAccountId", h.credit_account_id as "creditAccountId", h.metadata,
               r.id as resolution_id, r.kind as resolution_kind, r.idempotency_key as resolution_key
        from ledger_transfers h left join ledger_transfers r on r.pending_id = h.id
        where h.id = ${input.holdId} ${locking ? sql`for update of h` : sql``}`,
  );
  if (row?.kind !== 'hold') throw new DomainError('NOT_FOUND', 'No such hold.');
  const hold = { ...row, amount: Number(row.amount) };
  if (row.resolution_id) return alreadyResolved(ctx, hold.id, input.idempotencyKey, kind);
  const amount = kind === 'capture' ? (input.amount ?? hold.amount) : hold.amount;
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > hold.amount) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `A capture takes between 1 and ${hold.amount} credits (the hold); release it to capture nothing.`,
    );
  }
  const wallet = hold.debitAccountId;
  const revenue = hold.creditAccountId;
  const changes: { accountId: string; phase: 'pending' | 'posted'; amount: number }[] = [
    { accountId: wallet, phase: 'pending', amount: hold.amount },
    { accountId: revenue, phase: 'pending', amount: -hold.amount },
  ];
  if (kind === 'capture')
    changes.push({ accountId: wallet, phase: 'posted', amount: -amount }, { accountId: revenue, phase: 'posted', amount });
  try {
    return await applyTransfer(ctx.db, {
      idempotencyKey: input.idempotencyKey,
      kind,
      amount,
      debitAccountId: wallet,
      creditAccountId: revenue,
      changes,
      guard: 'none',
      pendingId: hold.id,
      reason: input.reason,
      metadata: { ...(hold.metadata ?? {}), ...(input.metadata ?? {}), held: hold.amount },
      actor: ctx.actor,
      now: ctx.clock.now(),
    });
  } catch (error) {
    // Another resolution of this hold committed first (only possible outside a transaction).
    if (
      !locking &&
      sqlState(error) === '23505' &&
      String((error as { cause?: { constraint?: string } }).cause?.constraint ?? error).includes('resolves_once')
    ) {
      return alreadyResolved(ctx, hold.id, input.idempotencyKey, kind);
    }
    throw error;
  }
}

async function alreadyResolved(ctx: Ctx, holdId: string, idempotencyKey: string, kind: 'capture' | 'release'): Promise<Applied> {
  const [resolution] = await ctx.db.select().from(ledgerTransfers).where(eq(ledgerTransfers.pendingId, holdId));
  if (!resolution) throw new Error(`hold ${holdId} reported resolved but has no resolution`);
  if (resolution.idempotencyKey === idempotencyKey && resolution.kind === kind) return { transfer: resolution, replayed: true };
  throw new DomainError(
    'HOLD_ALREADY_RESOLVED',
    `This hold was already ${resolution.kind === 'capture' ? 'captured' : 'released'}; it cannot be ${kind === 'capture' ? 'captured' : 'released'}.`,
    { resolution: resolution.kind, transferId: resolution.id },
  );
}

/** Give spent credits back (the provider refunded us, a support decision). */
export async function refundCredits(ctx: Ctx, input: Common & { accountId: string; amount: number }): Promise<Applied> {
  const refunds = systemAccountFor('refunds', input.accountId);
  const now = ctx.clock.now();
  return withWallet(ctx, input.accountId, (wallet) =>
    applyTransfer(ctx.db, {
      ...input,
      kind: 'refund',
      debitAccountId: refunds,
      creditAccountId: wallet,
      changes: [
        { accountId: refunds, phase: 'posted', amount: -input.amount },
        { accountId: wallet, phase: 'posted', amount: input.amount },
      ],
      guard: 'none',
      actor: ctx.actor,
      now,
    }),
  );
}

/**
 * A payment was disputed and taken back: remove its credits even if they were spent. The wallet may go
 * below zero (marked in debt) and is restricted — it cannot hold credits again — until settled. Audited.
 */
export async function chargeBack(ctx: Ctx, input: Common & { accountId: string; amount: number }): Promise<Applied> {
  const chargebacks = systemAccountFor('chargebacks', input.accountId);
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const applied = await withWallet({ ...ctx, db: tx }, input.accountId, (wallet) =>
      applyTransfer(tx, {
        ...input,
        kind: 'chargeback',
        debitAccountId: wallet,
        creditAccountId: chargebacks,
        changes: [
          { accountId: wallet, phase: 'posted', amount: -input.amount },
          { accountId: chargebacks, phase: 'posted', amount: input.amount },
        ],
        guard: 'none',
        allowDebt: true,
        actor: ctx.actor,
        now,
      }),
    );
    if (!applied.replayed) {
      await tx.update(ledgerAccounts).set({ restrictedAt: now }).where(eq(ledgerAccounts.id, applied.transfer.debitAccountId));
      await tx.insert(auditLog).values({
        id: newId('aud', now.getTime()),
        actor: ctx.actor ?? 'system',
        action: 'credits.chargeback',
        accountId: input.accountId,
        details: { amount: input.amount, reason: input.reason, transferId: applied.transfer.id },
        occurredAt: now,
      });
    }
    return applied;
  });
}

/** Lift the restriction a chargeback put on a wallet (the dispute is settled). Audited. */
export async function liftRestriction(ctx: Ctx, accountId: string, reason: string): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    await tx.update(ledgerAccounts).set({ restrictedAt: null }).where(eq(ledgerAccounts.ownerAccountId, accountId));
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'system',
      action: 'credits.unrestrict',
      accountId,
      details: { reason },
      occurredAt: now,
    });
  });
}

/** At account deletion the remaining available credits are forfeited (P12). */
export async function forfeitBalance(ctx: Ctx, input: Omit<Common, 'metadata'> & { accountId: string }): Promise<Applied | undefined> {
  const forfeits = systemAccountFor('forfeits', input.accountId);
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const wallet = await walletOf(tx, input.accountId, now);
    const [row] = await queryRows<{ available: string | number }>(
      tx,
      sql`select posted + pending as available from ledger_accounts where id = ${wallet} for update`,
    );
    const available = Number(row?.available ?? 0);
    if (available <= 0) return undefined;
    return applyTransfer(tx, {
      ...input,
      kind: 'forfeit',
      amount: available,
      debitAccountId: wallet,
      creditAccountId: forfeits,
      changes: [
        { accountId: wallet, phase: 'posted', amount: -available },
        { accountId: forfeits, phase: 'posted', amount: available },
      ],
      actor: ctx.actor,
      now,
    });
  });
}

/** Correct a posted transfer with its mirror image (never by editing it). Refused if the credits are gone. */
export async function reverseTransfer(ctx: Ctx, input: Common & { transferId: string }): Promise<Applied> {
  return transaction(ctx.db, async (tx) => {
    const [original] = await tx.select().from(ledgerTransfers).where(eq(ledgerTransfers.id, input.transferId));
    if (!original) throw new DomainError('NOT_FOUND', 'No such transfer.');
    if (original.phase !== 'posted' || original.kind === 'capture' || original.kind === 'release' || original.kind === 'reversal') {
      throw new DomainError('CONFLICT', 'Only posted grants, purchases, refunds, chargebacks and forfeits can be reversed.');
    }
    const [earlier] = await tx.select().from(ledgerTransfers).where(eq(ledgerTransfers.reversesId, original.id));
    if (earlier) {
      if (earlier.idempotencyKey === input.idempotencyKey) return { transfer: earlier, replayed: true };
      throw new DomainError('CONFLICT', `Transfer ${original.id} was already reversed by ${earlier.id}.`);
    }
    return applyTransfer(tx, {
      idempotencyKey: input.idempotencyKey,
      kind: 'reversal',
      amount: original.amount,
      debitAccountId: original.creditAccountId,
      creditAccountId: original.debitAccountId,
      changes: [
        { accountId: original.creditAccountId, phase: 'posted', amount: -original.amount },
        { accountId: original.debitAccountId, phase: 'posted', amount: original.amount },
      ],
      reversesId: original.id,
      reason: input.reason,
      metadata: { reverses: original.id, ...(input.metadata ?? {}) },
      actor: ctx.actor,
      now: ctx.clock.now(),
    });
  });
}

export type { Transfer };
