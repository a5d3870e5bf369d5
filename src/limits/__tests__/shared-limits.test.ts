import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../http/rate-limit.ts';
import { ManualClock } from '../../lib/clock.ts';
import { secretKeys } from '../../lib/secrets.ts';
import { type MemoryLimitStore, memoryLimitStore } from '../memory-store.ts';
import { SharedLimits } from '../shared-limits.ts';

const SECRET = 'shared-limits-test-secret-0123456789abcdef';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info', base: undefined }, sink), lines };
}

/** One instance's limits on a shared store; flushes only when the test says (or a key nears its limit). */
function instance(store: MemoryLimitStore | undefined, clock: ManualClock, secret = SECRET) {
  const { log, lines } = capture();
  const failures: string[] = [];
  const limits = new SharedLimits({
    store,
    clock,
    keys: secretKeys(secret),
    log,
    flushIntervalMs: 3_600_000,
    onFailure: (kind) => failures.push(kind),
  });
  return { limits, lines, failures };
}

describe('RateLimiter windows', () => {
  it('are aligned to the clock: a hit late in a minute waits only for the next minute to begin', () => {
    const clock = new ManualClock('2026-06-01T12:00:45.000Z');
    const limiter = new RateLimiter(2, 60_000, () => clock.now().getTime());
    expect(limiter.hit('k').allowed).toBe(true);
    expect(limiter.hit('k').allowed).toBe(true);
    expect(limiter.hit('k')).toEqual({ allowed: false, remaining: 0, retryAfterMs: 15_000 });
    clock.set('2026-06-01T12:01:00.000Z');
    expect(limiter.hit('k')).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
  });

  it('counting only failures: isOver reads the current window without counting', () => {
    const clock = new ManualClock('2026-06-01T12:00:10.000Z');
    const limiter = new RateLimiter(2, 60_000, () => clock.now().getTime());
    expect(limiter.isOver('k')).toBe(false);
    limiter.hit('k');
    expect(limiter.isOver('k')).toBe(false);
    limiter.hit('k');
    expect(limiter.isOver('k')).toBe(true);
    clock.advance(50_000);
    expect(limiter.isOver('k')).toBe(false);
  });
});

