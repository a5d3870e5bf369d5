import { eq } from 'drizzle-orm';
import { type Executor, rawRows } from '../../db/client.ts';
import { ledgerAccounts, SYSTEM_STRIPES, type SystemAccount } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';

/** The fixed ids of stripe 0 of the system accounts (created by migration 0003). */
export const SYSTEM: Record<SystemAccount, string> = {
  grants: 'lac_sys_grants',
  purchases: 'lac_sys_purchases',
  order_revenue: 'lac_sys_order_revenue',
  refunds: 'lac_sys_refunds',
  forfeits: 'lac_sys_forfeits',
  chargebacks: 'lac_sys_chargebacks',
};

/**
 * The stripe of a system account that a customer's transfers use (ADR 12). Deterministic, so a hold
 * and its capture or release meet on one row, and spread by a hash of the customer's id (FNV-1a), so
 * two customers ordering at the same moment rarely wait on the same row lock.
 */
export function systemAccountFor(code: SystemAccount, customerId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) hash = Math.imul(hash ^ customerId.charCodeAt(i), 0x01000193);
  const stripe = (hash >>> 0) % SYSTEM_STRIPES;
  return stripe === 0 ? SYSTEM[code] : `${SYSTEM[code]}_${stripe}`;
}

/** The wallet of a customer, created on first use (two first uses at once agree on one wallet). */
export async function walletOf(db: Executor, accountId: string, now: Date): Promise<string> {
  const [existing] = await rawRows<{ id: string }>(
    db,
    'otpbox_ledger_wallet_v2',
    'select id from ledger_accounts where owner_account_id = $1',
    [accountId],
  );
  if (existing) return existing.id;
  await db
    .insert(ledgerAccounts)
    .values({ id: newId('lac', now.getTime()), kind: 'wallet', ownerAccountId: accountId, createdAt: now })
    .onConflictDoNothing({ target: ledgerAccounts.ownerAccountId });
  const [created] = await db.select({ id: ledgerAccounts.id }).from(ledgerAccounts).where(eq(ledgerAccounts.ownerAccountId, accountId));
  if (!created) throw new Error(`wallet of ${accountId} could not be created`);
  return created.id;
}

export interface Balance {
  /** What the customer can spend now. */
  available: number;
  /** Reserved by open orders: spent if a code arrives, back otherwise. */
  held: number;
  /** available + held. */
  posted: number;
}

export async function balanceOf(db: Executor, accountId: string): Promise<Balance> {
  const [wallet] = await rawRows<{ posted: string | number; pending: string | number }>(
    db,
    'otpbox_ledger_balance_v1',
    'select posted, pending from ledger_accounts where owner_account_id = $1',
    [accountId],
  );
  if (!wallet) return { available: 0, held: 0, posted: 0 };
  const posted = Number(wallet.posted);
  const pending = Number(wallet.pending);
  return { available: posted + pending, held: 0 - pending, posted };
}
