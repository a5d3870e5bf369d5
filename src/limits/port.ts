/**
 * Where the instances of one deployment add up their rate-limit hits (ADR 43): PostgreSQL, Redis, or
 * (one process, and the tests' fake) memory. A store holds counts only: each key has been replaced by
 * a keyed hash before it reaches one (shared-limits.ts), so no row names a person or an address.
 */
export interface LimitHits {
  /** The limiter's name (`api-account`, `public-ip`, `auth-login` …). */
  limiter: string;
  /** HMAC of the limited key (an account id, an API key id, a client address). */
  key: string;
  /** The window's number: `floor(time / windowMs)`, the same on every instance. */
  window: number;
  /** Hits counted on this instance since its last flush. */
  hits: number;
  /** When the window ends (ms since the epoch): the count is useless afterwards. */
  endsAt: number;
}

export interface LimitStore {
  readonly kind: 'memory' | 'postgres' | 'redis';
  /**
   * Add each row's hits to its shared count, in one round trip, and return every row's new total (hits
   * of every instance), in the order given. Rejects when the store cannot be reached.
   */
  add(rows: readonly LimitHits[], now: number): Promise<number[]>;
  /** Drop counts of windows that ended before `now`, a bounded batch at a time; how many went. */
  sweep(now: number): Promise<number>;
  close(): Promise<void>;
}
