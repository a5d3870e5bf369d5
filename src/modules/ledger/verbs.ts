import { and, sql as drizzleSql, eq, isNull } from 'drizzle-orm';
import { queryRows, rowMapper } from '../../db/client.ts';
import { type DriverRow, rawRows, runStatement } from '../../db/raw-driver.ts';
import { ledgerAccounts, ledgerTransfers } from '../../db/schema/index.ts';
import { param, params, sql, statement, type Values } from '../../db/statement.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { systemAccountFor, walletOf } from './accounts.ts';
import { auditCredits } from './audit.ts';
import { announceTransferAccounts } from './balance-changes.ts';
import { type Applied, applyHold, applyTransfer, posted, type Transfer, WalletMissing, walletRef } from './transfer.ts';

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

/** A grant or a take-back: audited here, unless the caller writes the one audit row of its action in this transaction. */
interface Operator {
  /** The console's staff actions record who, when and why themselves (console/staff-action.ts): one row per action. */
  auditedByCaller?: boolean;
}

/** Credits given by the operator (support gesture, promotion, tests). Audited. */
export async function grantCredits(ctx: Ctx, input: Common & Operator & { accountId: string; amount: number }): Promise<Applied> {
  const grants = systemAccountFor('grants', input.accountId);
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const applied = await withWallet({ ...ctx, db: tx }, input.accountId, (wallet) =>
      applyTransfer(tx, {
        ...input,
        kind: 'grant',
        ...posted(grants, wallet, input.amount),
        guard: 'none',
        actor: ctx.actor,
        now,
      }),
    );
    if (!applied.replayed && !input.auditedByCaller) {
      await auditCredits(
        { ...ctx, db: tx },
        'credits.grant',
        input.accountId,
        { amount: input.amount, reason: input.reason, transferId: applied.transfer.id },
        now,
      );
    }
    return applied;
  });
}

/**
 * Credits the operator takes back (a grant made in error, a correction agreed with the customer):
 * never more than the wallet has available, so it cannot push a customer into debt. Audited.
 */
export async function deductCredits(ctx: Ctx, input: Common & Operator & { accountId: string; amount: number }): Promise<Applied> {
  const forfeits = systemAccountFor('forfeits', input.accountId);
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const applied = await withWallet({ ...ctx, db: tx }, input.accountId, (wallet) =>
      applyTransfer(tx, { ...input, kind: 'forfeit', ...posted(wallet, forfeits, input.amount), actor: ctx.actor, now }),
    );
    if (!applied.replayed && !input.auditedByCaller) {
      await auditCredits(
        { ...ctx, db: tx },
        'credits.deduct',
        input.accountId,
        { amount: input.amount, reason: input.reason, transferId: applied.transfer.id },
        now,
      );
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
      ...posted(purchases, wallet, input.amount),
      guard: 'none',
      actor: ctx.actor,
      now,
    }),
  );
}

/** Reserve credits for an order: available goes down, posted does not. Refused below zero. */
export async function holdCredits(ctx: Ctx, input: Common & { accountId: string; amount: number; expiresAt: Date }): Promise<Applied> {
  const spec = {
    ownerAccountId: input.accountId,
    systemAccountId: systemAccountFor('order_revenue', input.accountId),
    amount: input.amount,
    idempotencyKey: input.idempotencyKey,
    reason: input.reason,
    metadata: input.metadata,
    actor: ctx.actor,
    holdExpiresAt: input.expiresAt,
    now: ctx.clock.now(),
  };
  try {
    return await applyHold(ctx.db, spec);
  } catch (error) {
    if (!(error instanceof WalletMissing)) throw error;
    await walletOf(ctx.db, input.accountId, spec.now);
    return applyHold(ctx.db, spec);
  }
}

/** Spend a hold (a code arrived), possibly for less than was held: the rest returns to the customer. */
export async function captureHold(ctx: Ctx, input: Common & { holdId: string; amount?: number }): Promise<Applied> {
  return resolveHold(ctx, input, 'capture');
}

/** Give a hold back in full (cancelled, expired, provider failed). */
export async function releaseHold(ctx: Ctx, input: Common & { holdId: string }): Promise<Applied> {
  return resolveHold(ctx, input, 'release');
}

/**
 * Capture or release a hold in one statement (one round trip, like every transfer): read the hold,
 * lock its two accounts in id order, insert the resolution (`ON CONFLICT DO NOTHING` on both its
 * idempotency key and the hold's `resolves_once` index, so a race or a replay writes nothing and never
 * aborts the caller's transaction), move the balances and append the entries with the balances after
 * them. When nothing was written, the follow-up queries say why.
 */