describe('SharedLimits across instances (a shared in-memory store)', () => {
  it('a limit holds across two instances within the documented overshoot (one flush of the other instance)', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00.000Z');
    const store = memoryLimitStore();
    const a = instance(store, clock);
    const b = instance(store, clock);
    const limit = 50;
    const perRound = 5;
    const onA = a.limits.limiter('api-account', limit, 60_000);
    const onB = b.limits.limiter('api-account', limit, 60_000);
    let admitted = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < perRound; i++) {
        if (onA.hit('acc_1').allowed) admitted++;
        if (onB.hit('acc_1').allowed) admitted++;
      }
      await a.limits.flush();
      await b.limits.flush();
    }
    // 200 requests; each instance alone would have admitted 50 (100 in all).
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + 2 * perRound);
    expect([...store.counts.values()].map((count) => count.total)).toEqual([200]);
  });

  it('an instance that counted alone learns the others’ hits at its next flush', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00.000Z');
    const store = memoryLimitStore();
    const a = instance(store, clock);
    const b = instance(store, clock);
    const onA = a.limits.limiter('auth-login', 10, 60_000);
    const onB = b.limits.limiter('auth-login', 10, 60_000);
    for (let i = 0; i < 6; i++) onA.hit('203.0.113.9');
    await a.limits.flush();
    expect(onB.hit('203.0.113.9').remaining).toBe(9);
    await b.limits.flush();
    // B now knows A's six: three more, and the eleventh of the minute is refused.
    expect(onB.hit('203.0.113.9').remaining).toBe(2);
    expect(onB.hit('203.0.113.9').allowed).toBe(true);
    expect(onB.hit('203.0.113.9').allowed).toBe(true);
    expect(onB.hit('203.0.113.9')).toMatchObject({ allowed: false, retryAfterMs: 60_000 });
  });

  it('counting only failures (isOver) holds across instances once an instance has counted the key', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00.000Z');
    const store = memoryLimitStore();
    const a = instance(store, clock);
    const b = instance(store, clock);
    const onA = a.limits.limiter('gateway-refusals', 3, 60_000);
    const onB = b.limits.limiter('gateway-refusals', 3, 60_000);
    onA.hit('203.0.113.7');
    onA.hit('203.0.113.7');
    await a.limits.flush();
    onB.hit('203.0.113.7');
    expect(onB.isOver('203.0.113.7')).toBe(false);
    await b.limits.flush();
    expect(onB.isOver('203.0.113.7')).toBe(true);
  });

  it('a key near its limit is flushed at once, without waiting for the interval', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00.000Z');
    const store = memoryLimitStore();
    const a = instance(store, clock);
    const onA = a.limits.limiter('public-ip', 10, 60_000);
    for (let i = 0; i < 7; i++) onA.hit('203.0.113.5');
    // The interval is an hour here: only the nearness of the limit (8 of 10) sends the hits.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.counts.size).toBe(0);
    onA.hit('203.0.113.5');
    await vi.waitFor(() => expect([...store.counts.values()].map((count) => count.total)).toEqual([8]));
  });

  it('keys leave the process as keyed hashes: the same for every instance of a deployment, nothing like the key', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00.000Z');
    const store = memoryLimitStore();
    const a = instance(store, clock);
    const b = instance(store, clock);
    const other = instance(store, clock, 'another-deployment-secret-0123456789abcdef');
    a.limits.limiter('public-ip', 10, 60_000).hit('203.0.113.9');
    b.limits.limiter('public-ip', 10, 60_000).hit('203.0.113.9');
    other.limits.limiter('public-ip', 10, 60_000).hit('203.0.113.9');
    await Promise.all([a.limits.flush(), b.limits.flush(), other.limits.flush()]);
    const ids = [...store.counts.keys()];
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).not.toContain('203.0.113');
    expect([...store.counts.values()].map((count) => count.total).sort()).toEqual([1, 2]);
  });

  it('an unreachable store: limits count locally, one warning, every failure counted, the hits sent once it answers', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00.000Z');
    const store = memoryLimitStore();
    const a = instance(store, clock);
    const onA = a.limits.limiter('api-key', 5, 60_000);
    store.unreachable = true;
    for (let i = 0; i < 3; i++) expect(onA.hit('key_1').allowed).toBe(true);
    await a.limits.flush();
    onA.hit('key_1');
    await a.limits.flush();
    expect(a.failures).toEqual(['memory', 'memory']);
    expect(a.lines.filter((line) => line.level === 40)).toHaveLength(1);
    expect(a.lines[0]?.msg).toMatch(/does not answer/);
    // Still limited, by this instance's own count.
    expect(onA.hit('key_1').allowed).toBe(true);
    expect(onA.hit('key_1').allowed).toBe(false);

    store.unreachable = false;
    await a.limits.flush();
    expect([...store.counts.values()].map((count) => count.total)).toEqual([6]);
    expect(a.lines.at(-1)?.msg).toMatch(/answers again/);
  });

  it('hits of a window that ended while the store was away are dropped, not sent into a later one', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00.000Z');
    const store = memoryLimitStore();
    const a = instance(store, clock);
    const onA = a.limits.limiter('api-key', 5, 60_000);
    store.unreachable = true;
    onA.hit('key_1');
    await a.limits.flush();
    clock.advance(60_000);
    await a.limits.flush();
    store.unreachable = false;
    onA.hit('key_1');
    await a.limits.flush();
    expect([...store.counts.values()].map((count) => count.total)).toEqual([1]);
  });

  it('without a store each limiter counts alone, and a limiter name is taken once', () => {
    const clock = new ManualClock('2026-06-01T12:00:00.000Z');
    const { limits } = instance(undefined, clock);
    expect(limits.store).toBeUndefined();
    const limiter = limits.limiter('api-account', 1, 60_000);
    expect(limiter.hit('acc_1').allowed).toBe(true);
    expect(limiter.hit('acc_1').allowed).toBe(false);
    expect(limiter.hasDirty).toBe(false);
    expect(() => limits.limiter('api-account', 1, 60_000)).toThrow(/already exists/);
  });
});
