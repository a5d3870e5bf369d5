import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { DEMO_SYSTEM_ACCOUNTS } from '../../db/schema/index.ts';

export interface LedgerReport {
  ok: boolean;
  /** The first violations found, in words. */
  violations: string[];
  summary: {
    /** Customers with a wallet. */
    customers: number;
    /** Their credits wallets, and their demo wallets (sandbox play money). */
    wallets: number;
    demoWallets: number;
    /** System accounts (grants, order revenue, …) and the rows they are kept as (ADR 12: stripes). */
    systemAccounts: number;
    systemStripes: number;
    transfers: number;
    entries: number;
    /** Credits customers hold in total (posted, including what is reserved). */
    walletCredits: number;
    /** Demo credits customers hold in total (posted, including what is reserved). */
    demoCredits: number;
    /** Open holds on credits wallets (orders in progress), and what they reserve. */
    openHolds: number;
    openHoldCredits: number;
    walletsInDebt: number;
  };
}

const n = (value: unknown) => Number(value ?? 0);
const DEMO_CODES = sql`(${sql.join(
  DEMO_SYSTEM_ACCOUNTS.map((code) => sql`${code}`),
  sql`, `,
)})`;

/**
 * Check every ledger invariant from the stored rows (ASVS 2.3.3; TigerBeetle's invariants):
 * conservation (all entries sum to zero, per phase), every transfer balanced, cached balances equal to
 * the sum of entries and to the chain of balances-after, no negative wallet outside the chargeback
 * path, every hold resolved at most once (and for at most its amount) or still legitimately pending,
 * and demo credits kept apart (a demo wallet trades with the demo system accounts only, and they with
 * demo wallets only: play money never becomes credits, and credits never pay for play).
 */
