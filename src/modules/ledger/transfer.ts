import { sql as drizzleSql, eq } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { runStatement } from '../../db/raw-driver.ts';
import { ledgerTransfers, type TransferKind } from '../../db/schema/index.ts';
import { type Fragment, params, sql, statement } from '../../db/statement.ts';
import { sqlState } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { announceBalanceChange, announceTransferEverywhere } from './balance-changes.ts';

export type Phase = 'pending' | 'posted';
export type Transfer = typeof ledgerTransfers.$inferSelect;

/**
 * An account as a transfer names it: a ledger account id, or `owner:<customer account id>` for a
 * customer's credits wallet (`demo:<customer account id>` for its demo wallet), resolved inside the
 * statement (saving the round trip of looking it up).
 */
export type AccountRef = string;
export const walletRef = (accountId: string): AccountRef => `owner:${accountId}`;
export const demoWalletRef = (accountId: string): AccountRef => `demo:${accountId}`;
const WALLET_REF = /^(owner|demo):(.+)$/;

/** The customer's wallet does not exist yet; the caller creates it and tries again. */
export class WalletMissing extends Error {
  override name = 'WalletMissing';
}

export interface TransferSpec {
  idempotencyKey: string;
  kind: TransferKind;
  amount: number;
  debitAccountId: string;
  creditAccountId: string;
  /** The signed changes per account and phase, in order; they must sum to zero per phase. */
  changes: { accountId: string; phase: Phase; amount: number }[];
  /** Refuse when this wallet's available balance would fall below zero (default: the debited account). */
  guard?: { accountId: string; refuseRestricted?: boolean } | 'none';
  /** A chargeback may drive the debited wallet below zero: it is marked in debt. */
  allowDebt?: boolean;
  pendingId?: string;
  reversesId?: string;
  holdExpiresAt?: Date;
  reason: string;
  metadata?: Record<string, unknown>;
  actor?: string;
  now: Date;
}

/** A posted movement of `amount` from one account to another: the transfer's accounts, amount and two entries. */
export function posted(
  from: AccountRef,
  to: AccountRef,
  amount: number,
): Pick<TransferSpec, 'amount' | 'debitAccountId' | 'creditAccountId' | 'changes'> {
  return {
    amount,
    debitAccountId: from,
    creditAccountId: to,
    changes: [
      { accountId: from, phase: 'posted', amount: -amount },
      { accountId: to, phase: 'posted', amount },
    ],
  };
}

export interface Applied {
  transfer: Transfer;
  /** True when this idempotency key had already been used: nothing changed, the original is returned. */
  replayed: boolean;
}

/** The transfer statement's parameters (see applyTransfer). */
const t = params({
  refs: 'text[]',
  posted: 'bigint[]',
  pending: 'bigint[]',
  guard: 'text',
  allowDebt: 'boolean',
  refuseRestricted: 'boolean',
  id: 'text',
  key: 'text',
  kind: 'text',
  phase: 'text',
  amount: 'bigint',
  debit: 'text',
  credit: 'text',
  pendingId: 'text',
  reversesId: 'text',
  holdExpiresAt: 'timestamptz',
  reason: 'text',
  metadata: 'jsonb',
  actor: 'text',
  now: 'timestamptz',
  accounts: 'int',
  entryRefs: 'text[]',
  entryPhases: 'text[]',
  entryAmounts: 'bigint[]',
});

