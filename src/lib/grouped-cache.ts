import { LazyLru } from './lazy-lru.ts';

export interface GroupedCacheOptions<V> {
  /** At most this many entries; the least recently used goes first. */
  max: number;
  /** How long an entry is trusted after it was set. */
  ttlMs: number;
  /** The time in milliseconds the entries' age is measured by (default: real time). */
  now?: () => number;
  /** The group an entry belongs to (an account), so a group's entries can all be dropped at once. */
  groupOf: (value: V) => string;
}

/**
 * An LRU cache (lru-cache) whose entries each belong to a group, with an index from group to keys:
 * dropping a group costs the number of its entries, never a scan of the whole cache. The index
 * follows every way an entry leaves (dropped, replaced, evicted, expired) through lru-cache's
 * `dispose`, which it calls synchronously for each. The LRU itself is made at the first entry (LazyLru).
 */
export class GroupedCache<V extends object> {
  readonly #lru: LazyLru<string, V>;
  readonly #groups = new Map<string, Set<string>>();
  readonly #groupOf: (value: V) => string;

  constructor(options: GroupedCacheOptions<V>) {
    this.#groupOf = options.groupOf;
    this.#lru = new LazyLru<string, V>({
      max: options.max,
      ttl: options.ttlMs,
      ...(options.now ? { perf: { now: options.now } } : {}),
      // The time is read at every lookup (by default lru-cache reuses one reading for a millisecond).
      ttlResolution: 0,
      dispose: (value, key) => this.#unindex(this.#groupOf(value), key),
    });
  }

  get(key: string): V | undefined {
    return this.#lru.made?.get(key);
  }

  set(key: string, value: V): void {
    this.#lru.cache.set(key, value);
    const group = this.#groupOf(value);
    let keys = this.#groups.get(group);
    if (!keys) {
      keys = new Set();
      this.#groups.set(group, keys);
    }
    keys.add(key);
  }

  delete(key: string): void {
    this.#lru.made?.delete(key);
  }

  /** Drop every entry of `group`. */
  deleteGroup(group: string): void {
    const keys = this.#groups.get(group);
    if (!keys) return;
    for (const key of [...keys]) this.#lru.made?.delete(key);
  }

  clear(): void {
    this.#lru.made?.clear();
    this.#groups.clear();
  }

  get size(): number {
    return this.#lru.made?.size ?? 0;
  }

  /** How many groups have entries (the index never outlives them). */
  get groupCount(): number {
    return this.#groups.size;
  }

  #unindex(group: string, key: string): void {
    const keys = this.#groups.get(group);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.#groups.delete(group);
  }
}
