import type { Clock } from '../lib/clock.ts';
import { type BreakerOptions, type BreakerState, CircuitBreaker, DEFAULT_BREAKER, verdictOf } from './breaker.ts';
import {
  type Balance,
  type BuyRequest,
  type CallOptions,
  fail,
  type Offers,
  type ProviderPort,
  type PurchasedNumber,
  type PushedSms,
  type PushRequest,
  type Result,
  type UpstreamActivation,
  type UpstreamStatus,
} from './port.ts';

export type ProviderMethod =
  | 'fetchOffers'
  | 'buyNumber'
  | 'checkStatus'
  | 'requestAnotherSms'
  | 'finish'
  | 'cancel'
  | 'getBalance'
  | 'listActive';

export interface CallObserver {
  /** Every call, after it ends: `outcome` is `ok`, a failure kind, or `circuit_open` (not sent). */
  onCall?(provider: string, method: ProviderMethod, outcome: string, durationMs: number): void;
  onBreakerChange?(provider: string, state: BreakerState): void;
}

/**
 * A provider behind its circuit breaker: calls are refused at once while the circuit is open (as an
 * `unavailable` failure, so callers fail over or retry later exactly as for a provider that is down),
 * every outcome is counted, and an adapter that throws (a bug) is turned into a typed failure rather
 * than taking the order down.
 */
export class GuardedProvider implements ProviderPort {
  readonly name: string;
  readonly kind: ProviderPort['kind'];
  readonly breaker: CircuitBreaker;
  readonly parsePush?: (request: PushRequest) => Result<PushedSms[]>;
  readonly listActive?: (options?: CallOptions) => Promise<Result<UpstreamActivation[]>>;
  readonly settled?: () => Promise<void>;

  constructor(
    readonly inner: ProviderPort,
    private readonly clock: Clock,
    private readonly observer: CallObserver = {},
    breaker: BreakerOptions = DEFAULT_BREAKER,
  ) {
    this.name = inner.name;
    this.kind = inner.kind;
    this.breaker = new CircuitBreaker(clock, breaker, (state) => observer.onBreakerChange?.(inner.name, state));
    if (inner.parsePush) this.parsePush = (request) => (inner.parsePush as NonNullable<ProviderPort['parsePush']>).call(inner, request);
    if (inner.settled) {
      const settled = inner.settled;
      this.settled = () => settled.call(inner);
    }
    if (inner.listActive) {
      const list = inner.listActive;
      this.listActive = (options) => this.#call('listActive', () => list.call(inner, options));
    }
  }

  /** False while the circuit is open: a call would be refused without reaching the provider. */
  isAvailable(): boolean {
    return this.breaker.available;
  }

  fetchOffers(options?: CallOptions): Promise<Result<Offers>> {
    return this.#call('fetchOffers', () => this.inner.fetchOffers(options));
  }
  buyNumber(request: BuyRequest, options?: CallOptions): Promise<Result<PurchasedNumber>> {
    return this.#call('buyNumber', () => this.inner.buyNumber(request, options));
  }
  checkStatus(upstreamId: string, options?: CallOptions): Promise<Result<UpstreamStatus>> {
    return this.#call('checkStatus', () => this.inner.checkStatus(upstreamId, options));
  }
  requestAnotherSms(upstreamId: string, options?: CallOptions): Promise<Result<void>> {
    return this.#call('requestAnotherSms', () => this.inner.requestAnotherSms(upstreamId, options));
  }
  finish(upstreamId: string, options?: CallOptions): Promise<Result<void>> {
    return this.#call('finish', () => this.inner.finish(upstreamId, options));
  }
  cancel(upstreamId: string, options?: CallOptions): Promise<Result<void>> {
    return this.#call('cancel', () => this.inner.cancel(upstreamId, options));
  }
  getBalance(options?: CallOptions): Promise<Result<Balance>> {
    return this.#call('getBalance', () => this.inner.getBalance(options));
  }

  async #call<T>(method: ProviderMethod, run: () => Promise<Result<T>>): Promise<Result<T>> {
    const permit = this.breaker.tryAcquire();
    if (!permit) {
      const until = this.breaker.snapshot().openUntil;
      this.observer.onCall?.(this.name, method, 'circuit_open', 0);
      return fail('unavailable', `circuit open after repeated failures${until ? ` until ${until.toISOString()}` : ''}`, {
        retryAfterMs: until ? Math.max(0, until.getTime() - this.clock.now().getTime()) : undefined,
      });
    }
    const started = performance.now();
    let result: Result<T>;
    try {
      result = await run();
    } catch (error) {
      result = fail('protocol_error', `adapter error: ${(error as Error).message ?? String(error)}`);
    }
    const kind = result.ok ? undefined : result.failure.kind;
    this.breaker.record(
      permit,
      verdictOf(kind, result.ok ? undefined : result.failure.retryAfterMs),
      result.ok ? undefined : `${kind}: ${result.failure.message}`,
    );
    this.observer.onCall?.(this.name, method, kind ?? 'ok', performance.now() - started);
    return result;
  }
}
