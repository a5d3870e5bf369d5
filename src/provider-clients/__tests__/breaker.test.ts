import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.ts';
import { CircuitBreaker, type Permit, type Verdict, verdictOf } from '../breaker.ts';

const options = { failureThreshold: 3, openMs: 10_000, maxOpenMs: 40_000, accountOpenMs: 60_000 };

/** A call let out now that ends with `verdict` at once. */
function call(breaker: CircuitBreaker, verdict: Verdict, failure?: string): void {
  const permit = breaker.tryAcquire();
  if (!permit) throw new Error('the circuit refused the call');
  breaker.record(permit, verdict, failure);
}

describe('circuit breaker', () => {
  it('opens after consecutive faults, and a success in between starts the count again', () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, options);
    call(breaker, 'fault');
    call(breaker, 'fault');
    call(breaker, 'success');
    call(breaker, 'fault');
    call(breaker, 'fault');
    expect(breaker.state).toBe('closed');
    call(breaker, 'fault', 'timeout: no answer in 10 s');
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.snapshot()).toMatchObject({
      state: 'open',
      lastFailure: 'timeout: no answer in 10 s',
      openUntil: new Date(clock.now().getTime() + 10_000),
    });
  });

  it('lets one probe through when half-open: success closes, a fault reopens for twice as long (capped)', () => {
    const clock = new ManualClock();
    const changes: string[] = [];
    const breaker = new CircuitBreaker(clock, options, (state) => changes.push(state));
    for (let i = 0; i < 3; i++) call(breaker, 'fault');
    clock.advance(10_000);
    expect(breaker.state).toBe('half_open');
    const probe = breaker.tryAcquire();
    expect(probe).toMatchObject({ probe: true });
    expect(breaker.tryAcquire()).toBeUndefined(); // one probe at a time
    expect(breaker.available).toBe(false);
    breaker.record(probe as Permit, 'fault');
    expect(breaker.state).toBe('open');
    clock.advance(19_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    call(breaker, 'fault');
    clock.advance(40_000);
    call(breaker, 'fault');
    clock.advance(39_999);
    expect(breaker.state).toBe('open'); // capped at maxOpenMs
    clock.advance(1);
    call(breaker, 'success');
    expect(breaker.state).toBe('closed');
    expect(breaker.available).toBe(true);
    // Closed again with the first pause: three more faults open it for openMs.
    for (let i = 0; i < 3; i++) call(breaker, 'fault');
    clock.advance(10_000);
    expect(breaker.state).toBe('half_open');
    expect(changes).toEqual([
      'open',
      'half_open',
      'open',
      'half_open',
      'open',
      'half_open',
      'open',
      'half_open',
      'closed',
      'open',
      'half_open',
    ]);
  });

  it('opens at once, for long, when the provider refuses our account; pauses as asked when rate limited', () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, options);
    call(breaker, 'account', 'bad_key: upstream answered BAD_KEY');
    expect(breaker.state).toBe('open');
    clock.advance(59_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half_open');
    breaker.reset();
    call(breaker, { pauseMs: 7_000 });
    expect(breaker.state).toBe('open');
    clock.advance(7_000);
    expect(breaker.state).toBe('half_open');
  });

  it('lets the faults of calls that left before it opened neither push the pause back nor pass for the probe', () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, options);
    // Eight calls leave together to a provider that hangs; each fails after the same timeout.
    const together = Array.from({ length: 8 }, () => breaker.tryAcquire() as Permit);
    clock.advance(2_000);
    for (const permit of together.slice(0, 3)) breaker.record(permit, 'fault', 'timeout: no answer in 2 s');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openUntil: new Date(clock.now().getTime() + 10_000) });
    const openUntil = breaker.snapshot().openUntil;
    clock.advance(5);
    for (const permit of together.slice(3, 5)) breaker.record(permit, 'fault', 'timeout: no answer in 2 s');
    expect(breaker.snapshot().openUntil).toEqual(openUntil);
    // The pause is over: the probe goes out; a straggler failing meanwhile is not the probe's answer.
    clock.advance(10_000);
    const probe = breaker.tryAcquire() as Permit;
    expect(probe.probe).toBe(true);
    breaker.record(together[5] as Permit, 'fault');
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBeUndefined(); // still one probe at a time
    breaker.record(probe, 'success');
    expect(breaker.state).toBe('closed');
    // A straggler's fault after the circuit closed again does not count towards opening it.
    breaker.record(together[6] as Permit, 'fault');
    call(breaker, 'fault');
    call(breaker, 'fault');
    expect(breaker.state).toBe('closed');
    call(breaker, 'fault');
    expect(breaker.state).toBe('open');
    // The provider's word about our account counts whenever it comes.
    breaker.reset();
    breaker.record(together[7] as Permit, 'account', 'bad_key: upstream answered BAD_KEY');
    expect(breaker.state).toBe('open');
  });

  it('counts only faults of the provider: no numbers or an early cancel are healthy answers', () => {
    expect(verdictOf(undefined)).toBe('success');
    for (const kind of [
      'no_numbers',
      'price_above_max',
      'bad_service',
      'bad_country',
      'not_found',
      'early_cancel',
      'already_final',
    ] as const)
      expect(verdictOf(kind)).toBe('success');
    for (const kind of ['timeout', 'unavailable', 'protocol_error'] as const) expect(verdictOf(kind)).toBe('fault');
    for (const kind of ['bad_key', 'no_balance', 'banned'] as const) expect(verdictOf(kind)).toBe('account');
    expect(verdictOf('rate_limited', 7_000)).toEqual({ pauseMs: 7_000 });
    expect(verdictOf('rate_limited')).toEqual({ pauseMs: 5_000 });
    expect(verdictOf('rate_limited', 3_600_000)).toEqual({ pauseMs: 60_000 });
  });
});
