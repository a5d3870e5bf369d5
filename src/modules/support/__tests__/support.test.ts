import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { bareCustomer, moduleCtx } from '../../../../test/support/module-ctx.ts';
import { queryRows } from '../../../db/client.ts';
import {
  accountEvents,
  accounts,
  auditLog,
  emailOutbox,
  staffAccessLog,
  supportConversations,
  supportMessages,
} from '../../../db/schema/index.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { isDomainError } from '../../../lib/errors.ts';
import { newId } from '../../../lib/ids.ts';
import { destroyAccountKey } from '../../keyring/index.ts';
import {
  closeConversation,
  ownConversations,
  ownThread,
  queueCursor,
  queueViews,
  SUPPORT_LIMITS,
  staffThread,
  startConversation,
  writeAsCustomer,
  writeAsStaff,
} from '../index.ts';

let database: TestDatabase;
const clock = new ManualClock('2026-06-01T12:00:00.000Z');
const ctx = () => moduleCtx(database, clock);
let staffId: string;
const staff = () => ({ accountId: staffId, role: 'support' as const });

beforeAll(async () => {
  database = await createTestDatabase();
  staffId = newId('acc');
  await database.db
    .insert(accounts)
    .values({ id: staffId, kind: 'device', role: 'support', createdAt: clock.now(), updatedAt: clock.now() });
});
afterAll(() => database?.destroy());

const customer = () => bareCustomer(database, clock);
const errorCode = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (isDomainError(error)) return error.code;
    throw error;
  }
};

