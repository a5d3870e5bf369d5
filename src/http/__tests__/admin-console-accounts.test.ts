import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor, ctxOf, signUp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { auditLog, ledgerAccounts } from '../../db/schema/index.ts';
import { verifyLedger } from '../../modules/ledger/index.ts';

let t: TestApp;
let admin: Actor;
let support: Actor;
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0', ORDER_RATE_LIMIT: '0' } });
  admin = await createActor(t, 'admin');
  support = await createActor(t, 'support');
});
afterAll(() => t?.close());

const get = (who: Actor, url: string) => t.app.inject({ method: 'GET', url, headers: asActor(who) });
const post = (who: Actor, url: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: asActor(who), payload });
/** What the customer sees under "Who accessed my data". */
const staffHeld = async (accountId: string) => {
  const [wallet] = await t.database.db
    .select({ at: ledgerAccounts.staffHeldAt, restrictedAt: ledgerAccounts.restrictedAt })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.ownerAccountId, accountId), eq(ledgerAccounts.purse, 'credits')));
  return wallet?.at != null && wallet.restrictedAt != null;
};
const accessLog = async (customer: Actor) =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/privacy/access-log', headers: { authorization: customer.bearer } })).json().items as {
    what: string;
    reason: string | null;
    role: string;
  }[];

