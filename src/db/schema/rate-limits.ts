import { bigint, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The rate limits' shared counts (ADR 43), when the instances share them through PostgreSQL: hits per
 * limiter, key and clock-aligned window, added by every instance's flush (limits/postgres-store.ts).
 * UNLOGGED (migration 0027 says so; Drizzle cannot): disposable counts, emptied by a crash and rebuilt
 * within a window, not worth a WAL record per flush. `key` is an HMAC of the account, API key or client
 * address, never the value itself. Ended windows are swept by the flushers.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    limiter: text('limiter').notNull(),
    key: text('key').notNull(),
    windowId: bigint('window_id', { mode: 'number' }).notNull(),
    hits: integer('hits').notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.limiter, t.key, t.windowId] })],
);
