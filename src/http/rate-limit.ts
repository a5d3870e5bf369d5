/**
 * Fixed-window request counters, decided in this process without waiting on anything (ADR 43).
 *
 * Windows are aligned to the clock (a window is `floor(now / windowMs)`), so every instance agrees which
 * window a hit falls in. Without shared limits (one instance, the embedded database) the counts are this
 * process's own. With them (`limits/shared-limits.ts`: PostgreSQL or Redis), a window's `count` is the
 * shared total as last read back from the store plus the hits counted here since; the hits not yet sent
 * (`pending`) go out in the next batched flush, and the total read back replaces what this instance knew.
 */
export interface Window {
  /** When this window began (ms): a multiple of the limiter's window length. */
  start: number;
  /** Hits in it so far, this one included (on every instance, as far as this one knows). */
  count: number;
}

/** One key's window as this limiter keeps it; the shared limits read and update it when they flush. */
export interface CountedWindow extends Window {
  readonly key: string;
  /** Hits counted here and not yet sent to the shared store. */
  pending: number;
}

/** What a limiter tells the shared limits (implemented by SharedLimits). */
export interface LimiterSync {
  /** A window has hits to send: flush within the flush interval. */
  wake(): void;
  /** A key is close to its limit: flush now, so the others' hits are known before it is reached. */
  urgent(): void;
}

/** From this share of the limit on, a new hit asks for a flush at once rather than within the interval. */
const NEAR_LIMIT = 0.8;

export class RateLimiter {
  readonly #windows = new Map<string, CountedWindow>();
  /** Windows with pending hits, in the order they got their first one (only with shared limits). */
  #dirty: CountedWindow[] = [];
  readonly #nearAt: number;
  #sweptAt = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number,
    private readonly sync?: LimiterSync,
  ) {
    this.#nearAt = Math.max(1, Math.floor(limit * NEAR_LIMIT));
  }

  /** Count a hit; `retryAfterMs` is set when the key is over its limit in the current window. */
  hit(key: string): { allowed: boolean; remaining: number; retryAfterMs: number } {
    const now = this.now();
    const window = this.count(key, now);
    const allowed = window.count <= this.limit;
    return { allowed, remaining: Math.max(0, this.limit - window.count), retryAfterMs: allowed ? 0 : window.start + this.windowMs - now };
  }

  /**
   * Whether the key has used up its current window, without counting a hit (to count only failures).
   * With shared limits it knows the other instances' hits once this one has counted the key itself.
   */
  isOver(key: string): boolean {
    const now = this.now();
    const window = this.#windows.get(key);
    return window !== undefined && window.start === now - (now % this.windowMs) && window.count >= this.limit;
  }

  /**
   * Count a hit at `now` and return its window (the limiter's own object, read it at once): for the
   * API limits, which run on every request and read the clock once for two counters.
   */
  count(key: string, now: number): Readonly<Window> {
    this.#sweep(now);
    const start = now - (now % this.windowMs);
    let window = this.#windows.get(key);
    if (!window || window.start !== start) {
      window = { key, start, count: 0, pending: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    const sync = this.sync;
    if (sync) {
      // The first pending hit of a window puts it on the list to send; the rest only add to it.
      if (window.pending++ === 0) {
        this.#dirty.push(window);
        sync.wake();
      }
      // Up to the limit only: a client hammering past it waits for the ordinary flush.
      if (window.count >= this.#nearAt && window.count <= this.limit) sync.urgent();
    }
    return window;
  }

  /** The windows with hits to send, handed over once (the shared limits take their `pending`). */
  takeDirty(): CountedWindow[] {
    const dirty = this.#dirty;
    this.#dirty = [];
    return dirty;
  }

  /** A window whose hits could not be sent goes back on the list (its `pending` restored by the caller). */
  requeue(window: CountedWindow) {
    this.#dirty.push(window);
  }

  get hasDirty(): boolean {
    return this.#dirty.length > 0;
  }

  #sweep(now: number) {
    if (now - this.#sweptAt < this.windowMs) return;
    this.#sweptAt = now;
    // A window still pending is dropped here too: the shared limits hold it until it is sent.
    for (const [key, window] of this.#windows) if (now - window.start >= this.windowMs) this.#windows.delete(key);
  }
}