describe('finding an account', () => {
  it('refuses a read reason with control characters or bidirectional overrides: the customer reads it in their access log', async () => {
    const customer = await signUp(t);
    const url = `/api/v1/admin/accounts/${customer.accountId}`;
    for (const reason of ['\u001b[31mred', 'line1\nline2', '\u202eevil']) {
      const byQuery = await get(support, `${url}?reason=${encodeURIComponent(reason)}`);
      expect([reason, byQuery.statusCode, byQuery.json().error?.code]).toEqual([reason, 400, 'VALIDATION_FAILED']);
    }
    // A header is read as Latin-1: UTF-8 bytes of an override arrive as C1 controls, refused too.
    const byHeader = await t.app.inject({
      method: 'GET',
      url,
      headers: { ...asActor(support), 'x-access-reason': Buffer.from('\u202eevil', 'utf8').toString('latin1') },
    });
    expect(byHeader.statusCode).toBe(400);
    expect((await get(support, `${url}?reason=${encodeURIComponent('ticket 4711')}`)).statusCode).toBe(200);
  });

  it('by e-mail, account id, order id and rented number, each found account logged as a staff read', async () => {
    const customer = await fundedActor(t, 1000);
    const order = (await api(t, customer).order()).json();
    expect(order.phone).toMatch(/^\+/);
    const spaced = `${order.phone.slice(0, 4)} ${order.phone.slice(4)}`;
    for (const [q, by] of [
      [customer.email.toUpperCase(), 'email'],
      [customer.accountId, 'account_id'],
      [order.id, 'order_id'],
      [spaced, 'number'],
    ] as const) {
      const found = await get(support, `/api/v1/admin/accounts?q=${encodeURIComponent(q)}`);
      expect(found.statusCode, q).toBe(200);
      expect(found.json(), q).toMatchObject({ by, accounts: [{ id: customer.accountId, email: customer.email, role: 'customer' }] });
    }
    const nothing = await get(support, '/api/v1/admin/accounts?q=nobody-here%40example.com');
    expect(nothing.json()).toEqual({ by: 'email', accounts: [] });
    expect((await accessLog(customer)).filter((entry) => entry.what === 'account.search')).toHaveLength(4);
  });

  it("shows an account's activity: balance, statement, orders with the number, sessions, events; logged with the reason", async () => {
    const customer = await fundedActor(t, 300);
    const order = (await api(t, customer).order()).json();
    await signUp(t); // another account's data never shows
    const activity = await t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/accounts/${customer.accountId}/activity`,
      headers: { ...asActor(support), 'x-access-reason': 'ticket 12: order help' },
    });
    expect(activity.statusCode).toBe(200);
    const body = activity.json();
    expect(body.balance.available + body.balance.held).toBe(300);
    expect(body.statement.length).toBeGreaterThanOrEqual(2);
    expect(body.orders).toMatchObject([{ id: order.id, phone: order.phone, status: 'waiting' }]);
    expect(JSON.stringify(body.orders)).not.toContain('sms');
    expect(body.securityEvents.map((event: { type: string }) => event.type)).toContain('signup');
    expect(body.sessions.length).toBeGreaterThanOrEqual(1);
    expect(await accessLog(customer)).toContainEqual(
      expect.objectContaining({ what: 'account.activity', reason: 'ticket 12: order help' }),
    );
  });
});

describe('staff actions', () => {
  it('grants credits with a required reason: audited, on the statement and shown to the customer', async () => {
    const customer = await createActor(t);
    const url = `/api/v1/admin/accounts/${customer.accountId}/credits`;
    const noReason = await post(admin, url, { amount: 50 });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.message).toMatch(/reason/);
    // A reason must say something: not blanks, not zero-width characters, not an escape sequence.
    for (const reason of [
      '     ',
      '\u200b\u200b\u200b\u200b',
      '\u2060\u200b\ufeff',
      'why\u001b[2J',
      '\u2800\u2800\u2800',
      '\u3164\uffa0\u115f\u1160',
    ]) {
      const blank = await post(admin, url, { amount: 50, reason });
      expect(blank.statusCode, JSON.stringify(reason)).toBe(400);
      expect(blank.json().error.message).toMatch(/body\.reason/);
    }
    const granted = await post(admin, url, { amount: 250, reason: 'goodwill after outage' });
    expect(granted.statusCode).toBe(201);
    expect(await api(t, customer).balance()).toEqual({ available: 250, held: 0 });
    // One staff action, one audit row: who, when, why and the transfer it made (not the ledger's own row as well).
    const audits = await t.database.db.select().from(auditLog).where(eq(auditLog.accountId, customer.accountId));
    expect(audits).toEqual([
      expect.objectContaining({
        actor: admin.accountId,
        action: 'console.credits_grant',
        details: expect.objectContaining({
          reason: 'goodwill after outage',
          amount: 250,
          role: 'admin',
          transferId: granted.json().transferId,
        }),
      }),
    ]);
    expect(await accessLog(customer)).toContainEqual(
      expect.objectContaining({ what: 'action.credits_granted', reason: 'goodwill after outage', role: 'admin' }),
    );
    const activity = (await get(admin, `/api/v1/admin/accounts/${customer.accountId}/activity`)).json();
    expect(activity.statement[0]).toMatchObject({ kind: 'grant', reason: 'Credits from the operator: goodwill after outage' });
    expect(activity.staffActions[0]).toMatchObject({
      actor: admin.accountId,
      action: 'console.credits_grant',
      reason: 'goodwill after outage',
    });
  });

  it('takes credits back (admins only), never more than available: audited, on the statement and shown to the customer', async () => {
    const customer = await createActor(t);
    await post(admin, `/api/v1/admin/accounts/${customer.accountId}/credits`, { amount: 100, reason: 'a grant made twice' });
    const url = `/api/v1/admin/accounts/${customer.accountId}/credits/deduct`;
    expect((await post(support, url, { amount: 10, reason: 'support tries' })).statusCode).toBe(403);
    expect((await post(admin, url, { amount: 10 })).statusCode).toBe(400);
    const tooMuch = await post(admin, url, { amount: 101, reason: 'more than there is' });
    expect([tooMuch.statusCode, tooMuch.json().error.code]).toEqual([402, 'INSUFFICIENT_CREDITS']);
    expect(await api(t, customer).balance()).toEqual({ available: 100, held: 0 });

    const taken = await post(admin, url, { amount: 60, reason: 'the second grant was a mistake' });
    expect(taken.statusCode).toBe(201);
    expect(taken.json()).toMatchObject({ amount: 60 });
    expect(await api(t, customer).balance()).toEqual({ available: 40, held: 0 });
    const audits = await t.database.db.select().from(auditLog).where(eq(auditLog.accountId, customer.accountId));
    expect(audits.map((row) => row.action).sort()).toEqual(['console.credits_deduct', 'console.credits_grant']);
    expect(audits.find((row) => row.action === 'console.credits_deduct')).toMatchObject({
      actor: admin.accountId,
      details: { reason: 'the second grant was a mistake', amount: 60, transferId: taken.json().transferId },
    });
    expect(await accessLog(customer)).toContainEqual(
      expect.objectContaining({ what: 'action.credits_deducted', reason: 'the second grant was a mistake', role: 'admin' }),
    );
    const activity = (await get(admin, `/api/v1/admin/accounts/${customer.accountId}/activity`)).json();
    expect(activity.statement[0]).toMatchObject({ reason: 'Credits taken back by the operator: the second grant was a mistake' });
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });

  it('a grant or a deduction retried with its Idempotency-Key moves the credits once, recorded once', async () => {
    const customer = await createActor(t);
    const grant = `/api/v1/admin/accounts/${customer.accountId}/credits`;
    const keyed = (who: Actor, url: string, key: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url, headers: { ...asActor(who), 'idempotency-key': key }, payload });
    // A double click: the same form sent twice at once, and once more after.
    const [first, second] = await Promise.all([
      keyed(admin, grant, 'form-1', { amount: 100, reason: 'ticket 77 goodwill' }),
      keyed(admin, grant, 'form-1', { amount: 100, reason: 'ticket 77 goodwill' }),
    ]);
    const third = await keyed(admin, grant, 'form-1', { amount: 100, reason: 'ticket 77 goodwill' });
    for (const response of [first, second, third]) expect(response.statusCode, response.body).toBe(201);
    expect(new Set([first, second, third].map((r) => r.json().transferId)).size).toBe(1);
    expect([first, second, third].filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    expect(await api(t, customer).balance()).toEqual({ available: 100, held: 0 });
    // The same key for another amount is another request: refused, nothing moved.
    const other = await keyed(admin, grant, 'form-1', { amount: 5, reason: 'ticket 77 goodwill' });
    expect([other.statusCode, other.json().error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    // In the words of the key the console sent, not the ledger's own key.
    expect(other.json().error.message).toBe(
      'This Idempotency-Key was already used for a grant of another amount. Use a new key for a new grant.',
    );
    // A new form is a new grant; the same key on another account is that account's own.
    expect((await keyed(admin, grant, 'form-2', { amount: 100, reason: 'second goodwill' })).statusCode).toBe(201);
    const elsewhere = await createActor(t);
    expect(
      (await keyed(admin, `/api/v1/admin/accounts/${elsewhere.accountId}/credits`, 'form-1', { amount: 7, reason: 'x y z' })).statusCode,
    ).toBe(201);
    expect(await api(t, elsewhere).balance()).toEqual({ available: 7, held: 0 });
    // Another staff member's key is not theirs to replay: the same key from support is support's own grant.
    const bySupport = await keyed(support, `/api/v1/admin/accounts/${elsewhere.accountId}/credits`, 'form-1', {
      amount: 7,
      reason: 'x y z',
    });
    expect(bySupport.statusCode).toBe(201);
    expect(bySupport.headers['idempotent-replayed']).toBeUndefined();
    expect(await api(t, elsewhere).balance()).toEqual({ available: 14, held: 0 });

    const deduct = `/api/v1/admin/accounts/${customer.accountId}/credits/deduct`;
    const taken = await Promise.all([1, 2].map(() => keyed(admin, deduct, 'take-1', { amount: 30, reason: 'a correction' })));
    expect(taken.map((r) => r.statusCode)).toEqual([201, 201]);
    expect(await api(t, customer).balance()).toEqual({ available: 170, held: 0 });
    // One audit row and one line under "Who accessed my data" per action, not per request.
    const audits = await t.database.db.select().from(auditLog).where(eq(auditLog.accountId, customer.accountId));
    expect(audits.map((row) => row.action).sort()).toEqual(['console.credits_deduct', 'console.credits_grant', 'console.credits_grant']);
    expect((await accessLog(customer)).filter((row) => row.what.startsWith('action.credits'))).toHaveLength(3);
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });

  it("keeps a staff account's sessions and sign-in events from support: admins read them", async () => {
    const refused = await get(support, `/api/v1/admin/accounts/${admin.accountId}/activity`);
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const otherSupport = await createActor(t, 'support');
    expect((await get(support, `/api/v1/admin/accounts/${otherSupport.accountId}/activity`)).statusCode).toBe(403);
    const read = await get(admin, `/api/v1/admin/accounts/${otherSupport.accountId}/activity`);
    expect(read.statusCode).toBe(200);
    expect(read.json().sessions.length).toBeGreaterThan(0);
    // A customer's activity stays readable by support.
    const customer = await createActor(t);
    expect((await get(support, `/api/v1/admin/accounts/${customer.accountId}/activity`)).statusCode).toBe(200);
  });

  it("keeps a staff account's profile, orders and payments from support, and staff out of support's searches", async () => {
    const refusals = [
      await get(support, `/api/v1/admin/accounts/${admin.accountId}`),
      await get(support, `/api/v1/admin/orders?account=${admin.accountId}`),
      await get(support, `/api/v1/admin/payments?accountId=${admin.accountId}`),
    ];
    expect(refusals.map((answer) => [answer.statusCode, answer.json().error.code])).toEqual(Array(3).fill([403, 'FORBIDDEN']));
    const bySupport = await get(support, `/api/v1/admin/accounts?q=${encodeURIComponent(admin.email)}`);
    expect(bySupport.json().accounts).toEqual([]);
    const byAdmin = await get(admin, `/api/v1/admin/accounts?q=${encodeURIComponent(admin.email)}`);
    expect(byAdmin.json().accounts.map((account: { id: string }) => account.id)).toEqual([admin.accountId]);
    expect((await get(admin, `/api/v1/admin/accounts/${support.accountId}`)).statusCode).toBe(200);
    // A customer stays readable by support, by each of these.
    const customer = await createActor(t);
    for (const url of [
      `/api/v1/admin/accounts/${customer.accountId}`,
      `/api/v1/admin/orders?account=${customer.accountId}`,
      `/api/v1/admin/payments?accountId=${customer.accountId}`,
      `/api/v1/admin/accounts?q=${encodeURIComponent(customer.email)}`,
    ]) {
      expect((await get(support, url)).statusCode, url).toBe(200);
    }
  });

  it("leaves a staff account's orders and payments out of support's lists, and refuses them by id", async () => {
    const { createPayment, packageOnSale, addPackage } = await import('../../modules/payments/index.ts');
    const becomesStaff = await fundedActor(t, 1000);
    const order = (await api(t, becomesStaff).order()).json() as { id: string };
    await addPackage(ctxOf(t, 'cli'), { code: 'staff-read-pack', credits: 100, priceMinor: 500, currency: 'USD' });
    const pkg = await packageOnSale(t.database.db, 'staff-read-pack');
    const { payment } = await createPayment(ctxOf(t), { accountId: becomesStaff.accountId, pkg, method: 'card', processor: 'stripe' });
    expect(
      (await post(admin, `/api/v1/admin/accounts/${becomesStaff.accountId}/role`, { role: 'support', reason: 'joins the team' }))
        .statusCode,
    ).toBe(200);

    for (const url of [`/api/v1/admin/orders/${order.id}`, `/api/v1/admin/payments/${payment.id}`]) {
      const refused = await get(support, url);
      expect([refused.statusCode, refused.json().error.code], url).toEqual([403, 'FORBIDDEN']);
      expect((await get(admin, url)).statusCode, url).toBe(200);
    }
    const ids = async (who: Actor, url: string) => ((await get(who, url)).json().items as { id: string }[]).map((item) => item.id);
    expect(await ids(support, '/api/v1/admin/orders?limit=100')).not.toContain(order.id);
    expect(await ids(support, `/api/v1/admin/orders?q=${order.id}`)).toEqual([]);
    expect(await ids(support, '/api/v1/admin/payments?limit=200')).not.toContain(payment.id);
    expect(await ids(admin, '/api/v1/admin/orders?limit=100')).toContain(order.id);
    expect(await ids(admin, '/api/v1/admin/payments?limit=200')).toContain(payment.id);
  });

  it('lets support grant up to the limit an admin sets, and only admins set it', async () => {
    const customer = await createActor(t);
    const url = `/api/v1/admin/accounts/${customer.accountId}/credits`;
    expect((await get(support, '/api/v1/admin/settings/support-grant-limit')).json()).toEqual({ credits: 500, perDay: 2000 });
    const over = await post(support, url, { amount: 501, reason: 'too generous' });
    expect(over.statusCode).toBe(403);
    expect(over.json().error.code).toBe('FORBIDDEN');
    expect((await post(support, '/api/v1/admin/settings/support-grant-limit', { credits: 10_000, reason: 'me' })).statusCode).toBe(403);
    expect(
      (await post(admin, '/api/v1/admin/settings/support-grant-limit', { credits: 20, reason: 'tighter after abuse' })).statusCode,
    ).toBe(200);
    expect((await post(support, url, { amount: 21, reason: 'refund' })).statusCode).toBe(403);
    expect((await post(support, url, { amount: 20, reason: 'refund' })).statusCode).toBe(201);
    expect((await post(admin, url, { amount: 5000, reason: 'partner deal' })).statusCode).toBe(201);
    await post(admin, '/api/v1/admin/settings/support-grant-limit', { credits: 500, reason: 'back to the default' });
  });

  it('limits what each support member grants over 24 hours, not only per grant: six grants of 500 do not all pass', async () => {
    const member = await createActor(t, 'support');
    const colleague = await createActor(t, 'support');
    const customer = await createActor(t);
    const url = `/api/v1/admin/accounts/${customer.accountId}/credits`;
    const grant = (who: Actor, key?: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { ...asActor(who), 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        payload: { amount: 500, reason: 'goodwill' },
      });
    for (let i = 0; i < 4; i++) expect((await grant(member, `day-${i}`)).statusCode).toBe(201);
    const fifth = await grant(member);
    expect(fifth.statusCode).toBe(403);
    expect(fifth.json().error).toMatchObject({ code: 'FORBIDDEN', details: { limit: 2000, granted: 2000 } });
    // A retry of a grant already made answers it, as before; the refusal moved nothing.
    expect((await grant(member, 'day-3')).statusCode).toBe(201);
    expect(await api(t, customer).balance()).toEqual({ available: 2000, held: 0 });
    // Each member counts apart; a day later the member may grant again; an admin sets the daily limit.
    expect((await grant(colleague)).statusCode).toBe(201);
    // A day later (the grants' audit rows moved back, not the clock: staff sessions last 8 hours).
    await t.database.db
      .update(auditLog)
      .set({ occurredAt: new Date(t.clock.now().getTime() - 86_400_000 - 1_000) })
      .where(eq(auditLog.actor, member.accountId));
    expect((await grant(member)).statusCode).toBe(201);
    const set = await post(admin, '/api/v1/admin/settings/support-grant-limit', { credits: 500, perDay: 600, reason: 'abuse seen' });
    expect(set.json()).toEqual({ credits: 500, perDay: 600 });
    expect((await grant(member)).statusCode).toBe(403);
    await post(admin, '/api/v1/admin/settings/support-grant-limit', { credits: 500, perDay: 2000, reason: 'back to the default' });
  });

  it.skipIf(!onPostgres())('six grants of 500 sent at once by one support member: four pass, to the credit (PostgreSQL)', async () => {
    const member = await createActor(t, 'support');
    const customer = await createActor(t);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/admin/accounts/${customer.accountId}/credits`,
          headers: { ...asActor(member), 'content-type': 'application/json' },
          payload: { amount: 500, reason: 'goodwill' },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 201, 201, 201, 403, 403]);
    expect(await api(t, customer).balance()).toEqual({ available: 2000, held: 0 });
  });

  it('suspends and unsuspends, restricts and lifts, ends sessions: each with its reason; never on oneself', async () => {
    const customer = await signUp(t);
    const base = `/api/v1/admin/accounts/${customer.accountId}`;
    expect((await post(support, `${base}/end-sessions`, { reason: 'stolen laptop' })).json()).toEqual({ ended: 1 });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: customer.cookie } })).statusCode).toBe(401);

    expect((await post(support, `${base}/restrict`, { reason: 'card dispute opened' })).statusCode).toBe(204);
    // A staff hold: what payments decide never lifts it (ADR 23), only an admin.
    expect(await staffHeld(customer.accountId)).toBe(true);
    expect((await post(support, `${base}/lift-restriction`, { reason: 'won' })).json().error.code).toBe('FORBIDDEN');
    expect((await post(admin, `${base}/lift-restriction`, { reason: 'dispute won' })).statusCode).toBe(204);
    expect(await staffHeld(customer.accountId)).toBe(false);

    expect((await post(support, `${base}/suspend`, { reason: 'fraud ring' })).statusCode).toBe(204);
    // Suspending again would rewrite the decision's reason: refused, the first stands.
    expect((await post(support, `${base}/suspend`, { reason: 'another story' })).json().error.code).toBe('CONFLICT');
    expect((await get(admin, base)).json().suspendedReason).toBe('fraud ring');
    // Support suspends; lifting a suspension is an admin's (support undoing an admin's decision was a probe's finding).
    expect((await post(support, `${base}/unsuspend`, { reason: 'cleared' })).json().error.code).toBe('FORBIDDEN');
    expect((await post(admin, `${base}/unsuspend`, {})).statusCode).toBe(400);
    expect((await post(admin, `${base}/unsuspend`, { reason: 'cleared' })).statusCode).toBe(204);

    const actions = await t.database.db.select().from(auditLog).where(eq(auditLog.accountId, customer.accountId));
    expect(actions.filter((row) => row.actor === support.accountId || row.actor === admin.accountId).map((row) => row.action)).toEqual(
      expect.arrayContaining([
        'account.end_sessions',
        'account.restrict',
        'account.lift_restriction',
        'account.suspend',
        'account.unsuspend',
      ]),
    );
    const log = await t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/accounts/${customer.accountId}/activity`,
      headers: asActor(admin),
    });
    const whats = (log.json().staffActions as { action: string; reason: string | null }[]).map((row) => [row.action, row.reason]);
    expect(whats).toContainEqual(['account.suspend', 'fraud ring']);

    const self = await post(support, `/api/v1/admin/accounts/${support.accountId}/credits`, { amount: 5, reason: 'treat myself' });
    expect(self.json().error.code).toBe('CONFLICT');
  });

  it('keeps support staff to customers: they cannot suspend, restrict, sign out or fund an admin or another support member', async () => {
    const colleague = await createActor(t, 'support');
    for (const target of [admin, colleague]) {
      const base = `/api/v1/admin/accounts/${target.accountId}`;
      for (const [verb, body] of [
        ['suspend', { reason: 'take over' }],
        ['unsuspend', { reason: 'take over' }],
        ['restrict', { reason: 'take over' }],
        ['end-sessions', { reason: 'take over' }],
        ['credits', { amount: 5, reason: 'a friend' }],
      ] as const) {
        const answer = await post(support, `${base}/${verb}`, body);
        expect([verb, answer.statusCode, answer.json().error.code]).toEqual([verb, 403, 'FORBIDDEN']);
      }
      expect((await get(admin, `/api/v1/admin/accounts/${target.accountId}`)).json().status).toBe('active');
    }
    // The admin still can: suspending a support member and lifting it again.
    const base = `/api/v1/admin/accounts/${colleague.accountId}`;
    expect((await post(admin, `${base}/suspend`, { reason: 'left the company' })).statusCode).toBe(204);
    expect((await post(admin, `${base}/unsuspend`, { reason: 'came back' })).statusCode).toBe(204);
    const refused = await t.database.db.select().from(auditLog).where(eq(auditLog.actor, support.accountId));
    expect(refused.map((row) => row.accountId)).not.toContain(colleague.accountId);
  });

  it('changes roles (admins only) with a reason; the new staff member must enrol before acting', async () => {
    const customer = await signUp(t);
    const url = `/api/v1/admin/accounts/${customer.accountId}/role`;
    expect((await post(support, url, { role: 'support', reason: 'joins' })).json().error.code).toBe('FORBIDDEN');
    expect((await post(admin, url, { role: 'support' })).statusCode).toBe(400);
    expect((await post(admin, url, { role: 'support', reason: 'joins the support team' })).json()).toEqual({
      from: 'customer',
      to: 'support',
    });
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: customer.email, password: customer.password },
    });
    expect(login.json().error.code).toBe('TWO_FACTOR_REQUIRED');
  });
});