describe('support conversations', () => {
  it('starts a conversation waiting on staff, its subject and body sealed: the tables hold no plain text', async () => {
    const accountId = await customer();
    const { conversation, message } = await startConversation(ctx(), {
      accountId,
      subject: 'Refund for my Telegram number',
      body: 'The code never came — please look into it.',
    });
    expect(conversation).toMatchObject({ status: 'open', waitingSince: clock.now(), closedAt: null, orderId: null });
    expect(conversation.id).toMatch(/^spc_/);
    expect(message.id).toMatch(/^spm_/);

    const dump = JSON.stringify(
      await queryRows(
        database.db,
        sql`select c.subject, m.body from support_conversations c join support_messages m on m.conversation_id = c.id`,
      ),
    );
    expect(dump).not.toContain('Telegram');
    expect(dump).not.toContain('code never came');

    const thread = await ownThread(ctx(), accountId, conversation.id);
    expect(thread.conversation.subject).toBe('Refund for my Telegram number');
    expect(thread.messages).toEqual([
      { id: message.id, author: 'customer', body: 'The code never came — please look into it.', createdAt: clock.now() },
    ]);
  });

  it('links only an order of the same account; another account’s conversation is not found', async () => {
    const owner = await customer();
    const other = await customer();
    expect(
      await errorCode(startConversation(ctx(), { accountId: owner, subject: 'About an order', body: 'hi', orderId: 'act_nope' })),
    ).toBe('NOT_FOUND');
    const { conversation } = await startConversation(ctx(), { accountId: owner, subject: 'General', body: 'hello' });
    expect(await errorCode(ownThread(ctx(), other, conversation.id))).toBe('NOT_FOUND');
    expect(await errorCode(writeAsCustomer(ctx(), { accountId: other, conversationId: conversation.id, body: 'x' }))).toBe('NOT_FOUND');
    expect(await errorCode(closeConversation(ctx(), { accountId: other, conversationId: conversation.id }))).toBe('NOT_FOUND');
  });

  it('moves open → answered → open → closed → open, keeping the customer’s place in the queue while they wait', async () => {
    const accountId = await customer();
    const started = clock.now();
    const { conversation } = await startConversation(ctx(), { accountId, subject: 'Status flow', body: 'first' });
    clock.advance(60_000);
    const followUp = await writeAsCustomer(ctx(), { accountId, conversationId: conversation.id, body: 'still waiting' });
    expect(followUp.conversation).toMatchObject({ status: 'open', waitingSince: started });

    clock.advance(60_000);
    const answered = await writeAsStaff(ctx(), { staff: staff(), conversationId: conversation.id, body: 'We refunded it.' });
    expect(answered.conversation).toMatchObject({ status: 'answered', waitingSince: null, lastActivityAt: clock.now() });
    expect(answered.message.staffAccountId).toBe(staffId);

    clock.advance(60_000);
    const replied = await writeAsCustomer(ctx(), { accountId, conversationId: conversation.id, body: 'Thanks!' });
    expect(replied.conversation).toMatchObject({ status: 'open', waitingSince: clock.now() });

    const closed = await closeConversation(ctx(), { accountId, conversationId: conversation.id });
    expect(closed).toMatchObject({ status: 'closed', closedBy: 'customer', closedAt: clock.now(), waitingSince: null });
    expect(await errorCode(closeConversation(ctx(), { accountId, conversationId: conversation.id }))).toBe('CONFLICT');

    clock.advance(60_000);
    const reopened = await writeAsCustomer(ctx(), { accountId, conversationId: conversation.id, body: 'One more thing' });
    expect(reopened.conversation).toMatchObject({ status: 'open', closedAt: null, closedBy: null, waitingSince: clock.now() });

    // The customer sees staff as "staff" only: no account id, no name.
    const thread = await ownThread(ctx(), accountId, conversation.id);
    expect(thread.messages.map((m) => m.author)).toEqual(['customer', 'customer', 'staff', 'customer', 'customer']);
    expect(JSON.stringify(thread)).not.toContain(staffId);
  });

  it('tells the customer live (support.message, ids only) and audits staff answers and closings; no e-mail without an address', async () => {
    const accountId = await customer();
    const { conversation } = await startConversation(ctx(), { accountId, subject: 'Live', body: 'secret words inside' });
    const answer = await writeAsStaff(ctx(), { staff: staff(), conversationId: conversation.id, body: 'an answer with details' });
    await closeConversation(ctx(), { staffAccountId: staffId, staffRole: 'support', conversationId: conversation.id });

    const events = await database.db.select().from(accountEvents).where(eq(accountEvents.accountId, accountId));
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      [
        'support.message',
        { conversationId: conversation.id, messageId: expect.stringMatching(/^spm_/), author: 'customer', status: 'open' },
      ],
      ['support.message', { conversationId: conversation.id, messageId: answer.message.id, author: 'staff', status: 'answered' }],
    ]);
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.accountId, accountId));
    expect(audit.map((row) => [row.actor, row.action, row.details])).toEqual([
      [staffId, 'support.answered', { conversationId: conversation.id, messageId: answer.message.id }],
      [staffId, 'support.closed', { conversationId: conversation.id }],
    ]);
    expect(await database.db.select().from(emailOutbox).where(eq(emailOutbox.accountId, accountId))).toEqual([]);
  });

  it('logs a staff read of a conversation in the staff access log, with the reason', async () => {
    const accountId = await customer();
    const { conversation } = await startConversation(ctx(), { accountId, subject: 'Read me', body: 'body' });
    const thread = await staffThread(ctx(), {
      staff: staff(),
      conversationId: conversation.id,
      reason: 'ticket triage',
      requestId: 'req_1',
    });
    expect(thread.conversation).toMatchObject({ accountId, subject: 'Read me' });
    expect(thread.messages[0]).toMatchObject({ author: 'customer', staffAccountId: null, body: 'body' });
    const log = await database.db.select().from(staffAccessLog).where(eq(staffAccessLog.accountId, accountId));
    expect(log).toEqual([
      expect.objectContaining({ staffAccountId: staffId, staffRole: 'support', what: 'support.conversation', reason: 'ticket triage' }),
    ]);
  });

  it('orders the queue by the longest wait and pages through it', async () => {
    await database.db.delete(supportMessages);
    await database.db.delete(supportConversations);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await startConversation(ctx(), { accountId: await customer(), subject: `Queue ${i}`, body: 'waiting' })).conversation.id);
      clock.advance(1000);
    }
    // The oldest gets an answer and leaves the open queue; a follow-up on the second keeps its place.
    await writeAsStaff(ctx(), { staff: staff(), conversationId: ids[0] as string, body: 'answered' });
    const first = await queueViews(ctx(), { status: 'open', limit: 1, readerRole: 'support' });
    expect(first.map((item) => item.view.subject)).toEqual(['Queue 1', 'Queue 2']);
    const cursor = queueCursor(first[0]?.row as never, 'open');
    const second = await queueViews(ctx(), { status: 'open', cursor, limit: 1, readerRole: 'support' });
    expect(second.map((item) => item.view.id)).toEqual([ids[2]]);
    expect((await queueViews(ctx(), { status: 'answered', limit: 10, readerRole: 'support' })).map((item) => item.view.id)).toEqual([
      ids[0],
    ]);
  });

  it("keeps a staff account's conversation to admins: support neither lists, reads, answers nor closes it", async () => {
    const adminId = newId('acc');
    await database.db
      .insert(accounts)
      .values({ id: adminId, kind: 'device', role: 'admin', createdAt: clock.now(), updatedAt: clock.now() });
    const ofAdmin = (await startConversation(ctx(), { accountId: adminId, subject: 'Admin private', body: 'x' })).conversation.id;
    const ofCustomer = (await startConversation(ctx(), { accountId: await customer(), subject: 'Customer', body: 'y' })).conversation.id;
    const queue = async (readerRole: 'support' | 'admin') =>
      (await queueViews(ctx(), { status: 'open', limit: 100, readerRole }))
        .map((item) => item.view.id)
        .filter((id) => id === ofAdmin || id === ofCustomer)
        .sort();
    expect(await queue('support')).toEqual([ofCustomer]);
    expect(await queue('admin')).toEqual([ofAdmin, ofCustomer].sort());
    expect(await errorCode(staffThread(ctx(), { staff: staff(), conversationId: ofAdmin }))).toBe('FORBIDDEN');
    expect(await errorCode(writeAsStaff(ctx(), { staff: staff(), conversationId: ofAdmin, body: 'peek' }))).toBe('FORBIDDEN');
    expect(await errorCode(closeConversation(ctx(), { staffAccountId: staffId, staffRole: 'support', conversationId: ofAdmin }))).toBe(
      'FORBIDDEN',
    );
    const admin = { accountId: newId('acc'), role: 'admin' as const };
    await database.db
      .insert(accounts)
      .values({ id: admin.accountId, kind: 'device', role: 'admin', createdAt: clock.now(), updatedAt: clock.now() });
    expect((await staffThread(ctx(), { staff: admin, conversationId: ofAdmin })).conversation.subject).toBe('Admin private');
  });

  it('limits new conversations per day and customer messages per hour', async () => {
    const accountId = await customer();
    let last = '';
    for (let i = 0; i < SUPPORT_LIMITS.conversationsPerDay; i++) {
      last = (await startConversation(ctx(), { accountId, subject: `Many ${i}`, body: 'x' })).conversation.id;
    }
    expect(await errorCode(startConversation(ctx(), { accountId, subject: 'One too many', body: 'x' }))).toBe('RATE_LIMITED');
    for (let i = SUPPORT_LIMITS.conversationsPerDay; i < SUPPORT_LIMITS.messagesPerHour; i++) {
      await writeAsCustomer(ctx(), { accountId, conversationId: last, body: `message ${i}` });
    }
    expect(await errorCode(writeAsCustomer(ctx(), { accountId, conversationId: last, body: 'too many' }))).toBe('RATE_LIMITED');
    // Staff answers are not limited, and an hour later the customer may write again.
    await writeAsStaff(ctx(), { staff: staff(), conversationId: last, body: 'answer' });
    clock.advance(3_600_001);
    await writeAsCustomer(ctx(), { accountId, conversationId: last, body: 'again' });
    clock.advance(86_400_000);
    await startConversation(ctx(), { accountId, subject: 'Next day', body: 'x' });
  });

  it('reads an erased account’s conversations as null: its key destroyed, nothing opens', async () => {
    const accountId = await customer();
    const { conversation } = await startConversation(ctx(), { accountId, subject: 'Shred me', body: 'gone soon' });
    await destroyAccountKey(ctx(), accountId);
    const thread = await ownThread(ctx(), accountId, conversation.id);
    expect(thread.conversation.subject).toBeNull();
    expect(thread.messages.map((m) => m.body)).toEqual([null]);
    expect((await ownConversations(ctx(), { accountId, limit: 10 })).map((item) => item.view.subject)).toEqual([null]);
  });
});
