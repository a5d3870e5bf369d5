import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { rawRows } from '../../db/raw-driver.ts';
import { ledgerAccounts, type Purse, SYSTEM_STRIPES, type SystemAccount } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';

/** The fixed ids of stripe 0 of the system accounts (created by migration 0003). */
export const SYSTEM: Record<SystemAccount, string> = {
  grants: 'lac_sys_grants',
  purchases: 'lac_sys_purchases',
  order_revenue: 'lac_sys_order_revenue',
  refunds: 'lac_sys_refunds',
  forfeits: 'lac_sys_forfeits',
  chargebacks: 'lac_sys_chargebacks',
  demo_grants: 'lac_sys_demo_grants',
  demo_revenue: 'lac_sys_demo_revenue',
  demo_voids: 'lac_sys_demo_voids',
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

/**
 * A wallet of a customer (its credits, or its demo credits), created on first use (two first uses at
 * once agree on one wallet).
 */
export async function walletOf(db: Executor, accountId: string, now: Date, purse: Purse = 'credits'): Promise<string> {
  const [existing] = await rawRows<{ id: string }>(
    db,
    'otpbox_ledger_wallet_v3',
    'select id from ledger_accounts where owner_account_id = $1 and purse = $2',
    [accountId, purse],
  );
  if (existing) return existing.id;
  await db
    .insert(ledgerAccounts)
    .values({ id: newId('lac', now.getTime()), kind: 'wallet', ownerAccountId: accountId, purse, createdAt: now })
    .onConflictDoNothing({ target: [ledgerAccounts.ownerAccountId, ledgerAccounts.purse] });
  const [created] = await db
    .select({ id: ledgerAccounts.id })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.ownerAccountId, accountId), eq(ledgerAccounts.purse, purse)));
  if (!created) throw new Error(`${purse} wallet of ${accountId} could not be created`);
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

const EMPTY: Balance = { available: 0, held: 0, posted: 0 };

/** Both of a customer's balances: its credits, and apart from them its demo credits (sandbox numbers only). */
export async function balancesOf(db: Executor, accountId: string): Promise<Record<Purse, Balance>> {
  const wallets = await rawRows<{ purse: Purse; posted: string | number; pending: string | number }>(
    db,
    'otpbox_ledger_balance_v2',
    'select purse, posted, pending from ledger_accounts where owner_account_id = $1',
    [accountId],
  );
  const of = (purse: Purse): Balance => walletBalance(wallets.find((row) => row.purse === purse));
  return { credits: of('credits'), demo: of('demo') };
}

/** A wallet's balance from its cached sums as the driver returns them (none: an empty wallet). */
export function walletBalance(wallet: { posted: string | number; pending: string | number } | undefined): Balance {
  if (!wallet) return EMPTY;
  const posted = Number(wallet.posted);
  const pending = Number(wallet.pending);
  return { available: posted + pending, held: 0 - pending, posted };
}

/** A customer's credits (or, with `purse`, its demo credits). */
export async function balanceOf(db: Executor, accountId: string, purse: Purse = 'credits'): Promise<Balance> {
  return (await balancesOf(db, accountId))[purse];
}