const r = params(
  {
    holdId: 'text',
    kind: 'text',
    amount: 'bigint',
    id: 'text',
    key: 'text',
    reason: 'text',
    metadata: 'jsonb',
    actor: 'text',
  },
  'resolve',
);
export type ResolveParam = (typeof r)[keyof typeof r]['name'] | 'now';
const nowParam = param('now', 'timestamptz');

/**
 * The CTEs of a hold's resolution (`hold`, `amt`, `delta`, `locked`, `ins`, `upd`, `ent`), for a
 * statement of its own (RESOLVE) or one that also writes what the resolution is for (an order's
 * capture with its transition, activations/store.ts). `upd` answers the accounts moved with their
 * balances after the move (the rest of a statement sees them as they were before: one snapshot).
 * `RESOLVE_RESULT` is what `resolvedHold` reads.
 */
export const RESOLVE_CTES = sql`hold as (
    select h.id, h.amount, h.debit_account_id as wallet, h.credit_account_id as revenue, h.metadata
    from ledger_transfers h where h.id = ${r.holdId} and h.kind = 'hold'
  ),
  amt as (
    select case when ${r.kind} = 'release' then h.amount else coalesce(${r.amount}, h.amount) end as amount from hold h
  ),
  delta as (
    select h.wallet as id, 1 as side, case when ${r.kind} = 'capture' then -a.amount else 0 end as dposted, h.amount as dpending
    from hold h, amt a
    union all
    select h.revenue, 2, case when ${r.kind} = 'capture' then a.amount else 0 end, -h.amount
    from hold h, amt a
  ),
  locked as (
    -- A demo hold's owner's credits wallet is locked first: the order's transition will take it (its
    -- open-order count) and a new order takes it before the demo wallet (migration 0011).
    -- The accounts are found by their ids alone (the primary key): an OR of the ids with another
    -- condition, as this was written before, read every account of the ledger on each resolution.
    select a.id from ledger_accounts a
    where a.id = any (array(
      select id from delta
      union all
      select c.id from hold h
        join ledger_accounts w on w.id = h.wallet and w.purse = 'demo'
        join ledger_accounts c on c.owner_account_id = w.owner_account_id and c.purse = 'credits'))
    order by (a.purse is not distinct from 'credits') desc, a.id for update
  ),
  ins as (
    insert into ledger_transfers (id, idempotency_key, kind, phase, amount, debit_account_id, credit_account_id,
                                  pending_id, reason, metadata, actor, created_at)
    select ${r.id}, ${r.key}, ${r.kind}, 'posted', a.amount, h.wallet, h.revenue, h.id, ${r.reason},
           coalesce(h.metadata, '{}'::jsonb) || coalesce(${r.metadata}, '{}'::jsonb) || jsonb_build_object('held', h.amount),
           ${r.actor}, ${nowParam}
    from hold h, amt a
    where a.amount between 1 and h.amount and (select count(*) from locked where id in (select id from delta)) = 2
    on conflict do nothing
    returning *
  ),
  upd as (
    update ledger_accounts a set
      posted = a.posted + d.dposted,
      pending = a.pending + d.dpending,
      in_debt = a.kind = 'wallet' and a.in_debt and a.posted + d.dposted + a.pending + d.dpending < 0
    from delta d
    where a.id = d.id and exists (select 1 from ins)
    returning a.id, a.posted, a.pending
  ),
  ent as (
    -- In order: both pending reversals, then (capture) both postings; the balances after each entry
    -- are the final ones minus what the later entries of that account add.
    insert into ledger_entries (transfer_id, account_id, phase, amount, posted_after, pending_after, created_at)
    select ${r.id}, d.id, e.phase, e.amount,
           u.posted - case when e.phase = 'pending' then d.dposted else 0 end, u.pending, ${nowParam}
    from delta d
    join upd u on u.id = d.id
    cross join lateral (values (1, 'pending', d.dpending), (2, 'posted', d.dposted)) as e(step, phase, amount)
    where e.amount <> 0
    order by e.step, d.side
    returning 1
  )`;

/**
 * The ledger's accounts as a resolution (RESOLVE_CTES, same statement) leaves them: for a part of the
 * statement that reads balances after it, such as a `balance.updated` event (events/emit.ts).
 */
export const RESOLVED_ACCOUNTS = sql`(select a.owner_account_id, a.purse, coalesce(u.posted, a.posted) as posted,
            coalesce(u.pending, a.pending) as pending
     from ledger_accounts a left join upd u on u.id = a.id)`;

