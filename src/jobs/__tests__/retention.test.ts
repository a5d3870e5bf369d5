import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { queryRows } from '../../db/client.ts';
import { authThrottles, jobRuns, securityEvents } from '../../db/schema/index.ts';
import { ManualClock } from '../../lib/clock.ts';
import { DATA_MAP } from '../../modules/privacy/index.ts';
import { purgeRetained, retentionTargets } from '../retention.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

const now = new Date('2027-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

describe('retention job', () => {
  it('targets every table the data map gives a fixed retention', () => {
    const fixed = Object.entries(DATA_MAP)
      .filter(([, e]) => e.retention.kind === 'fixed')
      .map(([table]) => table);
    expect(
      retentionTargets()
        .map((t) => t.table)
        .sort(),
    ).toEqual(fixed.sort());
    expect(retentionTargets()).toContainEqual({ table: 'security_events', column: 'occurred_at', days: 365 });
  });

  it('deletes rows past their retention and keeps the others', async () => {
    await database.db.insert(securityEvents).values([
      { id: 'sev_old', type: 'login_failed', occurredAt: daysAgo(366) },
      { id: 'sev_new', type: 'login_failed', occurredAt: daysAgo(364) },
    ]);
    await database.db.insert(authThrottles).values([
      { key: 'ip:old', failures: 3, windowStartedAt: daysAgo(5), updatedAt: daysAgo(3) },
      { key: 'ip:new', failures: 3, windowStartedAt: daysAgo(1), updatedAt: daysAgo(1) },
    ]);
    await database.db.insert(jobRuns).values([
      { id: 'old@1', job: 'x', instanceId: 'ins_x', status: 'succeeded', startedAt: daysAgo(31) },
      { id: 'new@1', job: 'x', instanceId: 'ins_x', status: 'succeeded', startedAt: daysAgo(29) },
    ]);
    const result = await purgeRetained({
      db: database.db,
      now,
      clock: new ManualClock(now),
      log: pino({ level: 'silent' }),
      signal: new AbortController().signal,
      runId: 't',
    });
    expect(result).toEqual({ purged: { security_events: 1, auth_throttles: 1, job_runs: 1 } });
    const ids = await queryRows<{ id: string }>(
      database.db,
      sql`select id from security_events union all select key from auth_throttles union all select id from job_runs`,
    );
    expect(ids.map((r) => r.id).sort()).toEqual(['ip:new', 'new@1', 'sev_new']);
  });
});
