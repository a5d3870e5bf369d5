import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceToken, GOOD_PASSWORD, signUp, uniqueEmail } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { code } from '../../../test/support/orders.ts';
import { LOGIN_THROTTLE } from '../../modules/accounts/index.ts';

/**
 * A leaked API key is not a way into the account (an outside probe, 2026-12-07): the key could guess the
 * password without limit, change it, make more keys and sign the owner out. What hands the account over
 * is for its owner, signed in on the web or in the app; and a wrong current password counts like a
 * failed sign-in, on the same counters.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0' } });
});
afterAll(() => t?.close());

const json = { 'content-type': 'application/json' };
const send = (method: 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: object, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method, url, headers: { ...json, ...headers }, payload: payload ?? {}, remoteAddress });
const changePassword = (headers: Record<string, string>, currentPassword: string, remoteAddress?: string) =>
  send('POST', '/api/v1/auth/password', headers, { currentPassword, newPassword: 'a brand new passphrase 2026' }, remoteAddress);
const login = (email: string, password: string, remoteAddress?: string) =>
  send('POST', '/api/v1/auth/login', {}, { email, password }, remoteAddress);

/** A customer signed in on the web, with an API key made from that session. */
async function customer() {
  const me = await signUp(t);
  const made = await send('POST', '/api/v1/api-keys', { cookie: me.cookie }, { name: 'script' });
  expect(made.statusCode).toBe(201);
  return { ...me, key: { authorization: `Bearer ${made.json().key as string}` } };
}

describe('what an API key cannot do', () => {
  it('change the password, make keys, or sign sessions out: 403, and nothing changes', async () => {
    const me = await customer();
    const sessions = (await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: { cookie: me.cookie } })).json().sessions as {
      id: string;
    }[];
    const refused = [
      await changePassword(me.key, GOOD_PASSWORD),
      await send('POST', '/api/v1/api-keys', me.key, { name: 'another' }),
      await send('DELETE', `/api/v1/sessions/${sessions[0]?.id}`, me.key),
      await send('POST', '/api/v1/sessions/revoke-others', me.key),
    ];
    expect(refused.map((answer) => [answer.statusCode, code(answer)])).toEqual(Array(4).fill([403, 'FORBIDDEN']));
    expect(refused[0]?.json().error.message).toBe(
      'Change your password while signed in (web or app); an API key cannot change the password.',
    );
    // The owner's session still works, the password is unchanged, and the key made no more keys.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: me.cookie } })).statusCode).toBe(200);
    expect((await login(me.email, GOOD_PASSWORD)).statusCode).toBe(200);
    const keys = (await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { cookie: me.cookie } })).json().apiKeys;
    expect(keys).toHaveLength(1);
    // Reading stays open to the key, and it may still revoke itself (a key that leaked is put out of use).
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: me.key })).statusCode).toBe(200);
  });

  it("file or withdraw a rights request, which staff would act on as the owner's word (an erasure deletes the account)", async () => {
    const me = await customer();
    for (const type of ['erasure', 'rectification', 'restriction', 'access']) {
      const filed = await send('POST', '/api/v1/privacy/requests', me.key, { type, details: 'set my e-mail to new-owner@evil.example' });
      expect([filed.statusCode, code(filed)], type).toEqual([403, 'FORBIDDEN']);
    }
    const own = await send('POST', '/api/v1/privacy/requests', { cookie: me.cookie }, { type: 'erasure' });
    expect(own.statusCode).toBe(201);
    const withdrawn = await send('POST', `/api/v1/privacy/requests/${own.json().id as string}/withdraw`, me.key);
    expect([withdrawn.statusCode, code(withdrawn)]).toEqual([403, 'FORBIDDEN']);
    // The key still reads them.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/privacy/requests', headers: me.key })).json().requests).toHaveLength(1);
  });

  it('give a device account an e-mail address and password', async () => {
    const token = { authorization: `Bearer ${await deviceToken(t)}` };
    const made = await send('POST', '/api/v1/api-keys', token, { name: 'script' });
    expect(made.statusCode).toBe(201);
    const key = { authorization: `Bearer ${made.json().key as string}` };
    const attempt = await send('POST', '/api/v1/auth/upgrade', key, {
      email: uniqueEmail('attacker'),
      password: 'attacker passphrase 2026',
    });
    expect([attempt.statusCode, code(attempt)]).toEqual([403, 'FORBIDDEN']);
    // The app itself still can.
    const upgraded = await send('POST', '/api/v1/auth/upgrade', token, {
      email: uniqueEmail('owner'),
      password: 'owner passphrase 2026 ok',
    });
    expect(upgraded.statusCode).toBe(200);
  });
});

describe('a wrong current password', () => {
  it('counts like a failed sign-in: after the free failures the change is refused, and sign-in is locked too', async () => {
    const me = await signUp(t);
    const cookie = { cookie: me.cookie };
    const answers: (string | undefined)[] = [];
    for (let i = 1; i <= LOGIN_THROTTLE.freeFailures; i++) answers.push(code(await changePassword(cookie, `wrong guess ${i}`)));
    expect(answers.every((answer) => answer === 'INVALID_CREDENTIALS')).toBe(true);
    const blocked = await changePassword(cookie, GOOD_PASSWORD);
    expect([blocked.statusCode, code(blocked)]).toEqual([429, 'TOO_MANY_ATTEMPTS']);
    expect(code(await login(me.email, GOOD_PASSWORD, '198.51.100.7'))).toBe('TOO_MANY_ATTEMPTS');
    // Each wrong guess is a security event the owner sees.
    const events = (await t.app.inject({ method: 'GET', url: '/api/v1/security-events?limit=50', headers: cookie })).json().events as {
      type: string;
    }[];
    expect(events.filter((event) => event.type === 'reauthentication_failed')).toHaveLength(LOGIN_THROTTLE.freeFailures);
  });

  it('is held by a sign-in lock-out: failed sign-ins elsewhere block the change, and the deletion', async () => {
    const me = await signUp(t);
    for (let i = 1; i <= LOGIN_THROTTLE.freeFailures; i++)
      expect((await login(me.email, `wrong ${i}`, '198.51.100.8')).statusCode).toBe(401);
    const change = await changePassword({ cookie: me.cookie }, GOOD_PASSWORD, '198.51.100.9');
    expect([change.statusCode, code(change)]).toEqual([429, 'TOO_MANY_ATTEMPTS']);
    const erase = await send(
      'POST',
      '/api/v1/privacy/delete',
      { cookie: me.cookie },
      { confirm: true, password: GOOD_PASSWORD },
      '198.51.100.9',
    );
    expect([erase.statusCode, code(erase)]).toEqual([429, 'TOO_MANY_ATTEMPTS']);
  });
});