/** The columns a statement with RESOLVE_CTES answers for `resolvedHold`, from `(select 1) as one left join ins on true`. */
export const RESOLVE_RESULT = sql`(select count(*) from hold) as hold_found, (select amount from hold) as held, (select count(*) from ent) as entries, ins.*`;

const RESOLVE = statement(
  'otpbox_ledger_resolve_v4',
  sql`with
  ${RESOLVE_CTES}
  select ${RESOLVE_RESULT}
  from (select 1) as one left join ins on true`,
);

/** The statements of this file, for their snapshot (src/db/queries/ledger.sql). */
export const VERB_STATEMENTS = [RESOLVE];

const transferFromDriver = rowMapper(ledgerTransfers);

async function resolveHold(ctx: Ctx, input: Common & { holdId: string; amount?: number }, kind: 'capture' | 'release'): Promise<Applied> {
  const now = ctx.clock.now();
  const [row] = await runStatement(ctx.db, RESOLVE, resolveValues(ctx, input, kind, now));
  return resolvedHold(ctx, input, kind, row);
}

/** The values of RESOLVE_CTES' parameters (`now` included). */
export function resolveValues(
  ctx: Ctx,
  input: Common & { holdId: string; amount?: number },
  kind: 'capture' | 'release',
  now: Date,
): Values<ResolveParam> {
  return {
    'resolve.holdId': input.holdId,
    'resolve.kind': kind,
    // An amount that is not a whole number is sent as -1: refused by resolvedHold, with the hold's amount in the message.
    'resolve.amount': askedAmount(input, kind),
    'resolve.id': newId('txn', now.getTime()),
    'resolve.key': input.idempotencyKey,
    'resolve.reason': input.reason,
    'resolve.metadata': input.metadata ? JSON.stringify(input.metadata) : null,
    'resolve.actor': ctx.actor ?? null,
    now: now.toISOString(),
  };
}

const askedAmount = (input: { amount?: number }, kind: 'capture' | 'release'): number | null =>
  kind === 'capture' && input.amount !== undefined ? (Number.isSafeInteger(input.amount) ? input.amount : -1) : null;

/**
 * What a resolution statement did (`row`: its RESOLVE_RESULT columns): the transfer written, the one
 * written before under the same key (`replayed`), or the reason nothing was, thrown.
 */
export async function resolvedHold(
  ctx: Ctx,
  input: Common & { holdId: string; amount?: number },
  kind: 'capture' | 'release',
  found: DriverRow | undefined,
): Promise<Applied> {
  const row = found as (DriverRow & { hold_found: string | number; held: string | number | null }) | undefined;
  if (row?.id) {
    const transfer = transferFromDriver(row);
    await announceTransferAccounts(ctx.db, [transfer.debitAccountId]);
    return { transfer, replayed: false };
  }
  // Nothing was written: say why.
  if (Number(row?.hold_found) !== 1) throw new DomainError('NOT_FOUND', 'No such hold.');
  const [resolution] = await ctx.db
    .select({ id: ledgerTransfers.id })
    .from(ledgerTransfers)
    .where(eq(ledgerTransfers.pendingId, input.holdId));
  if (resolution) return alreadyResolved(ctx, input.holdId, input.idempotencyKey, kind);
  const held = Number(row?.held);
  const asked = askedAmount(input, kind);
  if (asked !== null && (asked < 1 || asked > held)) {
    throw new DomainError('VALIDATION_FAILED', `A capture takes between 1 and ${held} credits (the hold); release it to capture nothing.`);
  }
  const [sameKey] = await ctx.db.select().from(ledgerTransfers).where(eq(ledgerTransfers.idempotencyKey, input.idempotencyKey));
  if (sameKey) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      `The idempotency key ${input.idempotencyKey} was already used for a different transfer.`,
    );
  }
  throw new Error(`hold ${input.holdId} could not be resolved: its accounts are missing`);
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
      ...posted(refunds, wallet, input.amount),
      guard: 'none',
      actor: ctx.actor,
      now,
    }),
  );
}

/**
 * A payment was disputed or refunded and taken back: remove its credits even if they were spent. The
 * wallet may go below zero (marked in debt) and is restricted — it cannot hold credits again — until
 * settled: always, or with `restrict: 'when_in_debt'` only if it went below zero. Audited.
 */
