import type { LimitHits, LimitStore } from './port.ts';

/**
 * Counts in this process's memory: the store of one process that wants its limiters to flush anyway,
 * and the fake the tests share between two limiters standing for two instances. `unreachable` makes
 * every call fail, as a store that cannot be reached does.
 */
export interface MemoryLimitStore extends LimitStore {
  unreachable: boolean;
  /** The counts held, by `limiter key window`. */
  readonly counts: ReadonlyMap<string, { total: number; endsAt: number }>;
}

export function memoryLimitStore(): MemoryLimitStore {
  const counts = new Map<string, { total: number; endsAt: number }>();
  const store: MemoryLimitStore = {
    kind: 'memory',
    unreachable: false,
    counts,
    async add(rows: readonly LimitHits[]) {
      if (store.unreachable) throw new Error('memory limit store: unreachable (as asked)');
      return rows.map((row) => {
        const id = `${row.limiter} ${row.key} ${row.window}`;
        const count = counts.get(id) ?? { total: 0, endsAt: row.endsAt };
        count.total += row.hits;
        counts.set(id, count);
        return count.total;
      });
    },
    async sweep(now: number) {
      if (store.unreachable) throw new Error('memory limit store: unreachable (as asked)');
      let swept = 0;
      for (const [id, count] of counts)
        if (count.endsAt <= now) {
          counts.delete(id);
          swept++;
        }
      return swept;
    },
    async close() {},
  };
  return store;
}
