import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { executeCommand } from '../../../commands/execute.ts';
import { queryRows } from '../../../db/client.ts';
import { jobRuns } from '../../../db/schema/index.ts';
import { jobDefinitions, PROCESS_JOBS } from '../../../jobs/registry.ts';
import { Scheduler } from '../../../jobs/scheduler.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { logTransport } from '../../mail/index.ts';
import { closeConversation, startConversation, writeAsCustomer } from '../index.ts';

/**
 * Support conversations are kept RETENTION_SUPPORT_DAYS (365) after their last message or their
 * closing: the policy says so, the dry run counts them, the retention job deletes them with their messages.
 */

const DAY = 86_400_000;
let database: TestDatabase;
const clock = new ManualClock('2026-06-01T12:00:00.000Z');
const now = clock.now();
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

async function otpbox(t: TestApp, ...argv: string[]) {
  let stdout = '';
  const ctx = {
    config: t.config,
    database: t.database,
    clock: t.clock,
    log: pino({ level: 'silent' }),
    keys: t.keys,
    via: 'direct' as const,
  };
  const code = await executeCommand(argv, ctx, {
    stdin: (async function* () {})(),
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => {},
    env: {},
  });
  return { code, stdout };
}

async function runRetentionJob(t: TestApp) {
  const scheduler = new Scheduler({ db: t.database.db, clock: t.clock, log: pino({ level: 'silent' }), instanceId: 'ins_test' });
  for (const job of jobDefinitions(PROCESS_JOBS, {
    ctx: { clock: t.clock, config: t.config, keys: t.keys, log: t.log },
    mail: logTransport(t.log),
  }))
    scheduler.register(job);
  const outcome = await scheduler.trigger('retention');
  const [recorded] = await t.database.db.select().from(jobRuns).where(eq(jobRuns.id, outcome.runId));
  return recorded?.result;
}

const ids = async () =>
  (await queryRows<{ id: string }>(database.db, sql`select id from support_conversations order by id`)).map((row) => row.id);
const messageCount = async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from support_messages`))[0]?.n;

describe('support retention', () => {
  let closedLongAgo: string;
  let activeAfterOldStart: string;
  let recentlyClosed: string;

  it('the policy states the period; the dry run and the job delete a conversation a year after its closing, with its messages', async () => {
    const t = await createTestApp({ database, clock });
    try {
      const accountId = (await createActor(t)).accountId;
      // Closed 400 days ago: due.
      clock.set(now.getTime() - 410 * DAY);
      closedLongAgo = (await startConversation(ctxOf(t), { accountId, subject: 'Old', body: 'old question' })).conversation.id;
      clock.set(now.getTime() - 400 * DAY);
      await closeConversation(ctxOf(t), { accountId, conversationId: closedLongAgo });
      // Started 400 days ago, written to 10 days ago: the conversation stays, its first message is past the period.
      clock.set(now.getTime() - 400 * DAY);
      activeAfterOldStart = (await startConversation(ctxOf(t), { accountId, subject: 'Long', body: 'first' })).conversation.id;
      clock.set(now.getTime() - 10 * DAY);
      await writeAsCustomer(ctxOf(t), { accountId, conversationId: activeAfterOldStart, body: 'still here' });
      // Closed 300 days ago: not yet due.
      clock.set(now.getTime() - 300 * DAY);
      recentlyClosed = (await startConversation(ctxOf(t), { accountId, subject: 'Recent', body: 'recent' })).conversation.id;
      await closeConversation(ctxOf(t), { accountId, conversationId: recentlyClosed });
      clock.set(now);

      const policy = (await t.app.inject({ method: 'GET', url: '/api/v1/privacy/policy' })).json();
      const text = policy.text.replace(/\s+/g, ' ');
      expect(text).toContain('Your conversations with our support');
      expect(text).toContain('Kept 1 year after its last message or its closing. If you delete your account: deleted.');

      const dry = await otpbox(t, 'privacy', 'retention', '--dry-run', '--json');
      expect(dry.code).toBe(0);
      const planned = JSON.parse(dry.stdout);
      // The old first message by its own age, and the closed conversation with its message (and the live events of a day).
      expect(planned.purged).toEqual({ support_conversations: 1, support_messages: 2, account_events: expect.any(Number) });
      expect(planned.targets.find((target: { table: string }) => target.table === 'support_conversations')).toMatchObject({
        days: 365,
        cutoff: new Date(now.getTime() - 365 * DAY).toISOString(),
      });
      expect(await ids()).toHaveLength(3);

      expect(await runRetentionJob(t)).toEqual({ purged: planned.purged, cleared: {} });
      expect(await ids()).toEqual([activeAfterOldStart, recentlyClosed].sort());
      expect(await messageCount()).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('RETENTION_SUPPORT_DAYS=200 moves the policy and the cut-off together', async () => {
    const t = await createTestApp({ database, clock, env: { RETENTION_SUPPORT_DAYS: '200' } });
    try {
      const text = (await t.app.inject({ method: 'GET', url: '/api/v1/privacy/policy' })).json().text.replace(/\s+/g, ' ');
      expect(text).toContain('Kept 200 days after its last message or its closing.');
      expect(await runRetentionJob(t)).toEqual({ purged: { support_conversations: 1, support_messages: 1 }, cleared: {} });
      expect(await ids()).toEqual([activeAfterOldStart]);
    } finally {
      await t.close();
    }
  });
});