/** The transfer statement (see applyTransfer); a constant text, prepared once per connection. */
const TRANSFER = statement(
  'otpbox_ledger_transfer_v6',
  sql`with
  refs as (
    select r.ref, coalesce(w.id, case when r.ref like 'owner:%' or r.ref like 'demo:%' then null else r.ref end) as id
    from unnest(${t.refs}) as r(ref)
    left join ledger_accounts w
      on (r.ref like 'owner:%' and w.owner_account_id = substr(r.ref, 7) and w.purse = 'credits')
      or (r.ref like 'demo:%' and w.owner_account_id = substr(r.ref, 6) and w.purse = 'demo')
  ),
  delta as (
    select refs.id, d.dposted, d.dpending
    from unnest(${t.refs}, ${t.posted}, ${t.pending}) as d(ref, dposted, dpending)
    join refs on refs.ref = d.ref
  ),
  guarded as (select id from refs where ref = ${t.guard}),
  locked as (
    select a.id, a.kind, a.posted, a.pending, a.restricted_at
    from ledger_accounts a
    -- A missing wallet means nothing will be written: take no lock (the caller creates it and retries).
    where a.id in (select id from refs) and not exists (select 1 from refs where id is null)
    order by a.id for update
  ),
  verdict as (
    select count(*) as found,
           coalesce(bool_and(
             l.id is distinct from (select id from guarded) or l.kind = 'system' or ${t.allowDebt}
             or l.posted + l.pending + d.dposted + d.dpending >= 0), true)
           and coalesce(bool_and(l.id is distinct from (select id from guarded) or not ${t.refuseRestricted} or l.restricted_at is null), true)
           as ok
    from locked l join delta d on d.id = l.id
  ),
  ins as (
    insert into ledger_transfers (id, idempotency_key, kind, phase, amount, debit_account_id, credit_account_id,
                                  pending_id, reverses_id, hold_expires_at, reason, metadata, actor, created_at)
    select ${t.id}, ${t.key}, ${t.kind}, ${t.phase}, ${t.amount},
           (select id from refs where ref = ${t.debit}), (select id from refs where ref = ${t.credit}),
           ${t.pendingId}, ${t.reversesId}, ${t.holdExpiresAt}, ${t.reason}, ${t.metadata}, ${t.actor}, ${t.now}
    from verdict where ok and found = ${t.accounts}
    on conflict (idempotency_key) do nothing
    returning id
  ),
  upd as (
    update ledger_accounts a set
      posted = a.posted + d.dposted,
      pending = a.pending + d.dpending,
      in_debt = a.kind = 'wallet' and (a.in_debt or (${t.allowDebt} and a.id = (select id from refs where ref = ${t.debit})))
                and a.posted + d.dposted + a.pending + d.dpending < 0
    from delta d
    where a.id = d.id and exists (select 1 from ins)
      -- The authoritative guard: re-checked by PostgreSQL on the newest row version.
      and (a.id is distinct from (select id from guarded) or a.kind = 'system'
           or ${t.allowDebt} or a.posted + a.pending + d.dposted + d.dpending >= 0)
    returning a.id, a.posted, a.pending
  ),
  ent as (
    insert into ledger_entries (transfer_id, account_id, phase, amount, posted_after, pending_after, created_at)
    select ${t.id}, refs.id, e.phase, e.amount,
           u.posted - coalesce(sum(case when e.phase = 'posted' then e.amount end)
             over (partition by refs.id order by e.ord desc rows between unbounded preceding and 1 preceding), 0),
           u.pending - coalesce(sum(case when e.phase = 'pending' then e.amount end)
             over (partition by refs.id order by e.ord desc rows between unbounded preceding and 1 preceding), 0),
           ${t.now}
    from unnest(${t.entryRefs}, ${t.entryPhases}, ${t.entryAmounts}) with ordinality as e(ref, phase, amount, ord)
    join refs on refs.ref = e.ref
    join upd u on u.id = refs.id
    order by e.ord
    returning 1
  )
  select (select ok from verdict) as verdict, (select found from verdict) as found,
         (select count(*) from ins) as inserted, (select count(*) from ent) as entries,
         (select count(*) from refs where id is null) as missing,
         (select id from refs where ref = ${t.debit}) as debit_id,
         (select id from refs where ref = ${t.credit}) as credit_id,
         case when (select count(*) from ins) = 1 and (select count(*) from upd) <> ${t.accounts}
              then ledger_refuse('a concurrent change left too little') end as refused`,
);

type TransferAnswer = {
  verdict: boolean | null;
  found: number | string;
  inserted: number | string;
  missing: number | string;
  debit_id: string | null;
  credit_id: string | null;
};

/**
 * Apply one balanced transfer as a single SQL statement (atomic on its own, or part of the caller's
 * transaction):
 *
 *   locked   lock every touched account, in id order (a fixed order: no deadlocks)
 *   verdict  check the guard on the locked rows: a wallet's available balance never goes below zero
 *   ins      insert the transfer — only if the verdict is yes; `ON CONFLICT DO NOTHING` on its key
 *   upd      add the changes to the cached balances — only if the transfer was inserted
 *   ent      append the entries with each account's balances after them — idem
 *
 * Because balances move only when the transfer row was inserted, a repeated idempotency key (even a
 * concurrent one, which waits for the first to commit) or a refused guard changes nothing at all.
 * One round trip instead of seven: the ledger's throughput is bounded by round trips, not SQL work.
 */
