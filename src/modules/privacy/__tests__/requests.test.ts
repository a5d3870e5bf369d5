import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActor, asBearer, createActor, ctxOf, signedIn, uniqueEmail, uniqueIp } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { queuedMail } from '../../../../test/support/mail.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { accounts, auditLog, privacyRequests, staffAccessLog } from '../../../db/schema/index.ts';
import { fileRequest } from '../index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0', ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '100' } });
});
afterAll(() => t?.close());

const DAY = 86_400_000;
type Who = { bearer: string; auth?: Record<string, string>; accountId: string; email: string };
// Filing and withdrawing are for the owner signed in (an API key is refused, ADR 7).
const file = async (who: Who, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/v1/privacy/requests', headers: await signedIn(t, who), payload });
const withdrawOf = async (who: Who, id: string) =>
  t.app.inject({ method: 'POST', url: `/api/v1/privacy/requests/${id}/withdraw`, headers: await signedIn(t, who), payload: {} });
const staffMove = (who: Who, id: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/admin/privacy/requests/${id}`, headers: asActor(who as never), payload });
const byEmail = (payload: Record<string, unknown>, ip = uniqueIp()) =>
  t.app.inject({ method: 'POST', url: '/api/v1/privacy/requests/by-email', payload, remoteAddress: ip });
const verify = (token: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/privacy/requests/verify', payload: { token }, remoteAddress: uniqueIp() });

/** The token of the last privacy link e-mailed to `address`. */
async function linkTokenSentTo(address: string): Promise<string | undefined> {
  const [mail] = await queuedMail(t, { to: address, template: 'privacy_request_link' });
  return mail ? /otp_prq_[A-Za-z0-9_-]{43}/.exec(mail.bodyText)?.[0] : undefined;
}

describe('rights requests: filing signed in', () => {
  it('files a request due 30 days later (the injected clock), lists it, and refuses a second of the same type with 409', async () => {
    const customer = await createActor(t);
    const filed = await file(customer, { type: 'access', details: '  everything you hold about me  ' });
    expect(filed.statusCode).toBe(201);
    const view = filed.json();
    expect(view).toMatchObject({
      type: 'access',
      details: 'everything you hold about me',
      status: 'open',
      filedAt: t.clock.now().toISOString(),
      dueAt: new Date(t.clock.now().getTime() + 30 * DAY).toISOString(),
      daysLeft: 30,
      resolvedAt: null,
      resolution: null,
    });
    expect(view.id).toMatch(/^prq_/);

    const again = await file(customer, { type: 'access' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain(view.id);
    expect((await file(customer, { type: 'portability' })).statusCode).toBe(201);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/privacy/requests?limit=1', headers: asBearer(customer) });
    expect(list.statusCode).toBe(200);
    expect(list.json().requests.map((r: { type: string }) => r.type)).toEqual(['portability']);
    const next = await t.app.inject({
      method: 'GET',
      url: `/api/v1/privacy/requests?limit=1&cursor=${list.json().nextCursor}`,
      headers: asBearer(customer),
    });
    expect(next.json()).toMatchObject({ requests: [{ id: view.id }], nextCursor: null });

    const [audit] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'privacy_request.filed')).limit(1);
    expect(audit).toBeDefined();
  });

  it('refuses an unknown type and an over-long text, naming the field', async () => {
    const customer = await createActor(t);
    const bad = await file(customer, { type: 'delete_everything' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('type');
    expect((await file(customer, { type: 'erasure', details: 'x'.repeat(2001) })).statusCode).toBe(400);
  });

  it("shows days left counting down, and another account's request as not found", async () => {
    const customer = await createActor(t);
    const other = await createActor(t);
    const { id } = (await file(customer, { type: 'objection' })).json();
    t.clock.advance(10 * DAY + 1);
    const mine = await t.app.inject({ method: 'GET', url: `/api/v1/privacy/requests/${id}`, headers: asBearer(customer) });
    expect(mine.json().daysLeft).toBe(20);
    const theirs = await t.app.inject({ method: 'GET', url: `/api/v1/privacy/requests/${id}`, headers: asBearer(other) });
    expect(theirs.statusCode).toBe(404);
    const withdrawTheirs = await withdrawOf(other, id);
    expect(withdrawTheirs.statusCode).toBe(404);
  });

  it('lets the customer withdraw an open request, once', async () => {
    const customer = await createActor(t);
    const { id } = (await file(customer, { type: 'rectification', details: 'my e-mail is wrong' })).json();
    const withdraw = () => withdrawOf(customer, id);
    const first = await withdraw();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'withdrawn', daysLeft: 0 });
    expect((await withdraw()).statusCode).toBe(409);
    // Withdrawn: a new one of the type may be filed.
    expect((await file(customer, { type: 'rectification' })).statusCode).toBe(201);
  });
});

describe('rights requests: the staff queue', () => {
  it('lists open requests due first, flags the overdue, and moves them only as the state table allows', async () => {
    const early = await createActor(t);
    const late = await createActor(t);
    const first = (await file(early, { type: 'erasure' })).json();
    t.clock.advance(5 * DAY);
    const second = (await file(late, { type: 'access' })).json();
    t.clock.advance(26 * DAY);
    // Signed in now: a staff session ends after STAFF_SESSION_MAX_HOURS.
    const support = await createActor(t, 'support');

    const queue = await t.app.inject({ method: 'GET', url: '/api/v1/admin/privacy/requests', headers: asActor(support) });
    expect(queue.statusCode).toBe(200);
    const mine = queue.json().requests.filter((r: { id: string }) => [first.id, second.id].includes(r.id));
    expect(mine).toMatchObject([
      { id: first.id, accountId: early.accountId, overdue: true, daysLeft: -1, status: 'open' },
      { id: second.id, overdue: false, daysLeft: 4 },
    ]);
    const customerQueue = await t.app.inject({ method: 'GET', url: '/api/v1/admin/privacy/requests', headers: asBearer(early) });
    expect(customerQueue.statusCode).toBe(403);
    // The queue shows each customer's account and what they wrote: the customer sees that read.
    const accessLog = await t.app.inject({ method: 'GET', url: '/api/v1/privacy/access-log', headers: asBearer(late) });
    expect(accessLog.json().items).toContainEqual(expect.objectContaining({ what: 'privacy.requests', role: 'support' }));

    expect((await staffMove(support, first.id, { status: 'completed' })).statusCode).toBe(400);
    // Starting needs a reason too, kept in the audit row with who started it.
    const noReason = await staffMove(support, first.id, { status: 'in_progress' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.message).toMatch(/reason/);
    const started = await staffMove(support, first.id, { status: 'in_progress', reason: 'identity checked' });
    expect(started.json()).toMatchObject({ status: 'in_progress' });
    const [startedAudit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'privacy_request.started'), eq(auditLog.accountId, early.accountId)));
    expect(startedAudit).toMatchObject({ actor: support.accountId, details: expect.objectContaining({ reason: 'identity checked' }) });
    expect((await staffMove(support, first.id, { status: 'in_progress', reason: 'again' })).statusCode).toBe(409);
    const done = await staffMove(support, first.id, { status: 'completed', note: 'Your account data was erased.' });
    expect(done.json()).toMatchObject({ status: 'completed', resolution: 'Your account data was erased.', daysLeft: 0 });
    expect((await staffMove(support, first.id, { status: 'refused', note: 'too late' })).statusCode).toBe(409);
    // Completing an erasure request deleted the account: the customer's credentials ended with it.
    const seen = await t.app.inject({ method: 'GET', url: `/api/v1/privacy/requests/${first.id}`, headers: asBearer(early) });
    expect(seen.statusCode).toBe(401);
    const [row] = await t.database.db.select().from(privacyRequests).where(eq(privacyRequests.id, first.id));
    expect(row).toMatchObject({ status: 'completed', resolution: 'Your account data was erased.', handledBy: support.accountId });

    const refused = await staffMove(support, second.id, {
      status: 'refused',
      note: 'We hold nothing beyond what your account page shows.',
    });
    expect(refused.json()).toMatchObject({ status: 'refused' });
    expect((await withdrawOf(late, second.id)).statusCode).toBe(409);
    expect((await staffMove(support, 'prq_nonexistent', { status: 'in_progress', reason: 'no such' })).statusCode).toBe(404);
  });
});

describe('rights requests: restriction', () => {
  it('a completed restriction refuses orders while the customer still signs in and sees the request; lifting restores orders', async () => {
    const admin = await createActor(t, 'admin');
    const customer = await fundedActor(t, 1000);
    const { id } = (await file(customer, { type: 'restriction', details: 'I contest the accuracy of my data' })).json();
    expect((await api(t, customer).order()).statusCode).toBe(201);
    // Lifting what has not restricted anything is refused.
    const early = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/privacy/requests/${id}/lift`,
      headers: asActor(admin),
      payload: { reason: 'nothing yet' },
    });
    expect(early.statusCode).toBe(409);

    await staffMove(admin, id, { status: 'completed', note: 'Processing is restricted until you tell us otherwise.' });
    const [account] = await t.database.db.select().from(accounts).where(eq(accounts.id, customer.accountId));
    expect(account?.processingRestrictedAt).not.toBeNull();
    const refused = await api(t, customer).order();
    expect(refused.statusCode).toBe(403);
    expect(code(refused)).toBe('ACCOUNT_RESTRICTED');
    expect(refused.json().error.message).toContain('restricted at your request');
    // The data is kept and the customer still reaches it.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: asBearer(customer) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/privacy/requests/${id}`, headers: asBearer(customer) })).statusCode).toBe(
      200,
    );

    const lift = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/privacy/requests/${id}/lift`,
      headers: asActor(admin),
      payload: { reason: 'the customer asked' },
    });
    expect(lift.statusCode).toBe(204);
    expect((await api(t, customer).order()).statusCode).toBe(201);
    const actions = (await t.database.db.select().from(auditLog).where(eq(auditLog.accountId, customer.accountId))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['privacy_request.completed', 'privacy_request.restriction_lifted']));
    // Both were a staff member's actions on the customer's data: in their "Who accessed my data".
    const logged = await t.database.db.select().from(staffAccessLog).where(eq(staffAccessLog.accountId, customer.accountId));
    expect(logged.map((row) => [row.what, row.staffAccountId])).toEqual(
      expect.arrayContaining([
        ['privacy.request_handled', admin.accountId],
        ['privacy.restriction_lifted', admin.accountId],
      ]),
    );
  });
});

describe('rights requests: lost access (e-mailed link)', () => {
  it("keeps a staff member's requests to admins: support neither lists them nor moves them, nor lifts their restriction", async () => {
    const support = await createActor(t, 'support');
    const colleague = await createActor(t, 'support');
    const admin = await createActor(t, 'admin');
    // Staff sign in with a second factor: their request filed as the route files it.
    const filed = await fileRequest(ctxOf(t), { accountId: colleague.accountId, type: 'restriction', details: 'my home address is wrong' });
    const queue = async (who: Who) =>
      (
        (await t.app.inject({ method: 'GET', url: '/api/v1/admin/privacy/requests', headers: asActor(who as never) })).json().requests as {
          id: string;
        }[]
      ).map((r) => r.id);
    expect(await queue(support)).not.toContain(filed.id);
    expect(await queue(admin)).toContain(filed.id);
    const refused = await staffMove(support, filed.id, { status: 'completed', note: 'Restricted.' });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await staffMove(admin, filed.id, { status: 'completed', note: 'Restricted.' })).statusCode).toBe(200);
    const lift = (who: Who) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/privacy/requests/${filed.id}/lift`,
        headers: asActor(who as never),
        payload: { reason: 'asked' },
      });
    expect((await lift(support)).statusCode).toBe(403);
    expect((await lift(admin)).statusCode).toBe(204);
    // Nobody answers their own request; the queue takes no filter it would ignore.
    const own = await fileRequest(ctxOf(t), { accountId: admin.accountId, type: 'objection' });
    const self = await staffMove(admin, own.id, { status: 'completed', note: 'Mine.' });
    expect([self.statusCode, self.json().error.code]).toEqual([409, 'CONFLICT']);
    const filtered = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/privacy/requests?status=open',
      headers: asActor(admin as never),
    });
    expect(filtered.statusCode).toBe(400);
  });

  it('answers unknown and known addresses the same way, and e-mails a link only to an account', async () => {
    const customer = await createActor(t);
    const unknown = uniqueEmail('nobody');
    const known = await byEmail({ email: customer.email, type: 'erasure', details: 'I lost my password' });
    const none = await byEmail({ email: unknown, type: 'erasure' });
    expect(known.statusCode).toBe(202);
    expect(none.statusCode).toBe(202);
    expect(none.body).toBe(known.body);
    expect(await linkTokenSentTo(unknown)).toBeUndefined();
    const token = await linkTokenSentTo(customer.email);
    expect(token).toBeDefined();
    // Not in the queue, not the customer's open request, until verified.
    const rows = await t.database.db.select().from(privacyRequests).where(eq(privacyRequests.accountId, customer.accountId));
    expect(rows).toMatchObject([{ status: 'unverified', details: 'I lost my password' }]);
    expect(rows[0]?.tokenHash).not.toContain(token);

    const verified = await verify(token as string);
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ status: 'open', type: 'erasure', daysLeft: 30 });
    // Single use.
    const reused = await verify(token as string);
    expect(reused.statusCode).toBe(400);
    expect(code(reused)).toBe('INVALID_TOKEN');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/privacy/requests', headers: asBearer(customer) });
    expect(list.json().requests).toMatchObject([{ status: 'open', type: 'erasure' }]);
  });

  it('refuses an expired link, and keeps the due date from the filing', async () => {
    const customer = await createActor(t);
    await byEmail({ email: customer.email, type: 'portability' });
    const token = (await linkTokenSentTo(customer.email)) as string;
    t.clock.advance(24 * 3_600_000 + 1);
    expect(code(await verify(token))).toBe('INVALID_TOKEN');

    await byEmail({ email: customer.email, type: 'portability' });
    const third = (await linkTokenSentTo(customer.email)) as string;
    expect(third).not.toBe(token);
    t.clock.advance(23 * 3_600_000);
    const verified = await verify(third);
    // Received 23 hours ago: the 30 days run from then.
    expect(verified.json()).toMatchObject({ status: 'open', daysLeft: 30 });
    expect(new Date(verified.json().dueAt).getTime() - new Date(verified.json().filedAt).getTime()).toBe(30 * DAY);
  });

  it('sends no more than three pending links per account, and rate-limits a network', async () => {
    const customer = await createActor(t);
    const ip = uniqueIp();
    for (const type of ['access', 'erasure', 'objection', 'portability'])
      expect((await byEmail({ email: customer.email, type }, ip)).statusCode).toBe(202);
    const mails = await queuedMail(t, { to: customer.email });
    expect(mails.filter((m) => m.template === 'privacy_request_link')).toHaveLength(3);
    expect((await byEmail({ email: customer.email, type: 'access' }, ip)).statusCode).toBe(202);
    const limited = await byEmail({ email: customer.email, type: 'access' }, ip);
    expect(limited.statusCode).toBe(429);
  });

  it('refuses a malformed token without looking it up', async () => {
    expect(code(await verify('otp_prq_short-and-wrong'))).toBe('INVALID_TOKEN');
  });
});
