import { describe, expect, it } from 'vitest';
import { MeCache } from '../me-cache.ts';

/** A read the test finishes by hand. */
function deferred() {
  let resolve: (json: string) => void = () => {};
  const promise = new Promise<string>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('MeCache', () => {
  it('keeps what it read, and shares one read between concurrent misses', async () => {
    const cache = new MeCache(10_000);
    const read = deferred();
    let reads = 0;
    const load = () => {
      reads++;
      return read.promise;
    };
    const first = cache.get('acc_a', load);
    const second = cache.get('acc_a', load);
    read.resolve('{"v":1}');
    expect(await first).toBe('{"v":1}');
    expect(await second).toBe('{"v":1}');
    expect(reads).toBe(1);
    expect(cache.get('acc_a', load)).toBe('{"v":1}');
  });

  it('does not keep a read that a drop overtook (it may have seen the rows before the commit)', async () => {
    const cache = new MeCache(10_000);
    const before = deferred();
    const overtaken = cache.get('acc_a', () => before.promise);
    cache.drop('acc_a');
    // A request after the drop reads again, and is not served the read under way.
    const after = deferred();
    const fresh = cache.get('acc_a', () => after.promise);
    before.resolve('{"balance":"old"}');
    expect(await overtaken).toBe('{"balance":"old"}');
    after.resolve('{"balance":"new"}');
    expect(await fresh).toBe('{"balance":"new"}');
    expect(cache.get('acc_a', () => Promise.resolve('{"balance":"read again"}'))).toBe('{"balance":"new"}');
  });

  it('drops one account, or every account', async () => {
    const cache = new MeCache(10_000);
    await cache.get('acc_a', async () => 'a');
    await cache.get('acc_b', async () => 'b');
    cache.drop('acc_a');
    expect(cache.size).toBe(1);
    expect(cache.get('acc_b', async () => 'b again')).toBe('b');
    cache.drop('*');
    expect(cache.size).toBe(0);
  });
});