export async function applyTransfer(db: Executor, spec: TransferSpec): Promise<Applied> {
  if (!Number.isSafeInteger(spec.amount) || spec.amount <= 0)
    throw new DomainError('VALIDATION_FAILED', 'The amount must be a positive whole number of credits.');
  for (const phase of ['pending', 'posted'] as const) {
    const sum = spec.changes.filter((c) => c.phase === phase).reduce((total, c) => total + c.amount, 0);
    if (sum !== 0) throw new Error(`unbalanced ${spec.kind} transfer: ${phase} changes sum to ${sum}`);
  }
  const deltas = new Map<string, { posted: number; pending: number }>();
  for (const change of spec.changes) {
    const delta = deltas.get(change.accountId) ?? { posted: 0, pending: 0 };
    delta[change.phase] += change.amount;
    deltas.set(change.accountId, delta);
  }
  const accountIds = [...deltas.keys()];
  const guard = spec.guard === 'none' ? undefined : (spec.guard ?? { accountId: spec.debitAccountId });
  const entries = spec.changes.filter((change) => change.amount !== 0);

  const refs = accountIds;
  const transfer: Transfer = {
    id: newId('txn', spec.now.getTime()),
    idempotencyKey: spec.idempotencyKey,
    kind: spec.kind,
    phase: spec.kind === 'hold' ? 'pending' : 'posted',
    amount: spec.amount,
    debitAccountId: spec.debitAccountId,
    creditAccountId: spec.creditAccountId,
    pendingId: spec.pendingId ?? null,
    reversesId: spec.reversesId ?? null,
    holdExpiresAt: spec.holdExpiresAt ?? null,
    reason: spec.reason,
    metadata: spec.metadata ?? null,
    actor: spec.actor ?? null,
    createdAt: spec.now,
  };

  const result = await runTransferStatement(async () => {
    const [row] = (await runStatement(db, TRANSFER, {
      refs,
      posted: accountIds.map((id) => deltas.get(id)?.posted ?? 0),
      pending: accountIds.map((id) => deltas.get(id)?.pending ?? 0),
      guard: guard?.accountId ?? '',
      allowDebt: Boolean(spec.allowDebt),
      refuseRestricted: Boolean(guard?.refuseRestricted),
      id: transfer.id,
      key: transfer.idempotencyKey,
      kind: transfer.kind,
      phase: transfer.phase,
      amount: transfer.amount,
      debit: spec.debitAccountId,
      credit: spec.creditAccountId,
      pendingId: transfer.pendingId,
      reversesId: transfer.reversesId,
      holdExpiresAt: transfer.holdExpiresAt?.toISOString() ?? null,
      reason: transfer.reason,
      metadata: transfer.metadata === null ? null : JSON.stringify(transfer.metadata),
      actor: transfer.actor,
      now: transfer.createdAt.toISOString(),
      accounts: accountIds.length,
      entryRefs: entries.map((e) => e.accountId),
      entryPhases: entries.map((e) => e.phase),
      entryAmounts: entries.map((e) => e.amount),
    })) as TransferAnswer[];
    return row;
  });
  if (result === 'refused') throw await refusal(db, guard?.accountId ?? spec.debitAccountId, spec.amount, Boolean(guard?.refuseRestricted));
  if (Number(result?.missing) > 0) throw new WalletMissing('a wallet named by this transfer does not exist yet');
  if (Number(result?.inserted) === 1) {
    await announceTransferEverywhere(db, accountIds);
    return { transfer: { ...transfer, debitAccountId: result?.debit_id ?? '', creditAccountId: result?.credit_id ?? '' }, replayed: false };
  }

  // Nothing was written: the key was used before (possibly by a concurrent call), or the guard said no.
  const [existing] = await db.select().from(ledgerTransfers).where(eq(ledgerTransfers.idempotencyKey, spec.idempotencyKey));
  if (existing) {
    const resolved = {
      debitAccountId: result?.debit_id ?? spec.debitAccountId,
      creditAccountId: result?.credit_id ?? spec.creditAccountId,
    };
    return { transfer: sameTransfer(existing, { ...spec, ...resolved }), replayed: true };
  }
  if (Number(result?.found) !== accountIds.length) throw new DomainError('NOT_FOUND', 'No such ledger account.');
  throw await refusal(db, result?.debit_id ?? spec.debitAccountId, spec.amount, Boolean(guard?.refuseRestricted));
}

