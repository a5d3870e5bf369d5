import type { Clock } from '../lib/clock.ts';
import type { FailureKind } from './port.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive faults (timeouts, 5xx, garbage) that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open the first time; doubled after each failed probe. */
  openMs: number;
  /** The longest it stays open between probes. */
  maxOpenMs: number;
  /** Open at once, this long, when the provider refuses our account (bad key, no balance, banned). */
  accountOpenMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, openMs: 30_000, maxOpenMs: 5 * 60_000, accountOpenMs: 5 * 60_000 };

/** What an outcome says about the provider's health. */
export type Verdict = 'success' | 'fault' | 'account' | { pauseMs: number };

/**
 * How a typed failure counts. The provider answering "no numbers" or "too early to cancel" is healthy;
 * one that times out, answers 5xx or garbage is not; one that refuses our key, our balance or our
 * account will refuse every call until the operator acts.
 */
export function verdictOf(kind: FailureKind | undefined, retryAfterMs?: number): Verdict {
  switch (kind) {
    case undefined:
      return 'success';
    case 'timeout':
    case 'unavailable':
    case 'protocol_error':
      return 'fault';
    case 'bad_key':
    case 'no_balance':
    case 'banned':
      return 'account';
    case 'rate_limited':
      return { pauseMs: Math.min(Math.max(retryAfterMs ?? 5_000, 1_000), 60_000) };
    default:
      return 'success';
  }
}

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFaults: number;
  /** Until when calls are refused (open), when open. */
  openUntil: Date | undefined;
  /** The failure that opened the circuit or the last one seen. */
  lastFailure: string | undefined;
  lastFailureAt: Date | undefined;
  lastSuccessAt: Date | undefined;
}

/**
 * A circuit breaker per provider: closed (calls go through) → open after `failureThreshold`
 * consecutive faults (calls are refused at once, without waiting for a timeout) → half-open when the
 * pause is over (one probe call at a time) → closed on a success, open again for twice as long on a
 * fault. Time comes from the injected clock.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #faults = 0;
  #openMs: number;
  #openUntil = 0;
  #probeInFlight = false;
  #lastFailure: string | undefined;
  #lastFailureAt: number | undefined;
  #lastSuccessAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly options: BreakerOptions = DEFAULT_BREAKER,
    private readonly onChange?: (state: BreakerState, snapshot: BreakerSnapshot) => void,
  ) {
    this.#openMs = options.openMs;
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.clock.now().getTime() >= this.#openUntil) this.#set('half_open');
    return this.#state;
  }

  /** May a call go out now? In half-open, only one probe at a time: the caller must `record` it. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#probeInFlight) return false;
    this.#probeInFlight = true;
    return true;
  }

  /** Would a call go out now (without taking the probe)? For routing: healthy providers first. */
  get available(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half_open' && !this.#probeInFlight);
  }

  record(verdict: Verdict, failure?: string): void {
    const now = this.clock.now().getTime();
    const wasProbe = this.#probeInFlight;
    this.#probeInFlight = false;
    if (verdict === 'success') {
      this.#lastSuccessAt = now;
      this.#faults = 0;
      this.#openMs = this.options.openMs;
      if (this.#state !== 'closed') this.#set('closed');
      return;
    }
    this.#lastFailure = failure;
    this.#lastFailureAt = now;
    if (typeof verdict === 'object') {
      this.#open(now, verdict.pauseMs);
      return;
    }
    if (verdict === 'account') {
      this.#open(now, this.options.accountOpenMs);
      return;
    }
    this.#faults++;
    if (wasProbe || this.#state === 'half_open') {
      this.#openMs = Math.min(this.#openMs * 2, this.options.maxOpenMs);
      this.#open(now, this.#openMs);
    } else if (this.#faults >= this.options.failureThreshold) {
      this.#open(now, this.#openMs);
    }
  }

  /** Close the circuit by hand (the operator fixed the key, the provider is back). */
  reset(): void {
    this.#faults = 0;
    this.#openMs = this.options.openMs;
    this.#probeInFlight = false;
    if (this.#state !== 'closed') this.#set('closed');
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    return {
      state,
      consecutiveFaults: this.#faults,
      openUntil: state === 'open' ? new Date(this.#openUntil) : undefined,
      lastFailure: this.#lastFailure,
      lastFailureAt: this.#lastFailureAt === undefined ? undefined : new Date(this.#lastFailureAt),
      lastSuccessAt: this.#lastSuccessAt === undefined ? undefined : new Date(this.#lastSuccessAt),
    };
  }

  #open(now: number, forMs: number): void {
    this.#openUntil = now + forMs;
    if (this.#state !== 'open') this.#set('open');
    else this.onChange?.('open', this.snapshot());
  }

  #set(state: BreakerState): void {
    this.#state = state;
    this.onChange?.(state, this.snapshot());
  }
}
