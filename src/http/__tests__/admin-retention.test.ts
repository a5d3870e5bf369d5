import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActor, createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { jobRuns, securityEvents } from '../../db/schema/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const daysAgo = (days: number) => new Date(t.clock.now().getTime() - days * 86_400_000);

describe('admin retention API', () => {
  it('counts what the next run would delete or empty, changing nothing', async () => {
    const support = await createActor(t, 'support');
    await t.database.db.insert(securityEvents).values([
      { id: 'sev_admin_old', type: 'login_failed', occurredAt: daysAgo(400), ipPrefix: '192.0.2.0/24', ipHash: 'h1' },
      { id: 'sev_admin_mid', type: 'login_failed', occurredAt: daysAgo(100), ipPrefix: '192.0.2.0/24', ipHash: 'h3' },
      { id: 'sev_admin_new', type: 'login_failed', occurredAt: daysAgo(1), ipPrefix: '192.0.2.0/24', ipHash: 'h2' },
    ]);
    const before = await t.database.db.select({ n: count() }).from(securityEvents);
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/admin/privacy/retention/preview', headers: asActor(support) });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.at).toBe(t.clock.now().toISOString());
    expect(body.purged.security_events).toBe(1);
    expect(body.targets).toContainEqual(
      expect.objectContaining({
        table: 'security_events',
        action: 'delete',
        days: 365,
        rows: 1,
        setting: 'RETENTION_SECURITY_EVENTS_DAYS',
      }),
    );
    expect(body.cleared['security_events(ip_prefix, ip_hash, user_agent)']).toBe(1);
    expect(await t.database.db.select({ n: count() }).from(securityEvents)).toEqual(before);
  });

  it('lists the retention job’s latest runs, newest first, with what each did', async () => {
    const admin = await createActor(t, 'admin');
    await t.database.db.insert(jobRuns).values([
      {
        id: 'retention@a',
        job: 'retention',
        instanceId: 'ins_a',
        status: 'succeeded',
        startedAt: daysAgo(2),
        finishedAt: new Date(daysAgo(2).getTime() + 1500),
        result: { purged: { sessions: 3 }, cleared: {} },
      },
      { id: 'retention@b', job: 'retention', instanceId: 'ins_a', status: 'failed', startedAt: daysAgo(1), error: 'timeout' },
      { id: 'other@b', job: 'catalog-sync', instanceId: 'ins_a', status: 'succeeded', startedAt: daysAgo(1) },
    ]);
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/admin/privacy/retention', headers: asActor(admin) });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ name: 'retention', intervalMs: 3_600_000 });
    expect(body.runs.map((run: { id: string }) => run.id)).toEqual(['retention@b', 'retention@a']);
    expect(body.runs[1]).toMatchObject({ status: 'succeeded', durationMs: 1500, result: { purged: { sessions: 3 } } });
    expect(body.runs[0]).toMatchObject({ status: 'failed', error: 'timeout' });
    await t.database.db.delete(jobRuns).where(eq(jobRuns.instanceId, 'ins_a'));
  });
});
