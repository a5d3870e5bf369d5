import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cookieHeader,
  createActor,
  ctxOf,
  enrolStaff,
  GOOD_PASSWORD,
  signUp,
  staffSignIn,
  totpCode,
  uniqueEmail,
  uniqueIp,
} from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { auditLog, securityEvents, staffFactors, staffRecoveryCodes } from '../../db/schema/index.ts';
import { createStaffAccount, issueEnrolment } from '../../modules/accounts/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0' } });
});
afterAll(() => t?.close());

const tokenOf = (url: string) => new URL(url).hash.replace('#token=', '');
const post = (url: string, payload: unknown, headers: Record<string, string> = {}, remoteAddress = uniqueIp()) =>
  t.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers, remoteAddress });
const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
const adminRead = (cookie: string, accountId: string) =>
  t.app.inject({ method: 'GET', url: `/api/v1/admin/accounts/${accountId}`, headers: { cookie } });
const eventsOf = (accountId: string, type: string) =>
  t.database.db
    .select()
    .from(securityEvents)
    .where(and(eq(securityEvents.accountId, accountId), eq(securityEvents.type, type)));

async function newStaff(role: 'admin' | 'support' = 'admin') {
  const email = uniqueEmail(role);
  const { accountId } = await createStaffAccount(ctxOf(t, 'cli'), { email, password: GOOD_PASSWORD, role });
  return { email, accountId };
}

/** Password step: the pending cookie. */
async function passwordStep(email: string, ip = uniqueIp()) {
  const response = await post('/api/v1/auth/login', { email, password: GOOD_PASSWORD }, {}, ip);
  return { response, cookie: cookieHeader(response) };
}

