import { and, count, eq } from 'drizzle-orm';
import { payments } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { liftRestriction, lockWallet, restrictWallet } from '../ledger/index.ts';

/**
 * Decide a customer's restriction from what payments say (ADR 23): restricted exactly while one of
 * their payments has a dispute open, or their wallet is in debt because credits a payment gave were
 * taken back after they were spent. Run in the transaction of a payment fact that changed either;
 * the wallet is locked first, so two decisions for one customer never interleave (the later one sees
 * the earlier one's payments). The open disputes are counted only when they decide: a wallet neither
 * restricted nor in debt has none open (every opening restricts), unless this fact opened one.
 * A wallet staff hold (`restrictWallet` with `byStaff`) stays restricted: only an admin lifts that.
 */
export async function reconcileRestriction(
  ctx: Ctx,
  accountId: string,
  reason: string,
  options: { disputeOpened: boolean },
): Promise<void> {
  const wallet = await lockWallet(ctx, accountId);
  if (wallet.inDebt) {
    if (!wallet.restricted) await restrictWallet(ctx, accountId, reason);
    return;
  }
  if (!wallet.restricted) {
    if (options.disputeOpened) await restrictWallet(ctx, accountId, reason);
    return;
  }
  const [disputes] = await ctx.db
    .select({ n: count() })
    .from(payments)
    .where(and(eq(payments.accountId, accountId), eq(payments.disputeStatus, 'open')));
  if (wallet.heldByStaff) return;
  if (Number(disputes?.n ?? 0) === 0) await liftRestriction(ctx, accountId, reason);
}
