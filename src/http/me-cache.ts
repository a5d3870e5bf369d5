import { LazyLru } from '../lib/lazy-lru.ts';

/**
 * GET /api/v1/me as last read, per account, serialised once (ADR 22): apps read it more than anything
 * but an order, and it changes rarely. Whoever changes what it shows drops the account's entry:
 *
 * - on this instance, synchronously once the change has committed (before the changing request
 *   answers): the ledger for a balance, `announceAuthChange` for the profile and the standing;
 * - on every instance, when the database's notification of the change arrives (the balance trigger,
 *   the auth channel); after the listener reconnected, everything is dropped.
 *
 * A read that a drop overtakes — it may have seen the database before the commit — answers its own
 * request but is not kept; concurrent misses of one account share one read. Entries also expire after
 * `ttlMs`, a safety net only.
 */
export class MeCache {
  readonly #entries: LazyLru<string, { json: string }>;
  readonly #reading = new Map<string, Promise<string>>();

  constructor(ttlMs: number, maxEntries = 20_000) {
    this.#entries = new LazyLru({ max: maxEntries, ttl: ttlMs, ttlResolution: 0 });
  }

  /** The account's answer: from memory, or read by `read` (one read shared by concurrent misses). */
  get(accountId: string, read: () => Promise<string>): string | Promise<string> {
    const cached = this.#entries.made?.get(accountId);
    if (cached) return cached.json;
    const pending = this.#reading.get(accountId);
    if (pending) return pending;
    const reading = read().then(
      (json) => {
        // Kept only when no drop came while it was read.
        if (this.#reading.get(accountId) === reading) {
          this.#reading.delete(accountId);
          this.#entries.cache.set(accountId, { json });
        }
        return json;
      },
      (error: unknown) => {
        if (this.#reading.get(accountId) === reading) this.#reading.delete(accountId);
        throw error;
      },
    );
    this.#reading.set(accountId, reading);
    return reading;
  }

  /** Forget an account's answer, and any read of it under way (`'*'`: every account's). */
  drop(accountId: string): void {
    if (accountId === '*') {
      this.#entries.made?.clear();
      this.#reading.clear();
      return;
    }
    this.#entries.made?.delete(accountId);
    this.#reading.delete(accountId);
  }

  get size(): number {
    return this.#entries.made?.size ?? 0;
  }
}
