/**
 * Fixed-window request counters kept in this process's memory. Per instance: with several instances
 * behind a balancer the effective limit is the per-instance limit times the number of instances
 * (documented; password guessing is throttled in the database, which all instances share).
 */
export interface Window {
  /** When this window began (ms). */
  start: number;
  /** Hits in it so far, this one included. */
  count: number;
}

export class RateLimiter {
  readonly #windows = new Map<string, Window>();
  #sweptAt = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Count a hit; `retryAfterMs` is set when the key is over its limit in the current window. */
  hit(key: string): { allowed: boolean; remaining: number; retryAfterMs: number } {
    const now = this.now();
    const window = this.count(key, now);
    const allowed = window.count <= this.limit;
    return { allowed, remaining: Math.max(0, this.limit - window.count), retryAfterMs: allowed ? 0 : window.start + this.windowMs - now };
  }

  /** Whether the key has used up its current window, without counting a hit (to count only failures). */
  isOver(key: string): boolean {
    const now = this.now();
    const window = this.#windows.get(key);
    return window !== undefined && now - window.start < this.windowMs && window.count >= this.limit;
  }

  /**
   * Count a hit at `now` and return its window (the limiter's own object, read it at once): for the
   * API limits, which run on every request and read the clock once for two counters.
   */
  count(key: string, now: number): Readonly<Window> {
    this.#sweep(now);
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    return window;
  }

  #sweep(now: number) {
    if (now - this.#sweptAt < this.windowMs) return;
    this.#sweptAt = now;
    for (const [key, window] of this.#windows) if (now - window.start >= this.windowMs) this.#windows.delete(key);
  }
}
