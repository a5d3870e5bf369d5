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
 * Leave to call the provider, from `tryAcquire`, handed back to `record` with the call's outcome:
 * which state of the circuit let the call out (its epoch), and whether it is the half-open probe.
 */
export interface Permit {
  readonly epoch: number;
  readonly probe: boolean;
}

/**
 * A circuit breaker per provider: closed (calls go through) → open after `failureThreshold`
 * consecutive faults (calls are refused at once, without waiting for a timeout) → half-open when the
 * pause is over (one probe call at a time) → closed on a success, open again for twice as long on a
 * fault. Time comes from the injected clock.
 *
 * A fault counts only in the state that let its call out. Calls that left together while the circuit
 * was closed fail together (a provider that hangs fails each after the same timeout); once the first
 * of them have opened the circuit, the stragglers say nothing new. Counted, each would have pushed the
 * pause further (the probe coming up to a whole pause late), and one arriving during the probe would
 * have been taken for the probe's own answer. A success always counts: the provider answered.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  /** Incremented at every change of state: a permit of an earlier epoch is a straggler. */
  #epoch = 0;
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

  /**
   * May a call go out now? Its permit, or undefined when the circuit refuses it. In half-open, only
   * one probe at a time. The caller must `record` every permit's outcome.
   */
  tryAcquire(): Permit | undefined {
    const state = this.state;
    if (state === 'closed') return { epoch: this.#epoch, probe: false };
    if (state === 'open' || this.#probeInFlight) return undefined;
    this.#probeInFlight = true;
    return { epoch: this.#epoch, probe: true };
  }

  /** Would a call go out now (without taking the probe)? For routing: healthy providers first. */
  get available(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half_open' && !this.#probeInFlight);
  }

  record(permit: Permit, verdict: Verdict, failure?: string): void {
    const now = this.clock.now().getTime();
    const current = permit.epoch === this.#epoch;
    const wasProbe = permit.probe && current;
    if (wasProbe) this.#probeInFlight = false;
    if (verdict === 'success') {
      this.#lastSuccessAt = now;
      this.#faults = 0;
      this.#openMs = this.options.openMs;
      if (this.#state !== 'closed') this.#set('closed');
      return;
    }
    this.#lastFailure = failure;
    this.#lastFailureAt = now;
    // A straggler's fault (see above). The provider's own word about our account or its rate limit
    // still counts, whenever it comes.
    if (verdict === 'fault' && !current) return;
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
    this.#epoch++;
    // Closed by a success other than the probe's (a straggler's): the probe, when it answers, is one.
    if (state === 'closed') this.#probeInFlight = false;
    this.onChange?.(state, this.snapshot());
  }
}