export async function chargeBack(
  ctx: Ctx,
  input: Common & { accountId: string; amount: number; restrict?: 'always' | 'when_in_debt' },
): Promise<Applied> {
  const chargebacks = systemAccountFor('chargebacks', input.accountId);
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const applied = await withWallet({ ...ctx, db: tx }, input.accountId, (wallet) =>
      applyTransfer(tx, {
        ...input,
        kind: 'chargeback',
        ...posted(wallet, chargebacks, input.amount),
        guard: 'none',
        allowDebt: true,
        actor: ctx.actor,
        now,
      }),
    );
    if (!applied.replayed) {
      const wallet = eq(ledgerAccounts.id, applied.transfer.debitAccountId);
      await tx
        .update(ledgerAccounts)
        .set({ restrictedAt: now })
        .where(input.restrict === 'when_in_debt' ? and(wallet, eq(ledgerAccounts.inDebt, true)) : wallet);
      await auditCredits(
        { ...ctx, db: tx },
        'credits.chargeback',
        input.accountId,
        { amount: input.amount, reason: input.reason, transferId: applied.transfer.id },
        now,
      );
    }
    return applied;
  });
}

/**
 * Lock a customer's credits wallet until the caller's transaction ends (created if missing), and say
 * whether it is in debt and restricted: for callers that decide a restriction from it and from their
 * own records, so two such decisions for one customer never interleave.
 */
export async function lockWallet(ctx: Ctx, accountId: string): Promise<{ inDebt: boolean; restricted: boolean; heldByStaff: boolean }> {
  const lock = () =>
    rawRows<{ in_debt: boolean; restricted: boolean; held_by_staff: boolean }>(
      ctx.db,
      'otpbox_ledger_lock_wallet_v2',
      'select in_debt, restricted_at is not null as restricted, staff_held_at is not null as held_by_staff ' +
        "from ledger_accounts where owner_account_id = $1 and purse = 'credits' for update",
      [accountId],
    );
  let [row] = await lock();
  if (!row) {
    await walletOf(ctx.db, accountId, ctx.clock.now());
    [row] = await lock();
  }
  return { inDebt: row?.in_debt ?? false, restricted: row?.restricted ?? false, heldByStaff: row?.held_by_staff ?? false };
}

/**
 * Restrict a customer's credits wallet without moving credits: holds are refused with
 * ACCOUNT_RESTRICTED until it is lifted. Audited; nothing happens to a restricted wallet.
 * - From payments (a dispute opened, a debt): what payments decide again lifts it (`reconcileRestriction`).
 * - `byStaff` (a staff member's hold): the wallet stays restricted whatever payments say, until an admin
 *   lifts it (`liftRestriction`). A wallet restricted by payments already is held by staff too.
 */
export async function restrictWallet(ctx: Ctx, accountId: string, reason: string, options: { byStaff?: boolean } = {}): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const wallet = await walletOf(tx, accountId, now);
    const restricted = await tx
      .update(ledgerAccounts)
      .set(
        options.byStaff
          ? { restrictedAt: drizzleSql`coalesce(${ledgerAccounts.restrictedAt}, ${now.toISOString()}::timestamptz)`, staffHeldAt: now }
          : { restrictedAt: now },
      )
      .where(and(eq(ledgerAccounts.id, wallet), isNull(options.byStaff ? ledgerAccounts.staffHeldAt : ledgerAccounts.restrictedAt)))
      .returning({ id: ledgerAccounts.id });
    if (restricted.length > 0)
      await auditCredits({ ...ctx, db: tx }, 'credits.restrict', accountId, { reason, ...(options.byStaff ? { byStaff: true } : {}) }, now);
  });
}

/**
 * Lift a wallet's restriction, whatever set it (an admin's decision; payments lift only their own, in
 * `reconcileRestriction`, never a staff hold). Audited.
 */
export async function liftRestriction(ctx: Ctx, accountId: string, reason: string): Promise<void> {
  await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    await tx.update(ledgerAccounts).set({ restrictedAt: null, staffHeldAt: null }).where(eq(ledgerAccounts.ownerAccountId, accountId));
    await auditCredits({ ...ctx, db: tx }, 'credits.unrestrict', accountId, { reason }, now);
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
      drizzleSql`select posted + pending as available from ledger_accounts where id = ${wallet} for update`,
    );
    const available = Number(row?.available ?? 0);
    if (available <= 0) return undefined;
    return applyTransfer(tx, {
      ...input,
      kind: 'forfeit',
      ...posted(wallet, forfeits, available),
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
      ...posted(original.creditAccountId, original.debitAccountId, original.amount),
      reversesId: original.id,
      reason: input.reason,
      metadata: { reverses: original.id, ...(input.metadata ?? {}) },
      actor: ctx.actor,
      now: ctx.clock.now(),
    });
  });
}

export type { Transfer };
