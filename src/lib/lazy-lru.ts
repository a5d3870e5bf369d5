import { LRUCache } from 'lru-cache';

/**
 * An lru-cache made at its first use. lru-cache allocates its arrays for `max` entries when it is
 * constructed (about 0.8 MB for 20,000 entries with a ttl, filled one by one), so a cache made at
 * start-up costs memory and start-up time whether or not anything is ever kept in it. Here the cache
 * exists once something is put in it: an instance whose clients never use a protocol or a path pays
 * nothing for its cache (ADR 21, idle memory).
 */
export class LazyLru<K extends {}, V extends {}> {
  readonly #options: LRUCache.Options<K, V, unknown>;
  #lru: LRUCache<K, V> | undefined;

  constructor(options: LRUCache.Options<K, V, unknown>) {
    this.#options = options;
  }

  /** The cache, made now if it was not: for putting entries in. */
  get cache(): LRUCache<K, V> {
    this.#lru ??= new LRUCache<K, V>(this.#options);
    return this.#lru;
  }

  /** The cache if it was made (for reading and dropping: a cache never made holds nothing). */
  get made(): LRUCache<K, V> | undefined {
    return this.#lru;
  }
}
