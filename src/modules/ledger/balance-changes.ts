import { sql } from 'drizzle-orm';
import { BALANCE_CHANNEL } from '../../db/channels.ts';
import type { Executor } from '../../db/client.ts';
import { rawRows } from '../../db/raw-driver.ts';
import { afterCommit } from '../../db/tx.ts';
import { LazyLru } from '../../lib/lazy-lru.ts';

/**
 * Who hears that a customer's balances changed, and when (ADR 22).
 *
 * - This process, at once: the ledger's writers announce the change here, and the listeners hear it
 *   as soon as the transaction has committed (before the request that made it answers).
 * - Every instance, at commit: a transfer that no order event announces (a grant, a purchase, a
 *   reversal, demo credits, a void) NOTIFYs BALANCE_CHANNEL (db/channels.ts) with the customer's
 *   account id. Holds, captures and releases belong to orders, whose `balance.updated` event already
 *   travels to every instance on the events channel (runtime/event-bus.ts hears both). They do not
 *   NOTIFY again: PostgreSQL serialises the commits of notifying transactions (the notification queue's
 *   lock is held to the end of commit), and a NOTIFY in every hold and capture halved the ledger's
 *   throughput (`npm run bench ledger`).
 */

type Listener = (accountId: string) => void;
const local = new Set<Listener>();

export function onLocalBalanceChange(listener: Listener): () => void {
  local.add(listener);
  return () => local.delete(listener);
}

/** A customer's balances change in the caller's work: this process's listeners hear it once committed. */
export function announceBalanceChange(db: Executor, accountId: string): void {
  if (local.size === 0) return;
  afterCommit(db, () => {
    for (const listener of local) listener(accountId);
  });
}

/** A wallet's owner never changes: remembered for the wallets a transfer names by id (captures, releases, reversals). */
const owners = new LazyLru<string, { owner: string | null }>({ max: 20_000 });
const WALLET_REF = /^(?:owner|demo):(.+)$/;
const SYSTEM_PREFIX = 'lac_sys_';

/**
 * The same, for the accounts a transfer moved, named as a transfer names them: `owner:`/`demo:`
 * references, system accounts (no owner) or wallets by id (whose owner is looked up once per process).
 */
export async function announceTransferAccounts(db: Executor, accounts: readonly string[]): Promise<void> {
  if (local.size === 0) return;
  for (const owner of await ownersOf(db, accounts)) announceBalanceChange(db, owner);
}

/**
 * A transfer no order event announces: this process's listeners once committed, and every instance
 * through BALANCE_CHANNEL, delivered at the commit of the caller's transaction (or at once outside one).
 */
export async function announceTransferEverywhere(db: Executor, accounts: readonly string[]): Promise<void> {
  for (const owner of await ownersOf(db, accounts)) {
    announceBalanceChange(db, owner);
    await db.execute(sql`select pg_notify(${BALANCE_CHANNEL}, ${owner})`);
  }
}

/** The customers whose wallets these are (system accounts have none). */
async function ownersOf(db: Executor, accounts: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const account of accounts) {
    const owner = WALLET_REF.exec(account)?.[1] ?? (account.startsWith(SYSTEM_PREFIX) ? null : await ownerOf(db, account));
    if (owner) found.push(owner);
  }
  return found;
}

async function ownerOf(db: Executor, ledgerAccountId: string): Promise<string | null> {
  const known = owners.made?.get(ledgerAccountId);
  if (known) return known.owner;
  const [row] = await rawRows<{ owner: string | null }>(
    db,
    'otpbox_ledger_owner_v1',
    'select owner_account_id as owner from ledger_accounts where id = $1',
    [ledgerAccountId],
  );
  if (!row) return null;
  owners.cache.set(ledgerAccountId, { owner: row.owner });
  return row.owner;
}
