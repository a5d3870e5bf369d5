import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import type { Purse } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import type { StatementLineView } from './schemas.ts';

/** A statement line (the `StatementLine` response), with the cursor that pages past it. */
export interface StatementLine extends StatementLineView {
  /** Paging cursor: pass it as `before` for the next page. */
  cursor: string;
}

/**
 * A customer's statement, newest first: one line per transfer that touched one of their wallets (a
 * transfer never touches both), with its effect on that wallet's available and held balances and its
 * balances after it.
 */
export async function listStatement(ctx: Ctx, accountId: string, page: { limit: number; before?: string }): Promise<StatementLine[]> {
  const before = page.before && /^\d{1,18}$/.test(page.before) ? Number(page.before) : undefined;
  const rows = await queryRows<{
    transfer_id: string;
    last_entry: string | number;
    at: Date | string;
    kind: string;
    purse: Purse;
    reason: string;
    posted_change: string | number;
    pending_change: string | number;
    posted_after: string | number;
    pending_after: string | number;
  }>(
    ctx.db,
    sql`with mine as (
          select e.*, a.purse from ledger_entries e
          join ledger_accounts a on a.id = e.account_id
          where a.owner_account_id = ${accountId}
        ), grouped as (
          select transfer_id, purse, max(id) as last_entry,
                 coalesce(sum(amount) filter (where phase = 'posted'), 0) as posted_change,
                 coalesce(sum(amount) filter (where phase = 'pending'), 0) as pending_change
          from mine group by transfer_id, purse
        )
        select g.transfer_id, g.purse, g.last_entry, t.created_at as at, t.kind, t.reason, g.posted_change, g.pending_change,
               last.posted_after, last.pending_after
        from grouped g
        join ledger_transfers t on t.id = g.transfer_id
        join mine last on last.id = g.last_entry
        where ${before === undefined} or g.last_entry < ${before ?? 0}
        order by g.last_entry desc
        limit ${page.limit}`,
  );
  return rows.map((row) => {
    const postedChange = Number(row.posted_change);
    const pendingChange = Number(row.pending_change);
    const postedAfter = Number(row.posted_after);
    const pendingAfter = Number(row.pending_after);
    return {
      transferId: row.transfer_id,
      at: new Date(row.at),
      kind: row.kind,
      purse: row.purse,
      reason: row.reason,
      change: { available: postedChange + pendingChange, held: 0 - pendingChange },
      balanceAfter: { available: postedAfter + pendingAfter, held: 0 - pendingAfter },
      cursor: String(row.last_entry),
    };
  });
}
