import type { Principal } from '../modules/accounts/index.ts';

/**
 * Who a credential belongs to, remembered for a few seconds so a client polling hard does not cost a
 * database lookup per request. Entries are dropped when the account's access changes (announced on
 * this instance at once and across instances by NOTIFY), and expire after `ttlMs` whatever happens, so
 * a lost announcement cannot keep a revoked key alive for long. Only successful lookups are kept.
 */
export class CredentialCache {
  readonly #entries = new Map<string, { principal: Principal; staleAt: number; validUntil: number }>();
  readonly #maxEntries: number;

  /**
   * @param ttlMs how long an entry is trusted, in real time (a cache's safety net, whatever the clock)
   * @param clock the domain clock, against which a credential's own end (`validUntil`) is checked
   */
  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number,
    maxEntries = 50_000,
  ) {
    this.#maxEntries = maxEntries;
  }

  get(tokenHash: string): Principal | undefined {
    const entry = this.#entries.get(tokenHash);
    if (!entry) return undefined;
    // An API key has no end of its own: the domain clock is read only for credentials that do.
    if (entry.staleAt <= Date.now() || (entry.validUntil !== Number.POSITIVE_INFINITY && entry.validUntil <= this.clock())) {
      this.#entries.delete(tokenHash);
      return undefined;
    }
    return entry.principal;
  }

  set(tokenHash: string, principal: Principal): void {
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    // Never beyond the credential's own end (a session's expiry or idle timeout).
    this.#entries.set(tokenHash, {
      principal,
      staleAt: Date.now() + this.ttlMs,
      validUntil: principal.validUntil?.getTime() ?? Number.POSITIVE_INFINITY,
    });
  }

  /** Forget every credential of an account (`'*'`: of every account). */
  invalidate(accountId: string): void {
    if (accountId === '*') {
      this.#entries.clear();
      return;
    }
    for (const [hash, entry] of this.#entries) if (entry.principal.accountId === accountId) this.#entries.delete(hash);
  }

  get size(): number {
    return this.#entries.size;
  }
}
