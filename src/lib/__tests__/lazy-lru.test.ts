import { describe, expect, it } from 'vitest';
import { LazyLru } from '../lazy-lru.ts';

describe('LazyLru', () => {
  it('makes no cache until something is put in it: reads and drops before that find nothing', () => {
    const lazy = new LazyLru<string, { n: number }>({ max: 3 });
    expect(lazy.made).toBeUndefined();
    expect(lazy.made?.get('a')).toBeUndefined();
    lazy.made?.delete('a');
    lazy.made?.clear();
    expect(lazy.made).toBeUndefined();

    lazy.cache.set('a', { n: 1 });
    expect(lazy.made).toBe(lazy.cache);
    expect(lazy.made?.get('a')).toEqual({ n: 1 });
  });

  it('is the lru-cache it was given the options of once made: bounded, least recently used first out', () => {
    const lazy = new LazyLru<string, { n: number }>({ max: 2 });
    lazy.cache.set('a', { n: 1 });
    lazy.cache.set('b', { n: 2 });
    lazy.cache.get('a');
    lazy.cache.set('c', { n: 3 });
    expect([...lazy.cache.keys()].sort()).toEqual(['a', 'c']);
    expect(lazy.cache.max).toBe(2);
  });
});