/** A hold's parameters, shared by every statement that writes one (the hold, an order's placement). */
export const holdParams = params({
  /** The customer, whose credits wallet (or demo wallet) pays. */
  account: 'text',
  /** The system account (a stripe) the hold goes to. */
  system: 'text',
  transferId: 'text',
  holdKey: 'text',
  reason: 'text',
  metadata: 'jsonb',
  actor: 'text',
  now: 'timestamptz',
  deadline: 'timestamptz',
  /**
   * A hold's other choice (order placement): the customer's demo wallet pays instead of its credits
   * when `demoEligible` (the order may be filled by the sandbox) and it holds at least `demoPrice`;
   * the hold then goes to `demoSystem` (a stripe of `demo_revenue`).
   */
  demoEligible: 'boolean',
  demoSystem: 'text',
  demoPrice: 'bigint',
});
export type HoldParam = (typeof holdParams)[keyof typeof holdParams]['name'];
type DemoParam = (typeof holdParams)['demoEligible' | 'demoSystem' | 'demoPrice']['name'];

/**
 * A hold — the transfer every order makes — as common table expressions (ADR 12): the general
 * statement's executor start-up was most of PostgreSQL's work per order. Same rules: the accounts
 * locked (`locked`: the customer's credits wallet first — the lock that serialises an account's
 * orders, see migration 0011 — then the others in id order), the guard (available ≥ amount, wallet not
 * restricted) decided on the locked rows and re-checked by the balance `UPDATE` on the newest row
 * version, the transfer inserted under its idempotency key (`ins`, returning its amount), balances and
 * entries written only if it was (`upd`, `ent`).
 *
 * `credits` is the customer's credits wallet; `wallet` the wallet that pays (the demo wallet when
 * `demo` allows and it can pay, else `credits`); `counterpart` the system account the hold goes to.
 * `decide` is inserted between the lock and the insert (CTEs that may read `wallet` and `credits`);
 * `amount` is the SQL of the amount, over `from` (joined to `wallet w`); `gate` an extra condition
 * for writing the hold. The caller's final select raises `ledger_refuse` when the insert happened and
 * the update did not (see HOLD_REFUSED).
 */
