import type { Ctx } from '../../context.ts';

/**
 * What erasure needs from the modules above privacy (accounts, orders, webhooks import privacy, so
 * privacy declares these ports and they implement them; runtime/erasure-deps.ts wires them). Each
 * runs in its own transactions unless given one, and is safe to call again.
 */
export interface ErasureDeps {
  /** End every session, device token and API key of the account, and announce it (open event streams close). */
  endAccess(ctx: Ctx, accountId: string, reason: string): Promise<{ sessions: number; apiKeys: number }>;
  /**
   * End the account's open orders at once, whatever CANCEL_MIN_S says: a waiting order is cancelled
   * (its hold released, the upstream cancellation queued and retried until acknowledged), a received
   * one is completed (its credits were captured when the code came). An order still being bought
   * (`requesting`) cannot be ended yet: it is counted in `inFlight` and the erasure job comes back to it.
   */
  endOpenOrders(ctx: Ctx, accountId: string): Promise<{ cancelled: number; completed: number; inFlight: number }>;
  /**
   * End the account's active rentals at once, each by the early-cancel rule (its periods captured or
   * released, the number cooling), one transaction each.
   */
  endRentals(ctx: Ctx, accountId: string): Promise<{ ended: number }>;
  /**
   * End what the account started at a card processor, so that it charges no one after the erasure: open
   * Checkout pages expire, card subscriptions are cancelled at once. What the processor could not be
   * asked about is counted in `waiting`, and the erasure job comes back to it.
   */
  endPayments(ctx: Ctx, accountId: string): Promise<{ checkoutPagesExpired: number; subscriptionsCancelled: number; waiting: number }>;
  /** Disable every webhook endpoint of the account and drop its pending deliveries. */
  stopWebhooks(ctx: Ctx, accountId: string): Promise<{ endpoints: number; deliveries: number }>;
}
