import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { type CountedWindow, type LimiterSync, RateLimiter } from '../http/rate-limit.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretKeys } from '../lib/secrets.ts';
import type { LimitHits, LimitStore } from './port.ts';

/** How often an instance sends its hits and reads back the totals (at once when a key nears its limit). */
export const FLUSH_INTERVAL_MS = 200;
/** While the store does not answer: try again this often, and never at once. */
const RETRY_INTERVAL_MS = 1_000;
/** One warning a minute while the store does not answer (each failure is counted in the metric). */
const WARN_EVERY_MS = 60_000;
/** Ended windows are swept from the store this often, by whichever instances flush. */
const SWEEP_EVERY_MS = 60_000;
/** A final flush at shutdown waits no longer than this. */
const CLOSE_BUDGET_MS = 1_000;

export interface SharedLimitsOptions {
  /** Where the instances add up their hits; none: each limiter counts this process's hits only. */
  store?: LimitStore;
  clock: Clock;
  keys: SecretKeys;
  log: Logger;
  /** Called for each flush that failed (the metric `otpbox_rate_limit_sync_failures_total`). */
  onFailure?: (store: LimitStore['kind']) => void;
  flushIntervalMs?: number;
}

interface Sent {
  limiter: RateLimiter;
  window: CountedWindow & { storeKey?: string };
  hits: number;
}

/**
 * The rate limiters of one instance and the flusher that makes them hold across instances (ADR 43).
 *
 * Each limiter decides synchronously, from the shared total last read plus its own hits since. Every
 * `FLUSH_INTERVAL_MS` (at once when a key comes near its limit) the hits not yet sent go to the store in
 * one batch, whose answer is every window's new total. So an instance may admit, beyond the limit, what
 * the others admitted for the same key since its last flush: the overshoot is bounded by one flush
 * interval of the other instances' traffic. When the store does not answer, the limiters go on counting
 * locally (a limit fails open, a request never fails), their hits kept for the next flush that succeeds.
 */
export class SharedLimits {
  readonly #limiters = new Map<string, RateLimiter>();
  readonly #store: LimitStore | undefined;
  readonly #hmacKey: Buffer;
  readonly #intervalMs: number;
  readonly #sync: LimiterSync;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #failing = false;
  #warnedAt = Number.NEGATIVE_INFINITY;
  #sweptAt = 0;
  #closed = false;

  constructor(private readonly options: SharedLimitsOptions) {
    this.#store = options.store;
    this.#hmacKey = options.keys.derive('rate-limit-hmac');
    this.#intervalMs = options.flushIntervalMs ?? FLUSH_INTERVAL_MS;
    this.#sync = { wake: () => this.#schedule(this.#failing ? RETRY_INTERVAL_MS : this.#intervalMs), urgent: () => this.#urgent() };
  }

  /** The store the limiters share, or undefined when they count this process's hits only. */
  get store(): LimitStore['kind'] | undefined {
    return this.#store?.kind;
  }

  /** A limiter of `limit` hits per clock-aligned window of `windowMs`; its name is its key in the store. */
  limiter(name: string, limit: number, windowMs: number): RateLimiter {
    if (this.#limiters.has(name)) throw new Error(`rate limiter "${name}" already exists`);
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`rate limiter name "${name}": lower case, digits and dashes only`);
    const now = () => this.options.clock.now().getTime();
    const limiter = new RateLimiter(limit, windowMs, now, this.#store ? this.#sync : undefined);
    this.#limiters.set(name, limiter);
    return limiter;
  }

  /** Send the hits not yet sent and read back the totals (after any flush under way). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#start();
  }

  /** A last flush (bounded), then the store's connection closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    if (!this.#store) return;
    await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, CLOSE_BUDGET_MS).unref())]);
    await this.#store.close();
  }

  #schedule(delayMs: number) {
    if (this.#closed || this.#running) return; // a flush under way schedules the next when it ends
    const at = performance.now() + delayMs;
    if (this.#timer && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#start();
    }, delayMs);
    this.#timer.unref();
  }

  #urgent() {
    // A store that is not answering is not asked more often for being close to a limit.
    if (this.#failing) return;
    if (this.#running) this.#again = true;
    else this.#schedule(0);
  }

  #start(): Promise<void> {
    this.#running ??= this.#flushOnce().finally(() => {
      this.#running = undefined;
      const again = this.#again;
      this.#again = false;
      if (again) this.#schedule(0);
      else if ([...this.#limiters.values()].some((limiter) => limiter.hasDirty))
        this.#schedule(this.#failing ? RETRY_INTERVAL_MS : this.#intervalMs);
    });
    return this.#running;
  }

  async #flushOnce(): Promise<void> {
    const store = this.#store;
    if (!store) return;
    const sent: Sent[] = [];
    const rows: LimitHits[] = [];
    for (const [name, limiter] of this.#limiters)
      for (const window of limiter.takeDirty() as Sent['window'][]) {
        if (window.pending === 0) continue;
        window.storeKey ??= this.#hash(window.key);
        rows.push({
          limiter: name,
          key: window.storeKey,
          window: window.start / limiter.windowMs,
          hits: window.pending,
          endsAt: window.start + limiter.windowMs,
        });
        sent.push({ limiter, window, hits: window.pending });
        window.pending = 0;
      }
    const now = this.options.clock.now().getTime();
    if (rows.length > 0) {
      let totals: number[];
      try {
        totals = await store.add(rows, now);
      } catch (error) {
        this.#failed(store, sent, error, now);
        return;
      }
      // The total counts this instance's hits sent now; those counted while it was on its way are added.
      sent.forEach(({ window }, i) => {
        window.count = Math.max(window.count, (totals[i] ?? 0) + window.pending);
      });
      if (this.#failing) {
        this.#failing = false;
        this.options.log.info({ store: store.kind }, 'shared rate limits: the store answers again; limits hold across instances');
      }
    }
    if (now - this.#sweptAt >= SWEEP_EVERY_MS) {
      this.#sweptAt = now;
      await store.sweep(now).catch((error) => this.options.log.debug({ err: error }, 'shared rate limits: sweeping ended windows failed'));
    }
  }

  #failed(store: LimitStore, sent: Sent[], error: unknown, now: number) {
    this.#failing = true;
    this.options.onFailure?.(store.kind);
    // Hits of a window still running wait for the next flush; an ended window's are of no use any more.
    for (const { limiter, window, hits } of sent) {
      if (window.start + limiter.windowMs <= now) continue;
      if (window.pending === 0) limiter.requeue(window);
      window.pending += hits;
    }
    if (now - this.#warnedAt >= WARN_EVERY_MS) {
      this.#warnedAt = now;
      this.options.log.warn(
        { err: error, store: store.kind },
        'shared rate limits: the store does not answer; each instance counts its own hits until it does',
      );
    }
  }

  /** What leaves the process instead of the key: an account id or an address is personal data. */
  #hash(key: string): string {
    return createHmac('sha256', this.#hmacKey).update(key).digest('base64url').slice(0, 22);
  }
}
