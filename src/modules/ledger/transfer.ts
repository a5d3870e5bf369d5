import { eq, sql } from 'drizzle-orm';
import { type Executor, queryRows, rawRows } from '../../db/client.ts';
import { ledgerTransfers, type TransferKind } from '../../db/schema/index.ts';
import { sqlState } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { announceBalanceChange, announceTransferAccounts } from './balance-changes.ts';

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

/** The transfer statement (see applyTransfer); a constant text, prepared once per connection. */
const TRANSFER_SQL = `with
  refs as (
    select r.ref, coalesce(w.id, case when r.ref like 'owner:%' or r.ref like 'demo:%' then null else r.ref end) as id
    from unnest($1::text[]) as r(ref)
    left join ledger_accounts w
      on (r.ref like 'owner:%' and w.owner_account_id = substr(r.ref, 7) and w.purse = 'credits')
      or (r.ref like 'demo:%' and w.owner_account_id = substr(r.ref, 6) and w.purse = 'demo')
  ),
  delta as (
    select refs.id, d.dposted, d.dpending
    from unnest($1::text[], $2::bigint[], $3::bigint[]) as d(ref, dposted, dpending)
    join refs on refs.ref = d.ref
  ),
  guarded as (select id from refs where ref = $4::text),
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
             l.id is distinct from (select id from guarded) or l.kind = 'system' or $5::boolean
             or l.posted + l.pending + d.dposted + d.dpending >= 0), true)
           and coalesce(bool_and(l.id is distinct from (select id from guarded) or not $6::boolean or l.restricted_at is null), true)
           as ok
    from locked l join delta d on d.id = l.id
  ),
  ins as (
    insert into ledger_transfers (id, idempotency_key, kind, phase, amount, debit_account_id, credit_account_id,
                                  pending_id, reverses_id, hold_expires_at, reason, metadata, actor, created_at)
    select $7::text, $8::text, $9::text, $10::text, $11::bigint,
           (select id from refs where ref = $12::text), (select id from refs where ref = $13::text),
           $14::text, $15::text, $16::timestamptz, $17::text, $18::jsonb, $19::text, $20::timestamptz
    from verdict where ok and found = $21::int
    on conflict (idempotency_key) do nothing
    returning id
  ),
  upd as (
    update ledger_accounts a set
      posted = a.posted + d.dposted,
      pending = a.pending + d.dpending,
      in_debt = a.kind = 'wallet' and (a.in_debt or ($5::boolean and a.id = (select id from refs where ref = $12::text)))
                and a.posted + d.dposted + a.pending + d.dpending < 0
    from delta d
    where a.id = d.id and exists (select 1 from ins)
      -- The authoritative guard: re-checked by PostgreSQL on the newest row version.
      and (a.id is distinct from (select id from guarded) or a.kind = 'system'
           or $5::boolean or a.posted + a.pending + d.dposted + d.dpending >= 0)
    returning a.id, a.posted, a.pending
  ),
  ent as (
    insert into ledger_entries (transfer_id, account_id, phase, amount, posted_after, pending_after, created_at)
    select $7::text, refs.id, e.phase, e.amount,
           u.posted - coalesce(sum(case when e.phase = 'posted' then e.amount end)
             over (partition by refs.id order by e.ord desc rows between unbounded preceding and 1 preceding), 0),
           u.pending - coalesce(sum(case when e.phase = 'pending' then e.amount end)
             over (partition by refs.id order by e.ord desc rows between unbounded preceding and 1 preceding), 0),
           $20::timestamptz
    from unnest($22::text[], $23::text[], $24::bigint[]) with ordinality as e(ref, phase, amount, ord)
    join refs on refs.ref = e.ref
    join upd u on u.id = refs.id
    order by e.ord
    returning 1
  )
  select (select ok from verdict) as verdict, (select found from verdict) as found,
         (select count(*) from ins) as inserted, (select count(*) from ent) as entries,
         (select count(*) from refs where id is null) as missing,
         (select id from refs where ref = $12::text) as debit_id,
         (select id from refs where ref = $13::text) as credit_id,
         case when (select count(*) from ins) = 1 and (select count(*) from upd) <> $21::int
              then ledger_refuse('a concurrent change left too little') end as refused`;

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
    const [row] = await rawRows<{
      verdict: boolean | null;
      found: number | string;
      inserted: number | string;
      missing: number | string;
      debit_id: string | null;
      credit_id: string | null;
    }>(db, 'otpbox_ledger_transfer_v6', TRANSFER_SQL, [
      refs,
      accountIds.map((id) => deltas.get(id)?.posted ?? 0),
      accountIds.map((id) => deltas.get(id)?.pending ?? 0),
      guard?.accountId ?? '',
      Boolean(spec.allowDebt),
      Boolean(guard?.refuseRestricted),
      transfer.id,
      transfer.idempotencyKey,
      transfer.kind,
      transfer.phase,
      transfer.amount,
      spec.debitAccountId,
      spec.creditAccountId,
      transfer.pendingId,
      transfer.reversesId,
      transfer.holdExpiresAt?.toISOString() ?? null,
      transfer.reason,
      transfer.metadata === null ? null : JSON.stringify(transfer.metadata),
      transfer.actor,
      transfer.createdAt.toISOString(),
      accountIds.length,
      entries.map((e) => e.accountId),
      entries.map((e) => e.phase),
      entries.map((e) => e.amount),
    ]);
    return row;
  });
  if (result === 'refused') throw await refusal(db, guard?.accountId ?? spec.debitAccountId, spec.amount, Boolean(guard?.refuseRestricted));
  if (Number(result?.missing) > 0) throw new WalletMissing('a wallet named by this transfer does not exist yet');
  if (Number(result?.inserted) === 1) {
    await announceTransferAccounts(db, accountIds);
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

/** The SQL (parameter references) of a hold's values, for `holdCtes`. */
export interface HoldParams {
  owner: string;
  system: string;
  id: string;
  key: string;
  reason: string;
  metadata: string;
  actor: string;
  now: string;
  deadline: string;
}

/**
 * A hold's other choice (order placement): the customer's demo wallet pays instead of its credits
 * when `eligible` (the order may be filled by the sandbox) and it holds at least `price`; the hold then
 * goes to `system` (a stripe of `demo_revenue`). SQL texts, like HoldParams.
 */
export interface DemoHold {
  eligible: string;
  system: string;
  price: string;
}

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
export function holdCtes(
  p: HoldParams,
  options: { amount: string; decide?: string; from?: string; gate?: string; demo?: DemoHold },
): string {
  const demo = options.demo;
  const demoPays = demo
    ? `select * from locked where kind = 'wallet' and purse = 'demo' and posted + pending >= ${demo.price} and restricted_at is null`
    : undefined;
  return `
  locked as (
    select a.id, a.kind, a.purse, a.posted, a.pending, a.restricted_at from ledger_accounts a
    where (a.owner_account_id = ${p.owner} and a.purse = 'credits') or a.id = ${p.system}${
      demo
        ? `
       or (${demo.eligible} and ((a.owner_account_id = ${p.owner} and a.purse = 'demo') or a.id = ${demo.system}))`
        : ''
    }
    order by (a.purse is not distinct from 'credits') desc, a.id for update
  ),
  credits as (select * from locked where kind = 'wallet' and purse = 'credits'),
  wallet as (${demoPays ? `${demoPays} union all select * from credits where not exists (${demoPays})` : 'select * from credits'}),
  counterpart as (
    select id from locked
    where kind = 'system' and id = ${demo ? `case when (select purse from wallet) = 'demo' then ${demo.system} else ${p.system} end` : p.system}
  ),${
    options.decide
      ? `
  ${options.decide},`
      : ''
  }
  ins as (
    insert into ledger_transfers (id, idempotency_key, kind, phase, amount, debit_account_id, credit_account_id,
                                  hold_expires_at, reason, metadata, actor, created_at)
    select ${p.id}, ${p.key}, 'hold', 'pending', ${options.amount}, w.id, (select id from counterpart), ${p.deadline}, ${p.reason},
           ${p.metadata}, ${p.actor}, ${p.now}
    from wallet w${options.from ? `, ${options.from}` : ''}
    where w.posted + w.pending >= ${options.amount} and w.restricted_at is null
      and exists (select 1 from credits) and exists (select 1 from counterpart)
      and ${options.gate ?? 'true'}
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
    select ${p.id}, u.id, 'pending', case when u.kind = 'wallet' then -i.amount else i.amount end, u.posted, u.pending, ${p.now}
    from upd u, ins i order by u.kind desc
    returning 1
  )`;
}

/** The final select's column that undoes a hold whose balance update was refused (see runTransferStatement). */
export const HOLD_REFUSED = `case when (select count(*) from ins) = 1 and (select count(*) from upd) <> 2
              then ledger_refuse('a concurrent change left too little') end as refused`;

/**
 * A hold on its own: $1 the customer (wallet owner), $2 the system account, $3 the amount, then the
 * transfer's id, key, reason, metadata, actor, time, deadline.
 */
const HOLD_SQL = `with${holdCtes(
  {
    owner: '$1::text',
    system: '$2::text',
    id: '$4::text',
    key: '$5::text',
    reason: '$6::text',
    metadata: '$7::jsonb',
    actor: '$8::text',
    now: '$9::timestamptz',
    deadline: '$10::timestamptz',
  },
  { amount: '$3::bigint' },
)}
  select (select id from wallet) as wallet_id, (select count(*) from locked) as locked, (select count(*) from ins) as inserted,
         ${HOLD_REFUSED}`;

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

/** Apply a hold (see HOLD_SQL). Throws WalletMissing when the customer has no wallet yet. */
export async function applyHold(db: Executor, spec: HoldSpec): Promise<Applied> {
  if (!Number.isSafeInteger(spec.amount) || spec.amount <= 0)
    throw new DomainError('VALIDATION_FAILED', 'The amount must be a positive whole number of credits.');
  const id = newId('txn', spec.now.getTime());
  const result = await runTransferStatement(async () => {
    const [row] = await rawRows<{ wallet_id: string | null; locked: string | number; inserted: string | number }>(
      db,
      'otpbox_ledger_hold_v3',
      HOLD_SQL,
      [
        spec.ownerAccountId,
        spec.systemAccountId,
        spec.amount,
        id,
        spec.idempotencyKey,
        spec.reason,
        spec.metadata === undefined ? null : JSON.stringify(spec.metadata),
        spec.actor ?? null,
        spec.now.toISOString(),
        spec.holdExpiresAt.toISOString(),
      ],
    );
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
    sql`select restricted_at is not null as restricted, posted + pending as available from ledger_accounts
        where ${owner ? sql`owner_account_id = ${owner} and purse = ${purse === 'demo' ? 'demo' : 'credits'}` : sql`id = ${account}`}`,
  );
  if (!row) return new DomainError('NOT_FOUND', 'No such ledger account.');
  if (row.restricted && refuseRestricted) return accountRestricted();
  return insufficientCredits(amount, Number(row.available));
}

/** The refusal of a wallet that cannot spend until a payment dispute is settled. */
export const accountRestricted = (): DomainError =>
  new DomainError('ACCOUNT_RESTRICTED', 'This account cannot spend credits until a payment dispute is settled. Contact support.');

/** The refusal of a wallet with too little available. */
export const insufficientCredits = (needed: number, available: number): DomainError =>
  new DomainError('INSUFFICIENT_CREDITS', `Not enough credits: ${needed} needed, ${available} available.`, { needed, available });
