import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { bareCustomer } from '../../../test/support/module-ctx.ts';
import { testConfig } from '../../config.ts';
import { queryRows } from '../../db/client.ts';
import { activationEvents, activationSms, activations, authThrottles, jobRuns, securityEvents } from '../../db/schema/index.ts';
import { ManualClock } from '../../lib/clock.ts';
import { countRetention, DATA_MAP, purgeRetention, retentionTargets, summariseRetention } from '../../modules/privacy/index.ts';
import { purgeRetained } from '../retention.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

const now = new Date('2027-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const run = (config = testConfig()) =>
  purgeRetained(config, {
    db: database.db,
    now,
    clock: new ManualClock(now),
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    runId: 't',
  });

describe('retention targets', () => {
  it('targets every table the data map gives a fixed retention, with the period in force', () => {
    const fixed = Object.entries(DATA_MAP)
      .filter(([, e]) => e.retention.kind === 'fixed')
      .map(([table]) => table);
    const targets = retentionTargets(testConfig(), now);
    expect(
      targets
        .filter((t) => t.action === 'delete')
        .map((t) => t.table)
        .sort(),
    ).toEqual(fixed.sort());
    expect(targets).toContainEqual(
      expect.objectContaining({ table: 'security_events', action: 'delete', after: 'occurred_at', days: 365, cutoff: daysAgo(365) }),
    );
    const shorter = retentionTargets(testConfig({ RETENTION_SECURITY_EVENTS_DAYS: '200' }), now);
    expect(shorter).toContainEqual(
      expect.objectContaining({
        table: 'security_events',
        action: 'delete',
        days: 200,
        setting: 'RETENTION_SECURITY_EVENTS_DAYS',
        cutoff: daysAgo(200),
      }),
    );
  });

  it('maps the seeds’ periods onto the tables: reservation details, number history, logs, security events and their addresses', () => {
    const days = (table: string, action = 'delete') =>
      retentionTargets(testConfig(), now).find((t) => t.table === table && t.action === action)?.days;
    expect([days('activation_sms'), days('activation_events'), days('provider_tasks')]).toEqual([180, 180, 180]);
    expect(days('activations')).toBe(365);
    expect([days('webhook_deliveries'), days('job_runs')]).toEqual([90, 90]);
    expect([days('security_events'), days('security_events', 'clear')]).toEqual([365, 90]);
  });

  it('deletes an order’s messages, events and tasks with it, after their own retention ran', () => {
    const targets = retentionTargets(testConfig(), now);
    const orders = targets.findIndex((t) => t.table === 'activations');
    expect(targets[orders]?.dependents.map((d) => d.table).sort()).toEqual([
      'activation_events',
      'activation_sms',
      'order_numbers',
      'provider_tasks',
    ]);
    for (const child of ['activation_events', 'activation_sms', 'order_numbers', 'provider_tasks']) {
      expect(targets.findIndex((t) => t.table === child)).toBeLessThan(orders);
    }
  });
});

describe('retention job', () => {
  it('deletes rows past their retention, empties addresses past theirs, keeps the others, and reports it', async () => {
    await database.db.insert(securityEvents).values([
      { id: 'sev_old', type: 'login_failed', occurredAt: daysAgo(366), ipPrefix: '192.0.2.0/24', ipHash: 'h1' },
      { id: 'sev_mid', type: 'login_failed', occurredAt: daysAgo(91), ipPrefix: '192.0.2.0/24', ipHash: 'h2', userAgent: 'UA' },
      { id: 'sev_new', type: 'login_failed', occurredAt: daysAgo(89), ipPrefix: '192.0.2.0/24', ipHash: 'h3' },
    ]);
    await database.db.insert(authThrottles).values([
      { key: 'ip:old', failures: 3, windowStartedAt: daysAgo(5), updatedAt: daysAgo(3) },
      { key: 'ip:new', failures: 3, windowStartedAt: daysAgo(1), updatedAt: daysAgo(1) },
    ]);
    await database.db.insert(jobRuns).values([
      { id: 'old@1', job: 'x', instanceId: 'ins_x', status: 'succeeded', startedAt: daysAgo(91) },
      { id: 'new@1', job: 'x', instanceId: 'ins_x', status: 'succeeded', startedAt: daysAgo(89) },
    ]);
    const planned = summariseRetention(await countRetention(database.db, retentionTargets(testConfig(), now)));
    const result = await run();
    const expected = {
      purged: { security_events: 1, auth_throttles: 1, job_runs: 1 },
      cleared: { 'security_events(ip_prefix, ip_hash, user_agent)': 1 },
    };
    expect(result).toEqual(expected);
    expect(planned).toEqual(expected);
    const ids = await queryRows<{ id: string }>(
      database.db,
      sql`select id from security_events union all select key from auth_throttles union all select id from job_runs`,
    );
    expect(ids.map((r) => r.id).sort()).toEqual(['ip:new', 'new@1', 'sev_mid', 'sev_new']);
    const events = await queryRows<{ id: string; ip_prefix: string | null; ip_hash: string | null; user_agent: string | null }>(
      database.db,
      sql`select id, ip_prefix, ip_hash, user_agent from security_events order by id`,
    );
    expect(events).toEqual([
      { id: 'sev_mid', ip_prefix: null, ip_hash: null, user_agent: null },
      { id: 'sev_new', ip_prefix: '192.0.2.0/24', ip_hash: 'h3', user_agent: null },
    ]);
    expect(await run()).toEqual({ purged: {}, cleared: {} });
  });

  it('removes reservation details after their period and the order after the number history’s, never breaking a foreign key', async () => {
    const clock = new ManualClock(now);
    const accountId = await bareCustomer(database, clock);
    const order = (id: string, createdAt: Date) => ({
      id,
      accountId,
      service: 'tg',
      country: 'US',
      provider: 'sandbox',
      phone: '+15555550123',
      price: 10,
      status: 'completed' as const,
      createdAt,
      updatedAt: createdAt,
      expiresAt: createdAt,
      cancellableAt: createdAt,
      endedAt: createdAt,
    });
    const sms = (id: string, activationId: string, receivedAt: Date) => ({
      id,
      activationId,
      dedupeKey: id,
      code: '12345',
      text: 'Your code is 12345',
      receivedAt,
      source: 'sandbox' as const,
    });
    const event = (id: string, activationId: string, occurredAt: Date) => ({
      id,
      activationId,
      type: 'created',
      actor: 'customer',
      occurredAt,
    });
    await database.db
      .insert(activations)
      .values([order('act_old', daysAgo(400)), order('act_mid', daysAgo(200)), order('act_new', daysAgo(10))]);
    await database.db
      .insert(activationSms)
      .values([sms('sms_old', 'act_old', daysAgo(400)), sms('sms_mid', 'act_mid', daysAgo(200)), sms('sms_new', 'act_new', daysAgo(10))]);
    await database.db
      .insert(activationEvents)
      .values([event('ace_old', 'act_old', daysAgo(400)), event('ace_mid', 'act_mid', daysAgo(200))]);

    // Reservation details as long as the number history: the order's SMS, younger than its own cut-off
    // by a day, must go with the order rather than block its deletion.
    const config = testConfig({ RETENTION_RESERVATIONS_DAYS: '401', RETENTION_NUMBER_HISTORY_DAYS: '401' });
    await database.db
      .update(activations)
      .set({ createdAt: daysAgo(402) })
      .where(sql`id = 'act_old'`);
    const targets = retentionTargets(config, now);
    const counted = await countRetention(database.db, targets);
    const purged = await purgeRetention(database.db, targets, new AbortController().signal, 1);
    expect(purged.counts.map((c) => [c.target.table, c.rows, c.dependents])).toEqual(
      counted.map((c) => [c.target.table, c.rows, c.dependents]),
    );
    expect(summariseRetention(purged.counts).purged).toEqual({ activations: 1, activation_sms: 1, activation_events: 1 });

    // The defaults: reservation details 180 days, the order itself 365.
    expect(await run()).toEqual({ purged: { activation_sms: 1, activation_events: 1 }, cleared: {} });
    const left = await queryRows<{ id: string }>(
      database.db,
      sql`select id from activations union all select id from activation_sms union all select id from activation_events`,
    );
    expect(left.map((r) => r.id).sort()).toEqual(['act_mid', 'act_new', 'sms_new']);

    // A shorter number history takes the rest of the old order with it.
    expect(await run(testConfig({ RETENTION_RESERVATIONS_DAYS: '100', RETENTION_NUMBER_HISTORY_DAYS: '100' }))).toEqual({
      purged: { activations: 1 },
      cleared: {},
    });
  });

  it('stops between batches when its run is aborted, and says so', async () => {
    await database.db
      .insert(jobRuns)
      .values([{ id: 'older@1', job: 'x', instanceId: 'ins_x', status: 'succeeded', startedAt: daysAgo(100) }]);
    const aborted = new AbortController();
    aborted.abort();
    const result = await purgeRetained(testConfig(), {
      db: database.db,
      now,
      clock: new ManualClock(now),
      log: pino({ level: 'silent' }),
      signal: aborted.signal,
      runId: 't',
    });
    expect(result).toEqual({ purged: {}, cleared: {}, interrupted: true });
  });
});
