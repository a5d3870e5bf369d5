import { GroupedCache } from '../lib/grouped-cache.ts';
import type { ActivationRow, SmsRow } from '../modules/activations/index.ts';

export interface CachedOrder {
  row: ActivationRow;
  sms: SmsRow[];
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
    this.#entries = new GroupedCache({ max: maxEntries, ttlMs, now, groupOf: (entry) => entry.row.accountId });
  }

  get(id: string): CachedOrder | undefined {
    return this.#entries.get(id);
  }

  set(row: ActivationRow, sms: SmsRow[]): void {
    this.#entries.set(row.id, { row, sms });
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