type HoldOptions<A extends string, D extends string, F extends string, G extends string> = {
  amount: Fragment<A>;
  decide?: Fragment<D>;
  from?: Fragment<F>;
  gate?: Fragment<G>;
};
export function holdCtes<A extends string, D extends string = never, F extends string = never, G extends string = never>(
  options: HoldOptions<A, D, F, G> & { demo: true },
): Fragment<HoldParam | A | D | F | G>;
export function holdCtes<A extends string, D extends string = never, F extends string = never, G extends string = never>(
  options: HoldOptions<A, D, F, G>,
): Fragment<Exclude<HoldParam, DemoParam> | A | D | F | G>;
export function holdCtes(options: HoldOptions<string, string, string, string> & { demo?: boolean }): Fragment {
  const { amount, demo } = options;
  const h = holdParams;
  // Demo credits pay only while the account's credits wallet is not restricted either: a restriction
  // (a dispute, a debt, a staff hold) stops the account's orders, play money included.
  const demoPays = sql`select * from locked where kind = 'wallet' and purse = 'demo' and posted + pending >= ${h.demoPrice} and restricted_at is null
      and not exists (select 1 from locked c where c.kind = 'wallet' and c.purse = 'credits' and c.restricted_at is not null)`;
  return sql`
  locked as (
    select a.id, a.kind, a.purse, a.posted, a.pending, a.restricted_at from ledger_accounts a
    where (a.owner_account_id = ${h.account} and a.purse = 'credits') or a.id = ${h.system}${
      demo
        ? sql`
       or (${h.demoEligible} and ((a.owner_account_id = ${h.account} and a.purse = 'demo') or a.id = ${h.demoSystem}))`
        : sql``
    }
    order by (a.purse is not distinct from 'credits') desc, a.id for update
  ),
  credits as (select * from locked where kind = 'wallet' and purse = 'credits'),
  wallet as (${demo ? sql`${demoPays} union all select * from credits where not exists (${demoPays})` : sql`select * from credits`}),
  counterpart as (
    select id from locked
    where kind = 'system' and id = ${demo ? sql`case when (select purse from wallet) = 'demo' then ${h.demoSystem} else ${h.system} end` : h.system}
  ),${
    options.decide
      ? sql`
  ${options.decide},`
      : sql``
  }
  ins as (
    insert into ledger_transfers (id, idempotency_key, kind, phase, amount, debit_account_id, credit_account_id,
                                  hold_expires_at, reason, metadata, actor, created_at)
    select ${h.transferId}, ${h.holdKey}, 'hold', 'pending', ${amount}, w.id, (select id from counterpart), ${h.deadline}, ${h.reason},
           ${h.metadata}, ${h.actor}, ${h.now}
    from wallet w${options.from ? sql`, ${options.from}` : sql``}
    where w.posted + w.pending >= ${amount} and w.restricted_at is null
      and exists (select 1 from credits) and exists (select 1 from counterpart)
      and ${options.gate ?? sql`true`}
    on conflict (idempotency_key) do nothing
    returning debit_account_id, credit_account_id, amount
  ),
  upd as (
    update ledger_accounts a set
      pending = a.pending + case when a.kind = 'wallet' then -ins.amount else ins.amount end,
      in_debt = a.kind = 'wallet' and a.in_debt and a.posted + a.pending - ins.amount < 0
    from ins
    where (a.id = ins.debit_account_id or a.id = ins.credit_account_id)
      -- The authoritative guard: re-checked by PostgreSQL on the newest row version.
      and (a.kind = 'system' or a.posted + a.pending - ins.amount >= 0)
    returning a.id, a.kind, a.posted, a.pending
  ),
  ent as (
    -- The wallet's entry first, then the system account's (as the general statement orders them).
    insert into ledger_entries (transfer_id, account_id, phase, amount, posted_after, pending_after, created_at)
    select ${h.transferId}, u.id, 'pending', case when u.kind = 'wallet' then -i.amount else i.amount end, u.posted, u.pending, ${h.now}
    from upd u, ins i order by u.kind desc
    returning 1
  )`;
}

/** The final select's column that undoes a hold whose balance update was refused (see runTransferStatement). */
export const HOLD_REFUSED = sql`case when (select count(*) from ins) = 1 and (select count(*) from upd) <> 2
              then ledger_refuse('a concurrent change left too little') end as refused`;

/** A hold on its own: the customer's credits wallet pays `amount` to the system account. */
const amount = params({ amount: 'bigint' }).amount;
const HOLD = statement(
  'otpbox_ledger_hold_v4',
  sql`with${holdCtes({ amount: sql`${amount}` })}
  select (select id from wallet) as wallet_id, (select count(*) from locked) as locked, (select count(*) from ins) as inserted,
         ${HOLD_REFUSED}`,
);

/** The statements of this file, for their snapshot (src/db/queries/ledger.sql). */
export const TRANSFER_STATEMENTS = [TRANSFER, HOLD];

export interface HoldSpec {
  /** The customer whose wallet is debited. */
  ownerAccountId: string;
  systemAccountId: string;
  amount: number;
  idempotencyKey: string;
  reason: string;
  metadata?: Record<string, unknown>;
  actor?: string;
  holdExpiresAt: Date;
  now: Date;
}

