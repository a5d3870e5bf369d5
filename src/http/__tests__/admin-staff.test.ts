import { verify } from '@node-rs/argon2';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  asActor,
  createActor,
  GOOD_PASSWORD,
  staffSignIn,
  totpCode,
  uniqueEmail,
  uniqueIp,
} from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { accounts, auditLog, staffFactors } from '../../db/schema/index.ts';

let t: TestApp;
let admin: Actor;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createActor(t, 'admin');
});
afterAll(() => t?.close());

const get = (url: string, actor: Actor) => t.app.inject({ method: 'GET', url, headers: asActor(actor) });
const post = (url: string, actor: Actor, body: unknown) =>
  t.app.inject({ method: 'POST', url, headers: { ...asActor(actor), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const auditOf = (action: string, accountId: string) =>
  t.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.accountId, accountId)));
type Member = { id: string; email: string; twoFactor: boolean; enrolmentPendingUntil: string | null; lastSignInAt: string | null };
const memberOf = async (id: string) => ((await get('/api/v1/admin/staff', admin)).json().staff as Member[]).find((m) => m.id === id);

/** Enrol through the link as its page does: read the secret, confirm the authenticator's code. */
/**
 * Enrol through the link as its page does. `newPassword`: the member's own, which the enrolment must ask
 * for (the account was made on the console); without it, the enrolment must not ask.
 */
async function enrolThrough(url: string, newPassword?: string): Promise<string> {
  const token = new URL(url).hash.replace('#token=', '');
  const send = (path: string, payload: unknown) =>
    t.app.inject({ method: 'POST', url: `/api/v1${path}`, payload: payload as Record<string, string>, remoteAddress: uniqueIp() });
  const read = await send('/auth/enrol', { token });
  expect(read.statusCode, read.body).toBe(200);
  const { secret, newPasswordRequired } = read.json();
  expect(newPasswordRequired).toBe(newPassword !== undefined);
  const confirmed = await send('/auth/enrol/confirm', { token, code: totpCode(secret, t.clock.now()), newPassword });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return secret;
}

