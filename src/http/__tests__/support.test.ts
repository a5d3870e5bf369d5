import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActor, createActor, ctxOf, signUp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { queuedMail } from '../../../test/support/mail.ts';
import { api, code, fundedActor } from '../../../test/support/orders.ts';
import { baseUrlOf, openStream } from '../../../test/support/sse.ts';
import { auditLog } from '../../db/schema/index.ts';
import { grantCredits } from '../../modules/ledger/index.ts';
import { staffRef } from '../../modules/privacy/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
});
afterAll(() => t?.close());

const json = { 'content-type': 'application/json' };
type Headers = Record<string, string>;
// Staff act through a console session (a cookie): its unsafe requests are JSON, an empty object when there is nothing to send.
const post = (url: string, headers: Headers, payload?: unknown) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: payload === undefined && !headers.cookie ? headers : { ...headers, ...json },
    payload: (payload ?? (headers.cookie ? {} : undefined)) as never,
  });
const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });

describe('support conversations over HTTP', () => {
  it('a signed-in customer writes about an order; staff read (logged), answer live and by e-mail (no body in it); the customer closes', async () => {
    const customer = await signUp(t);
    const cookie = { cookie: customer.cookie };
    const buyer = await fundedActor(t, 1000);
    const othersOrder = (await api(t, buyer).order()).json();
    const key = (await post('/api/v1/api-keys', cookie, { name: 'for orders' })).json().key as string;
    const keyed = { accountId: customer.accountId, email: customer.email, bearer: `Bearer ${key}` };
    await grantCredits(ctxOf(t, 'cli'), {
      accountId: customer.accountId,
      amount: 500,
      reason: 'test',
      idempotencyKey: `s:${customer.accountId}`,
    });
    const myOrder = (await api(t, keyed).order()).json();

    const aboutOthers = await post('/api/v1/support/conversations', cookie, { subject: 'Not mine', body: 'x', orderId: othersOrder.id });
    expect(aboutOthers.statusCode).toBe(404);
    const tooLong = await post('/api/v1/support/conversations', cookie, { subject: 'Long', body: 'x'.repeat(4001) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.message).toContain('body');

    const started = await post('/api/v1/support/conversations', cookie, {
      subject: '  My Telegram code never came  ',
      body: 'I waited 20 minutes; please refund.',
      orderId: myOrder.id,
    });
    expect(started.statusCode, started.body).toBe(201);
    const thread = started.json();
    const id = thread.conversation.id as string;
    expect(thread.conversation).toMatchObject({
      subject: 'My Telegram code never came',
      orderId: myOrder.id,
      status: 'open',
      closedAt: null,
    });
    expect(thread.messages).toEqual([expect.objectContaining({ author: 'customer', body: 'I waited 20 minutes; please refund.' })]);

    const list = await get('/api/v1/support/conversations', cookie);
    expect(list.json().conversations.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await get(`/api/v1/support/conversations/${id}`, { authorization: buyer.bearer })).statusCode).toBe(404);

    const support = await createActor(t, 'support');
    const staff = asActor(support);
    const queue = await get('/api/v1/admin/support/conversations', staff);
    expect(queue.json().conversations.map((c: { id: string }) => c.id)).toContain(id);
    const read = await get(`/api/v1/admin/support/conversations/${id}`, { ...staff, 'x-access-reason': 'refund ticket' });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().conversation).toMatchObject({ accountId: customer.accountId, subject: 'My Telegram code never came' });
    const accessLog = (await get('/api/v1/privacy/access-log', cookie)).json().items;
    expect(accessLog[0]).toMatchObject({
      what: 'support.conversation',
      reason: 'refund ticket',
      staffRef: staffRef(t.keys, support.accountId),
    });
    // The queue showed the conversation's subject: that read is the customer's to see too.
    expect(accessLog[1]).toMatchObject({ what: 'support.queue', staffRef: staffRef(t.keys, support.accountId) });

    // The customer's stream hears the answer as it is written.
    const stream = await openStream(await baseUrlOf(t), cookie);
    expect(stream.status).toBe(200);
    const answer = await post(`/api/v1/admin/support/conversations/${id}/messages`, staff, { body: 'Refunded: 25 credits are back.' });
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json()).toMatchObject({ conversationId: id, status: 'answered' });
    await stream.waitFor((events) => events.some((event) => event.event === 'support.message' && event.data.author === 'staff'));
    const live = stream.events.find((event) => event.event === 'support.message' && event.data.author === 'staff');
    expect(live?.data).toMatchObject({ conversationId: id, messageId: answer.json().id, status: 'answered' });
    expect(JSON.stringify(live)).not.toContain('Refunded');
    stream.close();

    const [mail] = await queuedMail(t, { accountId: customer.accountId, template: 'support_answer' });
    expect(mail?.toAddress).toBe(customer.email);
    expect(mail?.bodyText).toContain(`${t.config.publicUrl}/support/${id}`);
    expect(mail?.bodyText).not.toContain('Refunded');
    expect(`${mail?.subject} ${mail?.bodyText}`).not.toContain('Telegram code never came');
    const audited = await t.database.db.select().from(auditLog).where(eq(auditLog.accountId, customer.accountId));
    expect(audited.map((row) => [row.actor, row.action])).toContainEqual([support.accountId, 'support.answered']);
    // The answer is an action on the customer's conversation: in their "Who accessed my data" too.
    expect((await get('/api/v1/privacy/access-log', cookie)).json().items[0]).toMatchObject({
      what: 'support.answered',
      staffRef: staffRef(t.keys, support.accountId),
    });

    const seen = (await get(`/api/v1/support/conversations/${id}`, cookie)).json();
    expect(seen.conversation.status).toBe('answered');
    expect(seen.messages.map((m: { author: string; body: string }) => [m.author, m.body])).toEqual([
      ['customer', 'I waited 20 minutes; please refund.'],
      ['staff', 'Refunded: 25 credits are back.'],
    ]);
    expect(JSON.stringify(seen)).not.toContain(support.accountId);

    const reply = await post(`/api/v1/support/conversations/${id}/messages`, cookie, { body: 'Thank you!' });
    expect(reply.statusCode).toBe(201);
    expect(reply.json().conversation.status).toBe('open');
    const closed = await post(`/api/v1/support/conversations/${id}/close`, cookie, {});
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().conversation.status).toBe('closed');
    const again = await post(`/api/v1/support/conversations/${id}/close`, cookie, {});
    expect([again.statusCode, code(again)]).toEqual([409, 'CONFLICT']);
    expect((await get('/api/v1/admin/support/conversations?status=closed', staff)).json().conversations[0]).toMatchObject({ id });
    expect((await post(`/api/v1/admin/support/conversations/${id}/close`, staff)).statusCode).toBe(409);
  });

  it('exports the conversations opened, staff named by their reference; the export of another account holds none of them', async () => {
    const customer = await signUp(t);
    const cookie = { cookie: customer.cookie };
    const id = (await post('/api/v1/support/conversations', cookie, { subject: 'Export me', body: 'My words, exported' })).json()
      .conversation.id;
    const admin = await createActor(t, 'admin');
    await post(`/api/v1/admin/support/conversations/${id}/messages`, asActor(admin), { body: 'Our words' });
    await post(`/api/v1/admin/support/conversations/${id}/close`, asActor(admin));

    const exported = await get('/api/v1/privacy/export', cookie);
    expect(exported.statusCode).toBe(200);
    const sections = exported.json().sections;
    expect(sections.support_conversations.rows).toEqual([
      expect.objectContaining({ id, subject: 'Export me', status: 'closed', closed_by: staffRef(t.keys, admin.accountId) }),
    ]);
    expect(sections.support_conversations.retention).toContain('1 year after its last message or its closing');
    expect(sections.support_messages.rows.map((m: { author: string; body: string; staff_account_id: string | null }) => m)).toEqual([
      expect.objectContaining({ author: 'customer', body: 'My words, exported', staff_account_id: null }),
      expect.objectContaining({ author: 'staff', body: 'Our words', staff_account_id: staffRef(t.keys, admin.accountId) }),
    ]);
    const other = await signUp(t);
    const theirs = (await get('/api/v1/privacy/export', { cookie: other.cookie })).json().sections;
    expect(theirs.support_messages.rows).toEqual([]);
  });

  it('refuses the staff routes to customers and answers to an unknown conversation with 404', async () => {
    const customer = await createActor(t);
    expect(code(await get('/api/v1/admin/support/conversations', { authorization: customer.bearer }))).toBe('FORBIDDEN');
    const support = await createActor(t, 'support');
    const missing = await post('/api/v1/admin/support/conversations/spc_01jzzzzzzzzzzzzzzzzzzzzzzz/messages', asActor(support), {
      body: 'hello',
    });
    expect([missing.statusCode, code(missing)]).toEqual([404, 'NOT_FOUND']);
    const badCursor = await get('/api/v1/admin/support/conversations?cursor=nope', asActor(support));
    expect(badCursor.statusCode).toBe(400);
  });
});
