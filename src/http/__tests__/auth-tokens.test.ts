import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, signUp, uniqueEmail, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { queuedMail } from '../../../test/support/mail.ts';
import { apiKeys, authTokens, webhookEndpoints } from '../../db/schema/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

async function lastMailTo(email: string) {
  const [mail] = await queuedMail(t, { to: email });
  if (!mail) throw new Error(`no mail to ${email}`);
  const token = /"token": "(otp_eml_[A-Za-z0-9_-]+)"/.exec(mail.bodyText)?.[1];
  return { mail, token: token ?? '' };
}
const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers, remoteAddress: uniqueIp() });
const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });

describe('e-mail verification', () => {
  it('verifies the address with the single-use token from the e-mail', async () => {
    const user = await signUp(t);
    const { mail, token } = await lastMailTo(user.email);
    expect(mail.bodyText).toContain(`${t.config.publicUrl}/verify-email?token=`);
    expect(token).toMatch(/^otp_eml_/);
    // Only a hash of the token is stored.
    const stored = await t.database.db.select().from(authTokens).where(eq(authTokens.accountId, user.accountId));
    expect(JSON.stringify(stored)).not.toContain(token);

    expect((await post('/api/v1/auth/verify-email', { token })).json()).toEqual({ verified: true });
    expect((await me(user.cookie)).json().emailVerified).toBe(true);
    const reused = await post('/api/v1/auth/verify-email', { token });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.code).toBe('INVALID_TOKEN');
  });

  it('refuses an expired token (30 minutes) and sends a new one on request', async () => {
    const user = await signUp(t);
    const { token } = await lastMailTo(user.email);
    t.clock.advance(31 * 60_000);
    expect((await post('/api/v1/auth/verify-email', { token })).json().error.code).toBe('INVALID_TOKEN');
    const resend = await post('/api/v1/auth/verify-email/resend', {}, { cookie: (await signInAgain(user.email, user.password)).cookie });
    expect(resend.statusCode).toBe(202);
    const fresh = await lastMailTo(user.email);
    expect(fresh.token).not.toBe(token);
    expect((await post('/api/v1/auth/verify-email', { token: fresh.token })).statusCode).toBe(200);
  });
});

async function signInAgain(email: string, password: string) {
  const response = await post('/api/v1/auth/login', { email, password });
  if (response.statusCode !== 200) throw new Error(response.body);
  return { cookie: cookieHeader(response) };
}