describe('admin staff API', () => {
  it('creates a staff account with a reason; the link is answered once and enrols the authenticator; audited once', async () => {
    const email = uniqueEmail('new-support');
    // A password, which this operation once took, is ignored: no one but the member ever chooses it.
    const body = { email, role: 'support', password: GOOD_PASSWORD };
    expect((await post('/api/v1/admin/staff', admin, body)).statusCode).toBe(400);
    const created = await post('/api/v1/admin/staff', admin, { ...body, reason: 'new hire: ticket desk' });
    expect(created.statusCode, created.body).toBe(201);
    const { accountId, enrolment } = created.json();
    expect(enrolment.url).toMatch(/\/admin\/enrol#token=otp_enr_/);
    expect(await auditOf('staff.create', accountId)).toEqual([
      expect.objectContaining({
        actor: admin.accountId,
        details: expect.objectContaining({ role: 'support', reason: 'new hire: ticket desk' }),
      }),
    ]);
    // Listed without a factor, its link pending; never with the link itself.
    const listed = await get('/api/v1/admin/staff', admin);
    expect(listed.body).not.toContain('otp_enr_');
    expect(await memberOf(accountId)).toMatchObject({ email, role: 'support', twoFactor: false, lastSignInAt: null });
    expect((await memberOf(accountId))?.enrolmentPendingUntil).toBeTruthy();

    const [stored] = await t.database.db.select({ hash: accounts.passwordHash }).from(accounts).where(eq(accounts.id, accountId));
    expect(stored?.hash).toMatch(/^\$argon2id\$/);
    expect(await verify(stored?.hash ?? '', GOOD_PASSWORD)).toBe(false);
    // The account has no password anyone knows: the enrolment asks for the member's own, and refuses none
    // and a weak one — each without using up the link or counting as a wrong code. Before enrolling, the
    // account signs in with nothing, the password sent above included.
    const token = new URL(enrolment.url).hash.replace('#token=', '');
    const { secret: shown } = (await post('/api/v1/auth/enrol', admin, { token })).json();
    for (const [newPassword, status, code] of [
      [undefined, 400, 'VALIDATION_FAILED'],
      ['short', 422, 'WEAK_PASSWORD'],
    ] as const) {
      const refused = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/enrol/confirm',
        payload: { token, code: totpCode(shown, t.clock.now()), ...(newPassword ? { newPassword } : {}) },
        remoteAddress: uniqueIp(),
      });
      expect(`${refused.statusCode} ${refused.json().error.code}`, String(newPassword)).toBe(`${status} ${code}`);
      if (newPassword === undefined)
        expect(refused.json().error.details.issues).toEqual([expect.objectContaining({ field: 'body.newPassword' })]);
    }
    const own = 'my own staff passphrase 2031';
    const secret = await enrolThrough(enrolment.url, own);
    expect(secret).toBe(shown);
    await expect(staffSignIn(t, email, secret)).rejects.toThrow(/staff login failed/);
    await staffSignIn(t, email, secret, own);
    const member = await memberOf(accountId);
    expect(member).toMatchObject({ twoFactor: true, enrolmentPendingUntil: null });
    expect(member?.lastSignInAt).toBeTruthy();
  });

  it('refuses an address that has an account, and support staff', async () => {
    const customer = await createActor(t);
    const taken = await post('/api/v1/admin/staff', admin, {
      email: customer.email,
      role: 'admin',
      password: GOOD_PASSWORD,
      reason: 'test',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.message).toMatch(/already has an account: find it under Accounts/);
    const support = await createActor(t, 'support');
    const bySupport = await post('/api/v1/admin/staff', support, {
      email: uniqueEmail(),
      role: 'admin',
      password: GOOD_PASSWORD,
      reason: 'x'.repeat(5),
    });
    expect(bySupport.statusCode).toBe(403);
    expect((await get('/api/v1/admin/staff', support)).statusCode).toBe(403);
  });

  it('resets a second factor with a reason: their sessions end, a new link enrols again; one audit row; never one’s own', async () => {
    const support = await createActor(t, 'support');
    expect((await get('/api/v1/admin/settings/support-grant-limit', support)).statusCode).toBe(200);
    const url = `/api/v1/admin/staff/${support.accountId}/reset-second-factor`;
    expect((await post(url, admin, {})).statusCode).toBe(400);
    const reset = await post(url, admin, { reason: 'lost phone' });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json().enrolment.url).toMatch(/#token=otp_enr_/);
    expect((await get('/api/v1/admin/settings/support-grant-limit', support)).statusCode).toBe(401);
    expect(await memberOf(support.accountId)).toMatchObject({ twoFactor: false });
    expect(await auditOf('staff.two_factor_reset', support.accountId)).toEqual([
      expect.objectContaining({ actor: admin.accountId, details: expect.objectContaining({ hadFactor: true, reason: 'lost phone' }) }),
    ]);
    const secret = await enrolThrough(reset.json().enrolment.url);
    await staffSignIn(t, support.email, secret);
    expect(await memberOf(support.accountId)).toMatchObject({ twoFactor: true });

    const self = await post(`/api/v1/admin/staff/${admin.accountId}/reset-second-factor`, admin, { reason: 'mine' });
    expect(self.statusCode).toBe(409);
    expect(self.json().error.message).toMatch(/your own second factor/);
    const customer = await createActor(t);
    expect((await post(`/api/v1/admin/staff/${customer.accountId}/reset-second-factor`, admin, { reason: 'not staff' })).statusCode).toBe(
      409,
    );
    expect((await post('/api/v1/admin/staff/acc_nobody/reset-second-factor', admin, { reason: 'nobody' })).statusCode).toBe(404);
  });

  it('a staff member made a customer loses the second factor: promoted again, they enrol anew', async () => {
    const support = await createActor(t, 'support');
    expect(await memberOf(support.accountId)).toMatchObject({ twoFactor: true });
    const role = (to: string) => post(`/api/v1/admin/accounts/${support.accountId}/role`, admin, { role: to, reason: 'moving team' });
    expect((await role('customer')).statusCode).toBe(200);
    expect(await t.database.db.select().from(staffFactors).where(eq(staffFactors.accountId, support.accountId))).toEqual([]);
    expect((await role('support')).statusCode).toBe(200);
    expect(await memberOf(support.accountId)).toMatchObject({ twoFactor: false });
  });

  it('never resets, demotes or suspends the last admin with a second factor', async () => {
    const other = await createActor(t, 'admin');
    const support = await createActor(t, 'support');
    // Every admin's factor gone but `other`'s (as if reset on the server while this session lasted).
    for (const row of await t.database.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.role, 'admin')))
      if (row.id !== other.accountId) await t.database.db.delete(staffFactors).where(eq(staffFactors.accountId, row.id));

    const reset = await post(`/api/v1/admin/staff/${other.accountId}/reset-second-factor`, admin, { reason: 'lost phone' });
    expect(reset.statusCode).toBe(409);
    expect(reset.json().error.message).toMatch(/last admin with a second factor/);
    const demote = await post(`/api/v1/admin/accounts/${other.accountId}/role`, admin, { role: 'support', reason: 'moving team' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.message).toMatch(/last admin with a second factor/);
    // Support staff may not suspend an admin at all (403); another admin is stopped by this rule.
    expect((await post(`/api/v1/admin/accounts/${other.accountId}/suspend`, support, { reason: 'suspicious' })).statusCode).toBe(403);
    const suspend = await post(`/api/v1/admin/accounts/${other.accountId}/suspend`, admin, { reason: 'suspicious' });
    expect(suspend.statusCode).toBe(409);
    expect(suspend.json().error.message).toMatch(/last admin with a second factor/);
    expect(await auditOf('staff.two_factor_reset', other.accountId)).toEqual([]);
    expect(await memberOf(other.accountId)).toMatchObject({ role: 'admin', status: 'active', twoFactor: true });
  });
});