/** Apply a hold (see HOLD). Throws WalletMissing when the customer has no wallet yet. */
export async function applyHold(db: Executor, spec: HoldSpec): Promise<Applied> {
  if (!Number.isSafeInteger(spec.amount) || spec.amount <= 0)
    throw new DomainError('VALIDATION_FAILED', 'The amount must be a positive whole number of credits.');
  const id = newId('txn', spec.now.getTime());
  const result = await runTransferStatement(async () => {
    const [row] = (await runStatement(db, HOLD, {
      account: spec.ownerAccountId,
      system: spec.systemAccountId,
      amount: spec.amount,
      transferId: id,
      holdKey: spec.idempotencyKey,
      reason: spec.reason,
      metadata: spec.metadata === undefined ? null : JSON.stringify(spec.metadata),
      actor: spec.actor ?? null,
      now: spec.now.toISOString(),
      deadline: spec.holdExpiresAt.toISOString(),
    })) as { wallet_id: string | null; locked: string | number; inserted: string | number }[];
    return row;
  });
  const wallet = walletRef(spec.ownerAccountId);
  if (result === 'refused') throw await refusal(db, wallet, spec.amount, true);
  if (!result?.wallet_id) throw new WalletMissing('the customer has no wallet yet');
  if (Number(result.inserted) === 1) {
    announceBalanceChange(db, spec.ownerAccountId);
    return {
      transfer: {
        id,
        idempotencyKey: spec.idempotencyKey,
        kind: 'hold',
        phase: 'pending',
        amount: spec.amount,
        debitAccountId: result.wallet_id,
        creditAccountId: spec.systemAccountId,
        pendingId: null,
        reversesId: null,
        holdExpiresAt: spec.holdExpiresAt,
        reason: spec.reason,
        metadata: spec.metadata ?? null,
        actor: spec.actor ?? null,
        createdAt: spec.now,
      },
      replayed: false,
    };
  }
  // Nothing was written: the key was used before (possibly by a concurrent call), or the guard said no.
  const [existing] = await db.select().from(ledgerTransfers).where(eq(ledgerTransfers.idempotencyKey, spec.idempotencyKey));
  if (existing) {
    const expected = { ...spec, kind: 'hold' as const, debitAccountId: result.wallet_id, creditAccountId: spec.systemAccountId };
    return { transfer: sameTransfer(existing, expected), replayed: true };
  }
  if (Number(result.locked) !== 2) throw new DomainError('NOT_FOUND', 'No such ledger account.');
  throw await refusal(db, wallet, spec.amount, true);
}

/**
 * Run the statement; the guarded UPDATE refusing a row (a concurrent change got there first) raises
 * `ledger_refuse`, which undoes the whole statement: report it as 'refused'.
 */
export async function runTransferStatement<T>(run: () => Promise<T>): Promise<T | 'refused'> {
  try {
    return await run();
  } catch (error) {
    const message =
      String((error as { message?: string }).message ?? '') + String((error as { cause?: { message?: string } }).cause?.message ?? '');
    if (sqlState(error) === 'P0001' && message.includes('ledger transfer refused')) return 'refused';
    throw error;
  }
}

/** What a replayed key must have been used for: the same kind, amount, accounts (resolved ids) and hold. */
type Expected = Pick<TransferSpec, 'idempotencyKey' | 'kind' | 'amount' | 'debitAccountId' | 'creditAccountId' | 'pendingId'>;

function sameTransfer(existing: Transfer, spec: Expected): Transfer {
  const same =
    existing.kind === spec.kind &&
    existing.amount === spec.amount &&
    existing.debitAccountId === spec.debitAccountId &&
    existing.creditAccountId === spec.creditAccountId &&
    (existing.pendingId ?? undefined) === spec.pendingId;
  if (!same) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      `The idempotency key ${spec.idempotencyKey} was already used for a different transfer.`,
    );
  }
  return existing;
}

/** Why a guarded account refused `amount`: restricted (when restrictions count) or too little available. */
export async function refusal(db: Executor, account: AccountRef, amount: number, refuseRestricted: boolean): Promise<DomainError> {
  const [, purse, owner] = WALLET_REF.exec(account) ?? [];
  const [row] = await queryRows<{ restricted: boolean; available: string | number }>(
    db,
    drizzleSql`select restricted_at is not null as restricted, posted + pending as available from ledger_accounts
        where ${owner ? drizzleSql`owner_account_id = ${owner} and purse = ${purse === 'demo' ? 'demo' : 'credits'}` : drizzleSql`id = ${account}`}`,
  );
  if (!row) return new DomainError('NOT_FOUND', 'No such ledger account.');
  if (row.restricted && refuseRestricted) return accountRestricted();
  return insufficientCredits(amount, Number(row.available));
}

/** The refusal of a restricted wallet: a payment dispute open, a debt, or a hold by staff. */
export const accountRestricted = (): DomainError =>
  new DomainError(
    'ACCOUNT_RESTRICTED',
    'This account cannot spend credits for now (a payment dispute or debt, or a hold by the operator). Contact support.',
  );

/** The refusal of a wallet with too little available. */
export const insufficientCredits = (needed: number, available: number): DomainError =>
  new DomainError('INSUFFICIENT_CREDITS', `Not enough credits: ${needed} needed, ${available} available.`, { needed, available });
