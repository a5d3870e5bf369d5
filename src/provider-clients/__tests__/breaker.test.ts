import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.ts';
import { CircuitBreaker, verdictOf } from '../breaker.ts';

const options = { failureThreshold: 3, openMs: 10_000, maxOpenMs: 40_000, accountOpenMs: 60_000 };

describe('circuit breaker', () => {
  it('opens after consecutive faults, and a success in between starts the count again', () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, options);
    breaker.record('fault');
    breaker.record('fault');
    breaker.record('success');
    breaker.record('fault');
    breaker.record('fault');
    expect(breaker.state).toBe('closed');
    breaker.record('fault', 'timeout: no answer in 10 s');
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
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
    for (let i = 0; i < 3; i++) breaker.record('fault');
    clock.advance(10_000);
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // one probe at a time
    expect(breaker.available).toBe(false);
    breaker.record('fault');
    expect(breaker.state).toBe('open');
    clock.advance(19_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.record('fault');
    clock.advance(40_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.record('fault');
    clock.advance(39_999);
    expect(breaker.state).toBe('open'); // capped at maxOpenMs
    clock.advance(1);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.record('success');
    expect(breaker.state).toBe('closed');
    expect(breaker.available).toBe(true);
    // Closed again with the first pause: three more faults open it for openMs.
    for (let i = 0; i < 3; i++) breaker.record('fault');
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
    breaker.record('account', 'bad_key: upstream answered BAD_KEY');
    expect(breaker.state).toBe('open');
    clock.advance(59_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half_open');
    breaker.reset();
    breaker.record({ pauseMs: 7_000 });
    expect(breaker.state).toBe('open');
    clock.advance(7_000);
    expect(breaker.state).toBe('half_open');
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
