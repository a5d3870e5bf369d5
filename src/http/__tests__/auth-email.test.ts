import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, deviceToken, GOOD_PASSWORD, signUp, uniqueEmail, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { queuedMail } from '../../../test/support/mail.ts';
import { accounts, consents, emailOutbox, securityEvents } from '../../db/schema/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const signup = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload, headers, remoteAddress: uniqueIp() });
/** Each attempt from its own address unless one is given: these tests are about per-account limits. */
const login = (payload: Record<string, unknown>, headers: Record<string, string> = {}, remoteAddress = uniqueIp()) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload, headers, remoteAddress });
const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });

describe('signup', () => {
  it('creates an e-mail account, records consent, signs it in with a safe cookie, and queues a verification e-mail', async () => {
    const email = uniqueEmail();
    const response = await signup({
      email: `  ${email.toUpperCase()} `,
      password: GOOD_PASSWORD,
      ageConfirmed: true,
      policyVersion: t.policy.version,
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ accountId: expect.stringMatching(/^acc_/), email, kind: 'email' });
    const session = response.cookies.find((c) => c.name === 'otpbox_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(session?.secure).toBeFalsy();
    expect(session?.value).toMatch(/^otp_ses_/);

    const profile = await me(cookieHeader(response));
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({
      id: body.accountId,
      email,
      kind: 'email',
      role: 'customer',
      emailVerified: false,
      policy: { acceptanceRequired: false },
    });

    const given = await t.database.db.select().from(consents).where(eq(consents.accountId, body.accountId));
    expect(given.map((c) => c.kind).sort()).toEqual(['minimum_age', 'privacy_policy']);
    expect(given.every((c) => c.policyVersion === t.policy.version && c.minimumAge === 18)).toBe(true);
    const mail = await queuedMail(t, { accountId: body.accountId });
    expect(mail).toMatchObject([{ template: 'verify_email', toAddress: email, status: 'pending' }]);
    const [account] = await t.database.db.select().from(accounts).where(eq(accounts.id, body.accountId));
    expect(account?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(account)).not.toContain(GOOD_PASSWORD);
  });

  it('refuses a missing age confirmation, naming the field', async () => {
    const response = await signup({ email: uniqueEmail(), password: GOOD_PASSWORD, policyVersion: t.policy.version });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('body.ageConfirmed') });
  });

  it('refuses ageConfirmed: false with the minimum age in words', async () => {
    const response = await signup({ email: uniqueEmail(), password: GOOD_PASSWORD, ageConfirmed: false, policyVersion: t.policy.version });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'AGE_CONFIRMATION_REQUIRED', message: expect.stringContaining('18') });
  });

  it('refuses a policy version that is not the current one', async () => {
    const response = await signup({ email: uniqueEmail(), password: GOOD_PASSWORD, ageConfirmed: true, policyVersion: '2020-01-01.old' });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'POLICY_OUTDATED', details: { currentVersion: t.policy.version } });
  });

  it('refuses a 3-character password and a common one, saying why', async () => {
    const short = await signup({ email: uniqueEmail(), password: 'abc', ageConfirmed: true, policyVersion: t.policy.version });
    expect(short.statusCode).toBe(422);
    expect(short.json().error).toMatchObject({ code: 'WEAK_PASSWORD', message: 'Use at least 8 characters.' });
    const common = await signup({ email: uniqueEmail(), password: 'password123', ageConfirmed: true, policyVersion: t.policy.version });
    expect(common.json().error.code).toBe('WEAK_PASSWORD');
  });

  it('refuses an invalid e-mail address', async () => {
    const response = await signup({
      email: 'not-an-address',
      password: GOOD_PASSWORD,
      ageConfirmed: true,
      policyVersion: t.policy.version,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('body.email');
  });

  it('refuses an existing address in any case without saying it exists, and tells its owner', async () => {
    const first = await signUp(t);
    const response = await signup({
      email: first.email.toUpperCase(),
      password: 'another good passphrase',
      ageConfirmed: true,
      policyVersion: t.policy.version,
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('EMAIL_UNAVAILABLE');
    expect(response.json().error.message).not.toMatch(/already (exists|registered)/i);
    expect(response.cookies.find((c) => c.name === 'otpbox_session')).toBeUndefined();
    const mail = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.accountId, first.accountId));
    expect(mail.map((m) => m.template).sort()).toEqual(['signup_existing', 'verify_email']);
    const events = await t.database.db.select().from(securityEvents).where(eq(securityEvents.accountId, first.accountId));
    expect(events.map((e) => e.type)).toContain('signup_with_existing_email');
  });

  it('tells the owner of a taken address at most once a day, however often it is tried', async () => {
    const owner = await signUp(t);
    const attempt = () =>
      signup({ email: owner.email, password: 'another good passphrase', ageConfirmed: true, policyVersion: t.policy.version });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(409);
    const notices = async () =>
      (await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.accountId, owner.accountId))).filter(
        (m) => m.template === 'signup_existing',
      );
    expect(await notices()).toHaveLength(1);
    const events = await t.database.db.select().from(securityEvents).where(eq(securityEvents.accountId, owner.accountId));
    expect(events.filter((e) => e.type === 'signup_with_existing_email')).toHaveLength(3);
    t.clock.advance(24 * 3_600_000 + 1_000);
    expect((await attempt()).statusCode).toBe(409);
    expect(await notices()).toHaveLength(2);
  });

  it('gives a network five "address taken" answers a day, then refuses its sign-ups until the day is over (ADR 17)', async () => {
    const taken = [];
    for (let i = 0; i < 5; i++) taken.push((await signUp(t)).email);
    const network = uniqueIp();
    const from = (email: string, remoteAddress = network) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/signup',
        payload: { email, password: 'another good passphrase', ageConfirmed: true, policyVersion: t.policy.version },
        remoteAddress,
      });
    for (const email of taken) expect((await from(email)).statusCode).toBe(409);
    t.clock.advance(3_600_000);
    // Now even an address nobody has is refused from that network, the same way as a taken one.
    const refused = await from(uniqueEmail('fresh'));
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(refused.headers['retry-after']).toBe(String(23 * 3600));
    expect((await from(taken[0] ?? '')).json().error.code).toBe('TOO_MANY_ATTEMPTS');
    // Other networks are not affected; the network itself is again after 24 hours.
    expect((await from(uniqueEmail('elsewhere'), uniqueIp())).statusCode).toBe(201);
    t.clock.advance(23 * 3_600_000);
    expect((await from(uniqueEmail('tomorrow'))).statusCode).toBe(201);
  });
});

