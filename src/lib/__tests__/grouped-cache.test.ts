import { describe, expect, it } from 'vitest';
import { GroupedCache } from '../grouped-cache.ts';

interface Entry {
  account: string;
  value: number;
}

const cacheAt = (time: { now: number }, max = 10) =>
  new GroupedCache<Entry>({ max, ttlMs: 1_000, now: () => time.now, groupOf: (entry) => entry.account });

describe('GroupedCache', () => {
  it('drops one group’s entries and keeps the others', () => {
    const cache = cacheAt({ now: 1_000 });
    cache.set('a1', { account: 'acc_a', value: 1 });
    cache.set('a2', { account: 'acc_a', value: 2 });
    cache.set('b1', { account: 'acc_b', value: 3 });
    cache.deleteGroup('acc_a');
    expect(cache.get('a1')).toBeUndefined();
    expect(cache.get('a2')).toBeUndefined();
    expect(cache.get('b1')?.value).toBe(3);
    expect(cache.groupCount).toBe(1);
  });

  it('keeps its index in step with every way an entry leaves: replaced, evicted, expired, deleted', () => {
    const time = { now: 1_000 };
    const cache = cacheAt(time, 2);
    cache.set('x', { account: 'acc_a', value: 1 });
    // Replaced by an entry of another group: the first group no longer names the key.
    cache.set('x', { account: 'acc_b', value: 2 });
    cache.deleteGroup('acc_a');
    expect(cache.get('x')?.value).toBe(2);
    // Evicted (least recently used) when full.
    cache.set('y', { account: 'acc_c', value: 3 });
    cache.set('z', { account: 'acc_d', value: 4 });
    expect(cache.get('x')).toBeUndefined();
    expect(cache.groupCount).toBe(2);
    // Expired.
    time.now += 1_001;
    expect(cache.get('y')).toBeUndefined();
    cache.delete('z');
    expect(cache.size).toBe(0);
    expect(cache.groupCount).toBe(0);
  });

  it('reads the injected time at every lookup', () => {
    const time = { now: 1_000 };
    const cache = cacheAt(time);
    cache.set('x', { account: 'acc_a', value: 1 });
    time.now += 1_000;
    expect(cache.get('x')?.value).toBe(1);
    time.now += 1;
    expect(cache.get('x')).toBeUndefined();
  });
});
