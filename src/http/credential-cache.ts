import { GroupedCache } from '../lib/grouped-cache.ts';
import type { Principal } from '../modules/accounts/index.ts';

/**
 * Who a credential belongs to, remembered for a few seconds so a client polling hard does not cost a
 * database lookup per request. Entries are dropped when the account's access changes (announced on
 * this instance at once and across instances by NOTIFY), and expire after `ttlMs` whatever happens, so
 * a lost announcement cannot keep a revoked key alive for long. Only successful lookups are kept.
 * Credentials are indexed by account, so forgetting one account's costs the number of its credentials.
 */
export class CredentialCache {
  readonly #entries: GroupedCache<{ principal: Principal; validUntil: number }>;

  /**
   * @param ttlMs how long an entry is trusted, in real time (a cache's safety net, whatever the clock)
   * @param clock the domain clock, against which a credential's own end (`validUntil`) is checked
   */
  constructor(
    ttlMs: number,
    private readonly clock: () => number,
    maxEntries = 20_000,
  ) {
    this.#entries = new GroupedCache({ max: maxEntries, ttlMs, now: () => Date.now(), groupOf: (entry) => entry.principal.accountId });
  }

  get(tokenHash: string): Principal | undefined {
    const entry = this.#entries.get(tokenHash);
    if (!entry) return undefined;
    // An API key has no end of its own: the domain clock is read only for credentials that do.
    if (entry.validUntil !== Number.POSITIVE_INFINITY && entry.validUntil <= this.clock()) {
      this.#entries.delete(tokenHash);
      return undefined;
    }
    return entry.principal;
  }

  set(tokenHash: string, principal: Principal): void {
    // Never beyond the credential's own end (a session's expiry or idle timeout).
    this.#entries.set(tokenHash, { principal, validUntil: principal.validUntil?.getTime() ?? Number.POSITIVE_INFINITY });
  }

  /** Forget every credential of an account (`'*'`: of every account). */
  invalidate(accountId: string): void {
    if (accountId === '*') this.#entries.clear();
    else this.#entries.deleteGroup(accountId);
  }

  get size(): number {
    return this.#entries.size;
  }
}