describe('a device account adding an address answers "taken" as sign-up does (ADR 17)', () => {
  it('tells the owner, and shares the network’s five answers a day with sign-up', async () => {
    const network = uniqueIp();
    const bearer = { authorization: `Bearer ${await deviceToken(t)}` };
    const upgrade = (email: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/upgrade',
        headers: bearer,
        payload: { email, password: 'another good passphrase' },
        remoteAddress: network,
      });
    const owners = [];
    for (let i = 0; i < 5; i++) owners.push(await signUp(t));
    for (const owner of owners) expect((await upgrade(owner.email)).json().error.code).toBe('EMAIL_UNAVAILABLE');
    const [first] = owners;
    const events = await t.database.db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.accountId, first?.accountId ?? ''));
    expect(events.map((e) => e.type)).toContain('signup_with_existing_email');
    expect(await queuedMail(t, { accountId: first?.accountId, template: 'signup_existing' })).toHaveLength(1);
    // The sixth question from that network, taken or not, waits for the day to end.
    const sixth = await upgrade(uniqueEmail('free'));
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    t.clock.advance(24 * 3_600_000 + 1_000);
    expect((await upgrade(uniqueEmail('tomorrow'))).statusCode).toBe(200);
  });
});

describe.skipIf(!onPostgres())('"taken" answers and upgrades sent at once (PostgreSQL)', () => {
  it('twenty upgrades naming taken addresses at once: five say "taken", the rest wait for the day to end', async () => {
    const network = uniqueIp();
    const token = await deviceToken(t);
    const owners = await Promise.all(Array.from({ length: 20 }, () => signUp(t)));
    const answers = await Promise.all(
      owners.map((owner) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/upgrade',
          headers: { authorization: `Bearer ${token}` },
          payload: { email: owner.email, password: 'another good passphrase' },
          remoteAddress: network,
        }),
      ),
    );
    const codes = answers.map((a) => a.json().error.code as string);
    expect(codes.filter((c) => c === 'EMAIL_UNAVAILABLE')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TOO_MANY_ATTEMPTS')).toHaveLength(15);
  });

  it('upgrades with different free addresses at once: one account gets one address', async () => {
    const network = uniqueIp();
    const token = await deviceToken(t);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/upgrade',
          headers: { authorization: `Bearer ${token}` },
          payload: { email: uniqueEmail('parallel'), password: 'another good passphrase' },
          remoteAddress: network,
        }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
  });
});

