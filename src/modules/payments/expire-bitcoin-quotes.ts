import { and, asc, eq, lt, notExists } from 'drizzle-orm';
import { bitcoinPayments, bitcoinTransactions, payments } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { markPaymentFailed } from './apply-fact.ts';

/**
 * How long after its quote ends a bitcoin payment that nothing was sent to waits before it is called
 * failed: Blockonomics reports a transaction within seconds of its broadcast, so an hour covers a slow
 * callback. Money that still arrives later is credited at the quoted price (bitcoin.ts): the failure
 * only says that the customer's quote ran out.
 */
export const BITCOIN_QUOTE_GRACE_MS = 60 * 60_000;
const BATCH = 200;

/**
 * Bitcoin payments whose quote ended more than `BITCOIN_QUOTE_GRACE_MS` ago with no transaction seen
 * at their address become `failed` ("the quote expired before any bitcoin arrived"), each by its own
 * fact and transaction, so the customer's list and the operator's metrics stop counting them as open.
 */
export async function expireBitcoinQuotes(ctx: Ctx, options: { signal?: AbortSignal } = {}): Promise<{ expired: number }> {
  const cutoff = new Date(ctx.clock.now().getTime() - BITCOIN_QUOTE_GRACE_MS);
  const due = await ctx.db
    .select({ id: payments.id })
    .from(payments)
    .innerJoin(bitcoinPayments, eq(bitcoinPayments.paymentId, payments.id))
    .where(
      and(
        eq(payments.status, 'created'),
        lt(bitcoinPayments.expiresAt, cutoff),
        notExists(ctx.db.select().from(bitcoinTransactions).where(eq(bitcoinTransactions.paymentId, payments.id))),
      ),
    )
    .orderBy(asc(bitcoinPayments.expiresAt))
    .limit(BATCH);
  let expired = 0;
  for (const { id } of due) {
    if (options.signal?.aborted) break;
    const outcome = await markPaymentFailed(ctx, id, 'the quote expired before any bitcoin arrived', { source: 'bitcoin quote expiry' });
    if (outcome.changed) expired += 1;
  }
  return { expired };
}
