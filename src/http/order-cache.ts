import { GroupedCache } from '../lib/grouped-cache.ts';
import { getOpenedOrder, type OpenedOrder, onLocalOrderChange } from '../modules/activations/index.ts';
import type { Ctx } from '../modules/context.ts';
import type { EventBus } from '../runtime/event-bus.ts';

export interface CachedOrder {
  /** Opened once, as it was read: an answer from memory opens nothing. */
  order: OpenedOrder;
  /** The order as the API shows it, serialised once, when it does not depend on the time of asking. */
  json?: string;
}

/**
 * Orders as last read, so a client polling one order many times a second is answered from memory.
 * Every change drops the order (announced locally before commit, and by NOTIFY from any instance after
 * commit); entries also expire after `ttlMs`, so a lost announcement costs at most that much staleness.
 * A change of an account's balance touches none of its orders; the orders of one account are indexed,
 * so dropping them all (an announcement that names no order) costs their number, not a scan.
 */
export class OrderCache {
  readonly #entries: GroupedCache<CachedOrder>;

  constructor(ttlMs: number, now: () => number, maxEntries = 20_000) {
    this.#entries = new GroupedCache({ max: maxEntries, ttlMs, now, groupOf: (entry) => entry.order.row.accountId });
  }

  /** The account's order as last read, if it is in memory (another account's order is not). */
  get(accountId: string, id: string): CachedOrder | undefined {
    const cached = this.#entries.get(id);
    return cached?.order.row.accountId === accountId ? cached : undefined;
  }

  /**
   * The account's order, opened: from memory at once (not a promise: a poll answered from memory
   * settles nothing), or read from the database, opened and kept (NOT_FOUND for another's).
   */
  opened(ctx: Ctx, accountId: string, id: string): CachedOrder | Promise<CachedOrder> {
    return this.get(accountId, id) ?? this.#read(ctx, accountId, id);
  }

  async #read(ctx: Ctx, accountId: string, id: string): Promise<CachedOrder> {
    const entry = { order: await getOpenedOrder(ctx, accountId, id) };
    this.#entries.set(id, entry);
    return entry;
  }

  /**
   * Drop orders as they change: announced in this process before commit, and by any instance after
   * (a balance change touches no order; an event that did not travel whole may be about any order).
   * Answers the function that stops following.
   */
  follow(events: Pick<EventBus, 'onAnyEvent'>): () => void {
    const stops = [
      onLocalOrderChange((id) => this.drop(id)),
      events.onAnyEvent(({ accountId, type, activationId }) => {
        if (activationId) this.drop(activationId);
        else if (type !== 'balance.updated') this.dropAccount(accountId);
      }),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  drop(id: string): void {
    this.#entries.delete(id);
  }

  /** Drop every order of an account (`'*'`: everything). */
  dropAccount(accountId: string): void {
    if (accountId === '*') this.#entries.clear();
    else this.#entries.deleteGroup(accountId);
  }

  get size(): number {
    return this.#entries.size;
  }
}