export async function verifyLedger(db: Executor, now: Date, limit = 20): Promise<LedgerReport> {
  const violations: string[] = [];
  const add = (lines: string[]) => {
    for (const line of lines) if (violations.length < limit) violations.push(line);
  };

  const totals = await queryRows<{ phase: string; total: string }>(
    db,
    sql`select phase, sum(amount)::text as total from ledger_entries group by phase`,
  );
  add(totals.filter((t) => n(t.total) !== 0).map((t) => `conservation: ${t.phase} entries sum to ${t.total}, not 0`));

  const unbalanced = await queryRows<{ transfer_id: string; phase: string; total: string }>(
    db,
    sql`select transfer_id, phase, sum(amount)::text as total from ledger_entries group by transfer_id, phase having sum(amount) <> 0 limit ${limit}`,
  );
  add(unbalanced.map((u) => `transfer ${u.transfer_id}: its ${u.phase} entries sum to ${u.total}`));

  // Entries carry no foreign keys (ADR 12): each must belong to an existing transfer and to one of
  // the two accounts that transfer names.
  const strays = await queryRows<{ id: string; transfer_id: string; account_id: string; problem: string }>(
    db,
    sql`select e.id::text, e.transfer_id, e.account_id,
               case when t.id is null then 'belongs to no transfer' else 'moves an account its transfer does not name' end as problem
        from ledger_entries e left join ledger_transfers t on t.id = e.transfer_id
        where t.id is null or e.account_id not in (t.debit_account_id, t.credit_account_id)
        limit ${limit}`,
  );
  add(strays.map((e) => `entry ${e.id} (${e.account_id}, transfer ${e.transfer_id}) ${e.problem}`));

  const cached = await queryRows<{ id: string; posted: string; pending: string; sum_posted: string; sum_pending: string }>(
    db,
    sql`select a.id, a.posted::text, a.pending::text,
               coalesce(sum(e.amount) filter (where e.phase = 'posted'), 0)::text as sum_posted,
               coalesce(sum(e.amount) filter (where e.phase = 'pending'), 0)::text as sum_pending
        from ledger_accounts a left join ledger_entries e on e.account_id = a.id
        group by a.id
        having a.posted <> coalesce(sum(e.amount) filter (where e.phase = 'posted'), 0)
            or a.pending <> coalesce(sum(e.amount) filter (where e.phase = 'pending'), 0)
        limit ${limit}`,
  );
  add(
    cached.map(
      (c) => `account ${c.id}: cached posted ${c.posted} / pending ${c.pending}, entries sum to ${c.sum_posted} / ${c.sum_pending}`,
    ),
  );

  const chain = await queryRows<{ id: string; account_id: string }>(
    db,
    sql`select id::text, account_id from (
          select id, account_id, posted_after, pending_after,
                 sum(amount) filter (where phase = 'posted') over w as running_posted,
                 sum(amount) filter (where phase = 'pending') over w as running_pending
          from ledger_entries
          window w as (partition by account_id order by id rows between unbounded preceding and current row)
        ) x
        where posted_after <> coalesce(running_posted, 0) or pending_after <> coalesce(running_pending, 0)
        limit ${limit}`,
  );
  add(chain.map((c) => `entry ${c.id} of ${c.account_id}: balance after it does not follow from the entries before`));

  const negative = await queryRows<{ id: string; available: string; in_debt: boolean; charged_back: boolean }>(
    db,
    sql`select a.id, (a.posted + a.pending)::text as available, a.in_debt,
               exists (select 1 from ledger_transfers t where t.debit_account_id = a.id and t.kind = 'chargeback') as charged_back
        from ledger_accounts a
        where a.kind = 'wallet' and (a.posted + a.pending < 0 or a.in_debt or a.pending > 0)
        limit ${limit}`,
  );
  add(
    negative
      .filter((w) => !(w.in_debt && w.charged_back && n(w.available) < 0))
      .map((w) =>
        w.in_debt && !w.charged_back
          ? `wallet ${w.id} is marked in debt without any chargeback`
          : n(w.available) < 0
            ? `wallet ${w.id} has a negative available balance (${w.available}) outside the chargeback path`
            : `wallet ${w.id} has positive pending credits`,
      ),
  );

  const badResolutions = await queryRows<{ id: string; problem: string }>(
    db,
    sql`select r.id, case when h.id is null then 'resolves something that is not a hold'
                          when r.amount > h.amount then 'captures more than its hold'
                          when r.debit_account_id <> h.debit_account_id or r.credit_account_id <> h.credit_account_id then 'resolves a hold of other accounts'
                     end as problem
        from ledger_transfers r
        left join ledger_transfers h on h.id = r.pending_id and h.kind = 'hold'
        where r.kind in ('capture', 'release')
          and (h.id is null or r.amount > h.amount or r.debit_account_id <> h.debit_account_id or r.credit_account_id <> h.credit_account_id)
        limit ${limit}`,
  );
  add(badResolutions.map((r) => `transfer ${r.id} ${r.problem}`));

  const overdue = await queryRows<{ id: string; expires: Date | string }>(
    db,
    sql`select h.id, h.hold_expires_at as expires from ledger_transfers h
        where h.kind = 'hold' and h.hold_expires_at < ${now}
          and not exists (select 1 from ledger_transfers r where r.pending_id = h.id)
        order by h.hold_expires_at limit ${limit}`,
  );
  add(overdue.map((h) => `hold ${h.id} is still open past its deadline (${new Date(h.expires).toISOString()})`));

  const holdsVsPending = await queryRows<{ id: string; pending: string; open: string }>(
    db,
    sql`select a.id, a.pending::text, coalesce(sum(h.amount) filter (where r.id is null), 0)::text as open
        from ledger_accounts a
        left join ledger_transfers h on h.debit_account_id = a.id and h.kind = 'hold'
        left join ledger_transfers r on r.pending_id = h.id
        where a.kind = 'wallet'
        group by a.id
        having -a.pending <> coalesce(sum(h.amount) filter (where r.id is null), 0)
        limit ${limit}`,
  );
  add(holdsVsPending.map((w) => `wallet ${w.id}: held ${-n(w.pending)} but its open holds total ${w.open}`));

  const mixed = await queryRows<{ id: string; kind: string }>(
    db,
    sql`select t.id, t.kind from ledger_transfers t
        join ledger_accounts d on d.id = t.debit_account_id
        join ledger_accounts c on c.id = t.credit_account_id
        where (d.purse = 'demo' or c.purse = 'demo' or d.code in ${DEMO_CODES} or c.code in ${DEMO_CODES})
          and not ((d.purse = 'demo' and c.code in ${DEMO_CODES}) or (c.purse = 'demo' and d.code in ${DEMO_CODES}))
        limit ${limit}`,
  );
  add(mixed.map((t) => `transfer ${t.id} (${t.kind}) moves demo credits to or from an account outside the demo ledger`));

  const [summary] = await queryRows<Record<string, string>>(
    db,
    sql`with open_holds as (
          select h.amount from ledger_transfers h join ledger_accounts w on w.id = h.debit_account_id and w.purse = 'credits'
          where h.kind = 'hold' and not exists (select 1 from ledger_transfers r where r.pending_id = h.id)
        )
        select
          (select count(distinct owner_account_id) from ledger_accounts where kind = 'wallet')::text as customers,
          (select count(*) from ledger_accounts where purse = 'credits')::text as wallets,
          (select count(*) from ledger_accounts where purse = 'demo')::text as demo_wallets,
          (select count(distinct code) from ledger_accounts where kind = 'system')::text as system_accounts,
          (select count(*) from ledger_accounts where kind = 'system')::text as system_stripes,
          (select count(*) from ledger_transfers)::text as transfers,
          (select count(*) from ledger_entries)::text as entries,
          (select coalesce(sum(posted), 0) from ledger_accounts where purse = 'credits')::text as wallet_credits,
          (select coalesce(sum(posted), 0) from ledger_accounts where purse = 'demo')::text as demo_credits,
          (select count(*) from open_holds)::text as open_holds,
          (select coalesce(sum(amount), 0) from open_holds)::text as open_hold_credits,
          (select count(*) from ledger_accounts where in_debt)::text as in_debt`,
  );
  return {
    ok: violations.length === 0,
    violations,
    summary: {
      customers: n(summary?.customers),
      wallets: n(summary?.wallets),
      demoWallets: n(summary?.demo_wallets),
      systemAccounts: n(summary?.system_accounts),
      systemStripes: n(summary?.system_stripes),
      transfers: n(summary?.transfers),
      entries: n(summary?.entries),
      walletCredits: n(summary?.wallet_credits),
      demoCredits: n(summary?.demo_credits),
      openHolds: n(summary?.open_holds),
      openHoldCredits: n(summary?.open_hold_credits),
      walletsInDebt: n(summary?.in_debt),
    },
  };
}