describe('login and logout', () => {
  it('signs in, rotates the session, and the logged-out cookie stops working', async () => {
    const user = await signUp(t);
    const first = await login({ email: user.email, password: user.password }, { cookie: user.cookie });
    expect(first.statusCode).toBe(200);
    const cookie = cookieHeader(first, user.cookie);
    expect(cookie).not.toBe(user.cookie);
    // The session the browser had before signing in again is ended (session rotation).
    expect((await me(user.cookie)).statusCode).toBe(401);
    expect((await me(cookie)).statusCode).toBe(200);

    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(out.statusCode).toBe(204);
    // The browser is told to forget the session cookie, with the attributes it was set with.
    const cleared = out.cookies.find((c) => c.name === 'otpbox_session');
    expect(cleared).toMatchObject({ value: '', maxAge: 0, path: '/', httpOnly: true, sameSite: 'Lax' });
    const after = await me(cookie);
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('answers a wrong password and an unknown address identically', async () => {
    const user = await signUp(t);
    const wrong = await login({ email: user.email, password: 'not the password at all' });
    const unknown = await login({ email: uniqueEmail('nobody'), password: 'not the password at all' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: string) => ({ ...JSON.parse(body).error, requestId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(Object.keys(wrong.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
  });

  it('answers the 11th consecutive failure for an account with 429 and Retry-After, even with the right password', async () => {
    const user = await signUp(t);
    for (let attempt = 1; attempt <= 10; attempt++) {
      const response = await login({ email: user.email, password: `wrong guess number ${attempt}` });
      expect(response.statusCode, `attempt ${attempt}`).toBe(401);
    }
    const eleventh = await login({ email: user.email, password: 'wrong guess number 11' });
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(eleventh.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Blocked attempts never reach the password check.
    expect((await login({ email: user.email, password: user.password })).statusCode).toBe(429);
    // The block is short: after it, the right password works and resets the count.
    t.clock.advance(61_000);
    expect((await login({ email: user.email, password: user.password })).statusCode).toBe(200);
    expect((await login({ email: user.email, password: 'one more wrong one' })).statusCode).toBe(401);
  });

  it('blocks for longer on continued guessing, up to 15 minutes', async () => {
    const user = await signUp(t);
    for (let attempt = 1; attempt <= 10; attempt++) await login({ email: user.email, password: `wrong ${attempt} guess` });
    let retryAfter = 0;
    for (let round = 0; round < 8; round++) {
      t.clock.advance(retryAfter * 1000 + 1000);
      await login({ email: user.email, password: `wrong again ${round}` });
      retryAfter = Number((await login({ email: user.email, password: 'x-wrong-x' })).headers['retry-after']);
    }
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it('lets the owner in from a browser it signed in from before, while strangers are locked out', async () => {
    const user = await signUp(t);
    const trusted = cookieHeader(await login({ email: user.email, password: user.password }));
    expect(trusted).toContain('otpbox_device=');
    for (let attempt = 1; attempt <= 11; attempt++) await login({ email: user.email, password: `attacker guess ${attempt}` });
    expect((await login({ email: user.email, password: user.password })).statusCode).toBe(429);
    const owner = await login({ email: user.email, password: user.password }, { cookie: trusted });
    expect(owner.statusCode).toBe(200);
  });

  it('throttles one network guessing across many accounts', async () => {
    const headers = { 'x-forwarded-for': '198.51.100.7' };
    const other = await createTestApp({ env: { TRUST_PROXY: 'true' }, database: t.database });
    try {
      let last = 0;
      for (let attempt = 0; attempt < 51; attempt++) {
        last = (
          await other.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { email: uniqueEmail('spray'), password: 'Spring2026!' },
            headers,
          })
        ).statusCode;
        if (last === 429) break;
      }
      expect(last).toBe(429);
      const elsewhere = await other.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: uniqueEmail('spray'), password: 'Spring2026!' },
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      expect(elsewhere.statusCode).toBe(401);
    } finally {
      await other.app.close();
    }
  });

  it('refuses a suspended account after a correct password, and never before', async () => {
    const user = await signUp(t);
    await t.database.db.update(accounts).set({ status: 'suspended' }).where(eq(accounts.id, user.accountId));
    expect((await login({ email: user.email, password: 'wrong password here' })).json().error.code).toBe('INVALID_CREDENTIALS');
    expect((await login({ email: user.email, password: user.password })).json().error.code).toBe('ACCOUNT_SUSPENDED');
  });
});

describe('CSRF', () => {
  it('refuses a cross-site form POST carrying the session cookie', async () => {
    const user = await signUp(t);
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: user.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: 'name=stolen',
    });
    expect(form.statusCode).toBe(403);
    expect(form.json().error.code).toBe('CSRF_REJECTED');
  });

  it('refuses JSON from another origin, and cross-site fetch metadata', async () => {
    const user = await signUp(t);
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: user.cookie, origin: 'https://evil.example' },
      payload: { name: 'x' },
    });
    expect(other.statusCode).toBe(403);
    const site = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: user.cookie, 'sec-fetch-site': 'cross-site' },
      payload: { name: 'x' },
    });
    expect(site.statusCode).toBe(403);
  });

  it('accepts same-origin JSON, and bearer requests whatever their origin', async () => {
    const user = await signUp(t);
    const same = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: user.cookie, origin: t.config.publicUrl, 'sec-fetch-site': 'same-origin' },
      payload: { name: 'from the dashboard' },
    });
    expect(same.statusCode).toBe(201);
    const bearer = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { authorization: `Bearer ${same.json().key}`, origin: 'https://tool.example', 'content-type': 'text/plain' },
      payload: JSON.stringify({ name: 'x' }),
    });
    // Past the CSRF check: what answers is the route's own rule (an API key cannot make more keys).
    expect(bearer.json().error.code).not.toBe('CSRF_REJECTED');
    expect(bearer.json().error.code).toBe('FORBIDDEN');
  });

  it('never changes state on GET', async () => {
    const user = await signUp(t);
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/auth/logout', headers: { cookie: user.cookie } });
    expect(response.statusCode).toBe(404);
    expect((await me(user.cookie)).statusCode).toBe(200);
  });
});

describe('cookies on https', () => {
  it('are Secure and __Host- prefixed when PUBLIC_URL is https', async () => {
    const secure = await createTestApp({ env: { PUBLIC_URL: 'https://otp.example.com' }, database: t.database });
    try {
      const response = await secure.app.inject({
        method: 'POST',
        url: '/api/v1/auth/signup',
        payload: { email: uniqueEmail(), password: GOOD_PASSWORD, ageConfirmed: true, policyVersion: secure.policy.version },
      });
      expect(response.statusCode).toBe(201);
      const session = response.cookies.find((c) => c.name === '__Host-otpbox_session');
      expect(session).toMatchObject({ secure: true, httpOnly: true, path: '/', sameSite: 'Lax' });
      expect(session?.domain).toBeUndefined();
      expect(response.headers['strict-transport-security']).toContain('max-age=');
    } finally {
      await secure.app.close();
    }
  });
});
