import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { systemAccountFor, walletOf } from './accounts.ts';
import { auditCredits } from './audit.ts';
import { type Applied, applyTransfer, posted } from './transfer.ts';

/**
 * Demo credits: the sandbox's play money, kept in a wallet of their own (the `demo` purse) with system
 * accounts of their own, so that they can never pay for a real number. Customers add them themselves
 * (up to a cap) while the sandbox sells; sandbox orders spend them first; when the sandbox stops
 * selling they are voided by a transfer whose reason says why.
 */

/** Add demo credits, refused beyond `cap` in the demo wallet (available and held together). */
export async function grantDemoCredits(
  ctx: Ctx,
  input: { accountId: string; amount: number; cap: number; idempotencyKey: string },
): Promise<Applied> {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0)
    throw new DomainError('VALIDATION_FAILED', 'The amount must be a positive whole number of credits.');
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const wallet = await walletOf(tx, input.accountId, now, 'demo');
    // Locked until the grant commits, so two top-ups at once cannot both pass the cap.
    const [row] = await queryRows<{ posted: string | number }>(tx, sql`select posted from ledger_accounts where id = ${wallet} for update`);
    const room = input.cap - Number(row?.posted ?? 0);
    if (input.amount > room) {
      throw new DomainError(
        'DEMO_CREDITS_LIMIT',
        room > 0
          ? `You can add at most ${room} more demo credits: an account holds up to ${input.cap}.`
          : `You already have the most demo credits an account can hold (${input.cap}). Spend some on sandbox numbers first.`,
        { cap: input.cap, room: Math.max(0, room) },
      );
    }
    const grants = systemAccountFor('demo_grants', input.accountId);
    const applied = await applyTransfer(tx, {
      idempotencyKey: input.idempotencyKey,
      kind: 'grant',
      ...posted(grants, wallet, input.amount),
      guard: 'none',
      reason: 'Demo credits added (sandbox numbers only)',
      metadata: { demo: true },
      actor: ctx.actor,
      now,
    });
    if (!applied.replayed) {
      await auditCredits(
        { ...ctx, db: tx },
        'credits.demo_grant',
        input.accountId,
        { amount: input.amount, transferId: applied.transfer.id },
        now,
      );
    }
    return applied;
  });
}

export const DEMO_VOID_REASON = 'Demo credits voided: the sandbox no longer sells numbers here';

/**
 * Void what a customer's demo wallet has available (held credits of open sandbox orders come back
 * when those end, and are voided then). Undefined when there was nothing to void.
 */
export async function voidDemoCredits(ctx: Ctx, accountId: string, reason = DEMO_VOID_REASON): Promise<Applied | undefined> {
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [row] = await queryRows<{ id: string; available: string | number }>(
      tx,
      sql`select id, posted + pending as available from ledger_accounts
          where owner_account_id = ${accountId} and purse = 'demo' for update`,
    );
    const available = Number(row?.available ?? 0);
    if (!row || available <= 0) return undefined;
    const voids = systemAccountFor('demo_voids', accountId);
    return applyTransfer(tx, {
      // Each void is a transfer of its own: it moves what the locked wallet holds now.
      idempotencyKey: `demo-void:${row.id}:${newId('txn', now.getTime())}`,
      kind: 'void',
      ...posted(row.id, voids, available),
      reason,
      metadata: { demo: true },
      actor: ctx.actor ?? 'system',
      now,
    });
  });
}

/** Customers whose demo wallet has credits available, at most `limit` (for the void job). */
export async function demoWalletsWithCredits(ctx: Ctx, limit: number): Promise<string[]> {
  const rows = await queryRows<{ owner: string }>(
    ctx.db,
    sql`select owner_account_id as owner from ledger_accounts
        where kind = 'wallet' and purse = 'demo' and posted + pending > 0
        order by id limit ${limit}`,
  );
  return rows.map((row) => row.owner);
}

/**
 * While the sandbox does not sell (SANDBOX=off, or `auto` with a real provider connected), every demo
 * wallet's available credits are voided, a wallet at a time, each in its own transaction. Credits
 * held by open sandbox orders come back when those end and are voided by a later run.
 */
export async function voidAllDemoCredits(ctx: Ctx, signal: AbortSignal): Promise<{ voided: number }> {
  let voided = 0;
  for (const accountId of await demoWalletsWithCredits(ctx, 500)) {
    if (signal.aborted) break;
    if (await voidDemoCredits(ctx, accountId)) voided++;
  }
  return { voided };
}