describe('password reset', () => {
  it('answers the same for known and unknown addresses, and mails only the known one', async () => {
    const user = await signUp(t);
    const known = await post('/api/v1/auth/password-reset', { email: user.email });
    const unknown = await post('/api/v1/auth/password-reset', { email: uniqueEmail('ghost') });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    expect((await lastMailTo(user.email)).mail.template).toBe('reset_password');
  });

  it('sets the new password, ends every session and API key, and keeps the link usable after a refused weak password', async () => {
    const user = await signUp(t);
    const other = await signInAgain(user.email, user.password);
    // A key made from a session (an intruder's, say): the reset takes the account back from it too.
    const minted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: other.cookie },
      payload: { name: 'made from a stolen session' },
    });
    expect(minted.statusCode, minted.body).toBe(201);
    const key = { authorization: `Bearer ${minted.json().key}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: key })).statusCode).toBe(200);
    // An endpoint the key registered, one the owner did: neither goes on receiving codes unchecked.
    for (const headers of [key, { cookie: user.cookie }]) {
      const endpoint = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhook-endpoints',
        headers,
        payload: { url: 'https://hooks.example.com/otpbox' },
      });
      expect(endpoint.statusCode, endpoint.body).toBe(201);
    }
    await post('/api/v1/auth/password-reset', { email: user.email });
    const { token } = await lastMailTo(user.email);

    const weak = await post('/api/v1/auth/password-reset/confirm', { token, password: 'short' });
    expect(weak.json().error.code).toBe('WEAK_PASSWORD');
    const done = await post('/api/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase 7' });
    expect(done.json()).toEqual({ reset: true, apiKeysRevoked: 1, webhookEndpointsDisabled: 2 });
    const endpoints = await t.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.accountId, user.accountId));
    expect(endpoints.map((e) => [e.status, e.disabledReason])).toEqual([
      ['disabled', 'the password was reset: check the endpoint, then enable it again'],
      ['disabled', 'the password was reset: check the endpoint, then enable it again'],
    ]);

    expect((await me(user.cookie)).statusCode).toBe(401);
    expect((await me(other.cookie)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: key })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: user.email, password: user.password })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: user.email, password: 'a brand new passphrase 7' })).statusCode).toBe(200);
    expect((await post('/api/v1/auth/password-reset/confirm', { token, password: 'yet another passphrase 8' })).json().error.code).toBe(
      'INVALID_TOKEN',
    );
    const changed = (await lastMailTo(user.email)).mail;
    expect(changed.template).toBe('password_changed');
    expect(changed.bodyText).toContain('API keys (1) were revoked');
  });

  it('revoking an API key disables the webhook endpoints it registered, not the others', async () => {
    const user = await signUp(t);
    const minted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: user.cookie },
      payload: { name: 'leaked' },
    });
    const key = { authorization: `Bearer ${minted.json().key}` };
    const register = async (headers: Record<string, string>, url: string) =>
      (await t.app.inject({ method: 'POST', url: '/api/v1/webhook-endpoints', headers, payload: { url } })).json().id as string;
    const byKey = await register(key, 'https://attacker.example.com/hook');
    const byOwner = await register({ cookie: user.cookie }, 'https://hooks.example.com/mine');
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${minted.json().id}`,
      headers: { cookie: user.cookie, 'content-type': 'application/json' },
      payload: {},
    });
    expect(revoked.statusCode, revoked.body).toBeLessThan(300);
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/webhook-endpoints', headers: { cookie: user.cookie } })).json();
    const status = Object.fromEntries(
      (listed.endpoints as { id: string; status: string; disabledReason: string | null }[]).map((e) => [
        e.id,
        [e.status, e.disabledReason],
      ]),
    );
    expect(status).toEqual({
      [byKey]: ['disabled', 'the API key that registered it was revoked: check it, then enable it again'],
      [byOwner]: ['enabled', null],
    });

    // A second leaked key turns it back on: it then lives no longer than that key.
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: user.cookie },
      payload: { name: 'second' },
    });
    const secondKey = { authorization: `Bearer ${second.json().key}` };
    const enabled = await t.app.inject({ method: 'POST', url: `/api/v1/webhook-endpoints/${byKey}/enable`, headers: secondKey });
    expect(enabled.json().status).toBe('enabled');
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${second.json().id}`,
      headers: { cookie: user.cookie, 'content-type': 'application/json' },
      payload: {},
    });
    const after = (
      await t.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${byKey}`, headers: { cookie: user.cookie } })
    ).json();
    expect(after.status).toBe('disabled');
  });

  it.skipIf(!onPostgres())('keys and endpoints made while the reset or the revocation commits do not outlive it (PostgreSQL)', async () => {
    const user = await signUp(t);
    const intruder = await signInAgain(user.email, user.password);
    const minted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: intruder.cookie },
      payload: { name: 'k' },
    });
    const key = { authorization: `Bearer ${minted.json().key}` };
    // An endpoint the stolen session registered, which it keeps enabling while the reset commits.
    const stolenEndpoint = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhook-endpoints',
        headers: { cookie: intruder.cookie },
        payload: { url: 'https://attacker.example.com/kept' },
      })
    ).json().id as string;
    await post('/api/v1/auth/password-reset', { email: user.email });
    const { token } = await lastMailTo(user.email);
    let racing = true;
    const loops = [
      (async () => {
        while (racing)
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/webhook-endpoints/${stolenEndpoint}/enable`,
            headers: { cookie: intruder.cookie, 'content-type': 'application/json' },
            payload: {},
          });
      })(),
      (async () => {
        while (racing)
          await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie: intruder.cookie }, payload: { name: 'more' } });
      })(),
      (async () => {
        while (racing) {
          const made = await t.app.inject({
            method: 'POST',
            url: '/api/v1/webhook-endpoints',
            headers: key,
            payload: { url: 'https://attacker.example.com/hook' },
          });
          if (made.statusCode === 201)
            await t.app.inject({ method: 'DELETE', url: `/api/v1/webhook-endpoints/${made.json().id}`, headers: key });
        }
      })(),
    ];
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await post('/api/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase 7' })).statusCode).toBe(200);
    racing = false;
    await Promise.all(loops);
    const liveKeys = await t.database.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.accountId, user.accountId), isNull(apiKeys.revokedAt)));
    expect(liveKeys).toEqual([]);
    const enabled = await t.database.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.accountId, user.accountId), eq(webhookEndpoints.status, 'enabled')));
    expect(enabled).toEqual([]);
  });

  it('refuses a verification token as a reset token', async () => {
    const user = await signUp(t);
    const { token } = await lastMailTo(user.email);
    expect((await post('/api/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase 7' })).json().error.code).toBe(
      'INVALID_TOKEN',
    );
  });
});

describe('password change', () => {
  it('needs the current password and ends the other sessions but not this one', async () => {
    const user = await signUp(t);
    const other = await signInAgain(user.email, user.password);
    const wrong = await post(
      '/api/v1/auth/password',
      { currentPassword: 'nope nope nope', newPassword: 'a brand new passphrase 9' },
      { cookie: user.cookie },
    );
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    const changed = await post(
      '/api/v1/auth/password',
      { currentPassword: user.password, newPassword: 'a brand new passphrase 9' },
      { cookie: user.cookie },
    );
    expect(changed.statusCode).toBe(204);
    expect((await me(user.cookie)).statusCode).toBe(200);
    expect((await me(other.cookie)).statusCode).toBe(401);
  });
});
