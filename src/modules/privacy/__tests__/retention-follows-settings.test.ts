import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asBearer, createActor, signedIn } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../../test/support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { queryRows } from '../../../db/client.ts';
import { activationSms, activations, jobRuns } from '../../../db/schema/index.ts';
import { jobDefinitions, PROCESS_JOBS } from '../../../jobs/registry.ts';
import { Scheduler } from '../../../jobs/scheduler.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { logTransport } from '../../mail/index.ts';

/**
 * One retention period changed in the configuration: the published policy says the new period, it is
 * a new version customers are asked to accept, and the purge job and its dry run use the new cut-off.
 */

let database: TestDatabase;
const clock = new ManualClock('2026-06-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(clock.now().getTime() - days * 86_400_000);
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

/** `otpbox ARGV` against this app's database. */
const otpbox = (t: TestApp, ...argv: string[]) => runOtpbox(commandContextOf(t), argv);

/** The retention job as the server schedules it (the registry's definition), run once now. */
async function runRetentionJob(t: TestApp) {
  const scheduler = new Scheduler({ db: t.database.db, clock: t.clock, log: pino({ level: 'silent' }), instanceId: 'ins_test' });
  const ctx = { clock: t.clock, config: t.config, keys: t.keys, log: t.log };
  for (const job of jobDefinitions(PROCESS_JOBS, { ctx, mail: logTransport(t.log) })) scheduler.register(job);
  const outcome = await scheduler.trigger('retention');
  const [recorded] = await t.database.db.select().from(jobRuns).where(eq(jobRuns.id, outcome.runId));
  return { outcome, recorded };
}

async function orderWithSms(accountId: string, id: string, days: number) {
  const at = daysAgo(days);
  await database.db.insert(activations).values({
    id,
    accountId,
    service: 'tg',
    country: 'US',
    provider: 'sandbox',
    phone: '+15555550123',
    price: 10,
    status: 'completed',
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
    cancellableAt: at,
    endedAt: at,
  });
  await database.db.insert(activationSms).values({
    id: `sms_${id}`,
    activationId: id,
    dedupeKey: id,
    code: '12345',
    text: 'Your code is 12345',
    receivedAt: at,
    source: 'sandbox',
  });
}

const dueSms = (json: { targets: { table: string; action: string; rows: number; cutoff: string; days: number }[] }) =>
  json.targets.find((target) => target.table === 'activation_sms' && target.action === 'delete');

describe('a retention period changed in the configuration', () => {
  let actor: Actor;
  let firstVersion: string;

  it('before: the policy says 6 months for messages, and nothing of a 100-day-old order is due', async () => {
    const t = await createTestApp({ database, clock });
    try {
      actor = await createActor(t);
      await orderWithSms(actor.accountId, 'act_100days', 100);
      const policy = (await t.app.inject({ method: 'GET', url: '/api/v1/privacy/policy' })).json();
      firstVersion = policy.version;
      expect(policy.text.replace(/\s+/g, ' ')).toContain(
        'shown only to you, to provide the service you asked for (contract). Kept 6 months after it arrived.',
      );
      const me = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: asBearer(actor) })).json();
      expect(me.policy).toMatchObject({ currentVersion: firstVersion, acceptanceRequired: false });

      const dry = await otpbox(t, 'privacy', 'retention', '--dry-run', '--json');
      expect(dry.code).toBe(0);
      expect(dueSms(JSON.parse(dry.stdout))).toMatchObject({ rows: 0, days: 180, cutoff: daysAgo(180).toISOString() });
      const { recorded } = await runRetentionJob(t);
      expect(recorded?.result).toEqual({ purged: {}, cleared: {} });
    } finally {
      await t.close();
    }
  });

  it('after RETENTION_RESERVATIONS_DAYS=60: a new policy version with the new period, to accept; the dry run and the job use the new cut-off', async () => {
    const t = await createTestApp({ database, clock, env: { RETENTION_RESERVATIONS_DAYS: '60' } });
    try {
      const policy = (await t.app.inject({ method: 'GET', url: '/api/v1/privacy/policy' })).json();
      expect(policy.version).not.toBe(firstVersion);
      const text = policy.text.replace(/\s+/g, ' ');
      expect(text).toContain('shown only to you, to provide the service you asked for (contract). Kept 60 days after it arrived.');
      expect(text).not.toContain('Kept 6 months after it arrived.');

      // The customer is asked to accept it, and can.
      const me = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: asBearer(actor) })).json();
      expect(me.policy).toMatchObject({ acceptedVersion: firstVersion, currentVersion: policy.version, acceptanceRequired: true });
      const accepted = await t.app.inject({
        method: 'POST',
        url: '/api/v1/privacy/consent',
        headers: await signedIn(t, actor),
        payload: { policyVersion: policy.version, ageConfirmed: true },
      });
      expect(accepted.statusCode).toBeLessThan(300);

      // The dry run shows the new cut-off and the row it would delete; the job deletes exactly that.
      const dry = await otpbox(t, 'privacy', 'retention', '--dry-run', '--json');
      const planned = JSON.parse(dry.stdout);
      expect(dueSms(planned)).toMatchObject({ rows: 1, days: 60, cutoff: daysAgo(60).toISOString() });
      expect(planned.purged).toEqual({ activation_sms: 1 });
      const text2 = await otpbox(t, 'privacy', 'retention', '--dry-run');
      expect(text2.stdout).toMatch(/^Retention dry run at 2026-06-01 12:00 UTC \(nothing was changed\): the next run would delete 1 row/);
      expect(text2.stdout).toMatch(/activation_sms\s+delete\s+1\s+received_at before 2026-04-02\s+60 days \(RETENTION_RESERVATIONS_DAYS\)/);
      expect(await queryRows(database.db, sql`select id from activation_sms`)).toHaveLength(1);

      const { outcome, recorded } = await runRetentionJob(t);
      expect(outcome.status).toBe('succeeded');
      expect(recorded?.result).toEqual({ purged: planned.purged, cleared: planned.cleared });
      expect(await queryRows(database.db, sql`select id from activation_sms`)).toEqual([]);
      // The order itself stays: the number history is still a year.
      expect(await queryRows(database.db, sql`select id from activations`)).toEqual([{ id: 'act_100days' }]);
    } finally {
      await t.close();
    }
    const me = await (async () => {
      const again = await createTestApp({ database, clock, env: { RETENTION_RESERVATIONS_DAYS: '60' } });
      try {
        return (await again.app.inject({ method: 'GET', url: '/api/v1/me', headers: asBearer(actor) })).json();
      } finally {
        await again.close();
      }
    })();
    expect(me.policy.acceptanceRequired).toBe(false);
  });

  it('refuses to guess: without --dry-run or --now the command says how to use it, and --now purges and says what it did', async () => {
    const t = await createTestApp({ database, clock, env: { RETENTION_NUMBER_HISTORY_DAYS: '90', RETENTION_RESERVATIONS_DAYS: '60' } });
    try {
      const bare = await otpbox(t, 'privacy', 'retention');
      expect(bare.code).toBe(64);
      expect(bare.stderr).toContain('Usage: otpbox privacy retention --dry-run [--json]');
      expect((await otpbox(t, 'privacy', 'retention', '--dry-run', '--now')).code).toBe(64);
      const run = await otpbox(t, 'privacy', 'retention', '--now');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Retention run at 2026-06-01 12:00 UTC: deleted 1 row and emptied columns of 0 rows\./);
      expect(run.stdout).toMatch(/activations\s+delete\s+1\s+created_at before 2026-03-03\s+90 days \(RETENTION_NUMBER_HISTORY_DAYS\)/);
      expect(await queryRows(database.db, sql`select id from activations`)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