describe('staff enrolment', () => {
  it('refuses a staff sign-in until enrolled, then enrols from the link: QR secret, a code, ten recovery codes once', async () => {
    const staff = await newStaff('support');
    const early = await passwordStep(staff.email);
    expect(early.response.statusCode).toBe(403);
    expect(early.response.json().error.code).toBe('TWO_FACTOR_REQUIRED');
    expect(early.response.cookies).toEqual([]);

    const link = await issueEnrolment(ctxOf(t, 'cli'), staff.accountId, { reset: false });
    expect(link.url).toMatch(/^http:\/\/[^/]+\/admin\/enrol#token=otp_enr_[\w-]{43}$/);
    const token = tokenOf(link.url);
    const read = await post('/api/v1/auth/enrol', { token });
    expect(read.statusCode).toBe(200);
    const { secret, otpauthUri, email } = read.json();
    expect(email).toBe(staff.email);
    expect(otpauthUri).toMatch(new RegExp(`^otpauth://totp/.*\\?.*secret=${secret}`));

    const wrong = await post('/api/v1/auth/enrol/confirm', { token, code: totpCode(secret, t.clock.now(), 5) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    expect(await eventsOf(staff.accountId, 'two_factor_failed')).toHaveLength(1);

    const confirmed = await post('/api/v1/auth/enrol/confirm', { token, code: totpCode(secret, t.clock.now()) });
    expect(confirmed.statusCode).toBe(200);
    const codes: string[] = confirmed.json().recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(await eventsOf(staff.accountId, 'two_factor_enrolled')).toHaveLength(1);

    // Stored sealed and hashed: neither the secret nor a code is in the database as written.
    const [factor] = await t.database.db.select().from(staffFactors).where(eq(staffFactors.accountId, staff.accountId));
    expect(factor?.totpSecret).toMatch(/^v1\./);
    expect(factor?.totpSecret).not.toContain(secret);
    const hashes = await t.database.db.select().from(staffRecoveryCodes).where(eq(staffRecoveryCodes.accountId, staff.accountId));
    expect(hashes.map((row) => row.codeHash)).not.toContain(codes[0]);

    // The link is single-use.
    expect((await post('/api/v1/auth/enrol', { token })).json().error.code).toBe('INVALID_TOKEN');
    const again = await post('/api/v1/auth/enrol/confirm', { token, code: totpCode(secret, t.clock.now(), 1) });
    expect(again.json().error.code).toBe('INVALID_TOKEN');
  });

  it('expires a link after 24 hours, and an earlier link stops working when a new one is issued', async () => {
    const staff = await newStaff();
    const first = tokenOf((await issueEnrolment(ctxOf(t, 'cli'), staff.accountId, { reset: false })).url);
    const second = tokenOf((await issueEnrolment(ctxOf(t, 'cli'), staff.accountId, { reset: false })).url);
    expect((await post('/api/v1/auth/enrol', { token: first })).json().error.code).toBe('INVALID_TOKEN');
    expect((await post('/api/v1/auth/enrol', { token: second })).statusCode).toBe(200);
    t.clock.advance(24 * 3_600_000 + 1000);
    expect((await post('/api/v1/auth/enrol', { token: second })).json().error.code).toBe('INVALID_TOKEN');
  });
});

describe('staff sign-in with the second factor', () => {
  it('answers the password with a pending state, not a session; a TOTP code completes it, once', async () => {
    const staff = await newStaff();
    const { secret } = await enrolStaff(t, staff.accountId);
    const ip = uniqueIp();
    const pending = await passwordStep(staff.email, ip);
    expect(pending.response.statusCode).toBe(200);
    expect(pending.response.json()).toMatchObject({ secondFactor: 'totp' });
    expect(pending.response.cookies.map((cookie) => cookie.name)).toEqual(['otpbox_2fa']);
    expect((await me(pending.cookie)).statusCode).toBe(401);

    // The step enrolment used is spent (replay), and so is a code two steps ahead.
    for (const code of [totpCode(secret, t.clock.now()), totpCode(secret, t.clock.now(), 2)]) {
      const refused = await post('/api/v1/auth/login/totp', { code }, { cookie: pending.cookie }, ip);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('INVALID_CREDENTIALS');
    }
    const code = totpCode(secret, t.clock.now(), 1);
    const done = await post('/api/v1/auth/login/totp', { code }, { cookie: pending.cookie }, ip);
    expect(done.statusCode).toBe(200);
    const session = cookieHeader(done);
    expect(session).toMatch(/otpbox_session=/);
    expect((await adminRead(session, staff.accountId)).statusCode).toBe(200);
    const [event] = await eventsOf(staff.accountId, 'login_succeeded');
    expect(event?.details).toEqual({ secondFactor: 'totp' });

    // The same code cannot sign in again, even in a new sign-in.
    const replay = await passwordStep(staff.email, ip);
    const reused = await post('/api/v1/auth/login/totp', { code }, { cookie: replay.cookie }, ip);
    expect(reused.json().error.code).toBe('INVALID_CREDENTIALS');
    // The pending state itself is single-use.
    expect((await post('/api/v1/auth/login/totp', { code }, { cookie: pending.cookie }, ip)).json().error.code).toBe('INVALID_TOKEN');
    expect((await eventsOf(staff.accountId, 'two_factor_failed')).length).toBe(3);
  });

  it('accepts each recovery code once, and records it', async () => {
    const staff = await newStaff('support');
    const { recoveryCodes } = await enrolStaff(t, staff.accountId);
    const first = await passwordStep(staff.email);
    const used = await post('/api/v1/auth/login/totp', { recoveryCode: recoveryCodes[3]?.toUpperCase() }, { cookie: first.cookie });
    expect(used.statusCode).toBe(200);
    const [event] = await eventsOf(staff.accountId, 'recovery_code_used');
    expect(event?.details).toEqual({ left: 9 });
    const second = await passwordStep(staff.email);
    const reused = await post('/api/v1/auth/login/totp', { recoveryCode: recoveryCodes[3] }, { cookie: second.cookie });
    expect(reused.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('gives five minutes for the code, and locks out guessing like passwords', async () => {
    const staff = await newStaff();
    const { secret } = await enrolStaff(t, staff.accountId);
    const late = await passwordStep(staff.email);
    t.clock.advance(5 * 60_000 + 1000);
    const expired = await post('/api/v1/auth/login/totp', { code: totpCode(secret, t.clock.now()) }, { cookie: late.cookie });
    expect(expired.json().error.code).toBe('INVALID_TOKEN');

    const pending = await passwordStep(staff.email);
    for (let attempt = 0; attempt < 10; attempt++) {
      const wrong = await post('/api/v1/auth/login/totp', { code: String(100000 + attempt) }, { cookie: pending.cookie });
      expect(wrong.json().error.code, `attempt ${attempt}`).toBe('INVALID_CREDENTIALS');
    }
    const blocked = await post('/api/v1/auth/login/totp', { code: totpCode(secret, t.clock.now()) }, { cookie: pending.cookie });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(await eventsOf(staff.accountId, 'two_factor_throttled')).toHaveLength(1);
  });

  it('keeps staff sessions short (15 minutes idle) while customers keep theirs', async () => {
    const admin = await createActor(t, 'admin');
    const customer = await signUp(t);
    t.clock.advance(16 * 60_000);
    expect((await me(admin.auth?.cookie ?? '')).statusCode).toBe(401);
    expect((await me(customer.cookie)).statusCode).toBe(200);
  });

  it('ends every staff session at 8 hours, however active', async () => {
    const admin = await createActor(t, 'admin');
    const cookie = admin.auth?.cookie ?? '';
    // 34 × 14 minutes = 7 h 56 min, active all along.
    for (let step = 1; step <= 34; step++) {
      t.clock.advance(14 * 60_000);
      expect((await me(cookie)).statusCode, `after ${step * 14} minutes`).toBe(200);
    }
    t.clock.advance(5 * 60_000);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('refuses staff routes to a staff API key, which still works on customer routes', async () => {
    const support = await createActor(t, 'support');
    const refused = await t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/accounts/${support.accountId}`,
      headers: { authorization: support.bearer },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('TWO_FACTOR_REQUIRED');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: support.bearer } })).statusCode).toBe(200);
  });
});

describe('resetting a lost factor (otpbox admin enrol)', () => {
  it('removes the factor and recovery codes, ends the sessions, audits it, and enrols again from the new link', async () => {
    const staff = await newStaff();
    const { secret } = await enrolStaff(t, staff.accountId);
    const cookie = await staffSignIn(t, staff.email, secret);
    expect((await adminRead(cookie, staff.accountId)).statusCode).toBe(200);

    const link = await issueEnrolment(ctxOf(t, 'cli'), staff.accountId, { reset: true });
    expect((await me(cookie)).statusCode).toBe(401);
    expect(await t.database.db.select().from(staffFactors).where(eq(staffFactors.accountId, staff.accountId))).toEqual([]);
    expect(await t.database.db.select().from(staffRecoveryCodes).where(eq(staffRecoveryCodes.accountId, staff.accountId))).toEqual([]);
    expect((await passwordStep(staff.email)).response.json().error.code).toBe('TWO_FACTOR_REQUIRED');
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.accountId, staff.accountId), eq(auditLog.action, 'staff.two_factor_reset')));
    expect(audit).toMatchObject({ actor: 'cli', details: { hadFactor: true } });
    expect(await eventsOf(staff.accountId, 'two_factor_reset')).toHaveLength(1);

    const token = tokenOf(link.url);
    const fresh = (await post('/api/v1/auth/enrol', { token })).json().secret as string;
    expect(fresh).not.toBe(secret);
    expect((await post('/api/v1/auth/enrol/confirm', { token, code: totpCode(fresh, t.clock.now()) })).statusCode).toBe(200);
    expect((await adminRead(await staffSignIn(t, staff.email, fresh), staff.accountId)).statusCode).toBe(200);
  });
});
