import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, newDeviceCredentials, uniqueEmail, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';

/** One database, opened by an app that offers both kinds, then by one that offers e-mail accounts only. */
let database: TestDatabase;
let both: TestApp;
let emailOnly: TestApp;
beforeAll(async () => {
  database = await createTestDatabase();
  both = await createTestApp({ database });
  emailOnly = await createTestApp({ database, env: { ACCOUNT_KINDS: 'email' } });
});
afterAll(async () => {
  await emailOnly?.close();
  await both?.close();
  await database?.destroy();
});

const device = (t: TestApp, credentials = newDeviceCredentials()) => ({
  ...credentials,
  platform: 'android',
  osVersion: '15',
  model: 'Pixel 9',
  appVersion: '1.0.0',
  ageConfirmed: true,
  policyVersion: t.policy.version,
});
const post = (t: TestApp, url: string, payload: object) => t.app.inject({ method: 'POST', url, payload, remoteAddress: uniqueIp() });

describe('ACCOUNT_KINDS', () => {
  it('refuses new device accounts where only e-mail accounts are offered, and lets existing ones sign in', async () => {
    const credentials = newDeviceCredentials();
    expect((await post(both, '/api/v1/auth/device', device(both, credentials))).statusCode).toBe(201);

    const refused = await post(emailOnly, '/api/v1/auth/device', device(emailOnly));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'ACCOUNT_KIND_UNAVAILABLE', details: { kind: 'device' } });
    expect(refused.json().error.message).toContain('sign up with an e-mail address');

    const existing = await post(emailOnly, '/api/v1/auth/device', device(emailOnly, credentials));
    expect(existing.statusCode, existing.body).toBe(201);
    expect(existing.json().created).toBe(false);

    const signup = await post(emailOnly, '/api/v1/auth/signup', {
      email: uniqueEmail(),
      password: GOOD_PASSWORD,
      ageConfirmed: true,
      policyVersion: emailOnly.policy.version,
    });
    expect(signup.statusCode, signup.body).toBe(201);
  });

  it('refuses e-mail sign-up where only app accounts are offered', async () => {
    const deviceOnly = await createTestApp({ database, env: { ACCOUNT_KINDS: 'device' } });
    try {
      const refused = await post(deviceOnly, '/api/v1/auth/signup', {
        email: uniqueEmail(),
        password: GOOD_PASSWORD,
        ageConfirmed: true,
        policyVersion: deviceOnly.policy.version,
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('ACCOUNT_KIND_UNAVAILABLE');
    } finally {
      await deviceOnly.close();
    }
  });

  it('publishes the kinds offered in the policy, whose text and version follow the setting', async () => {
    const policy = (t: TestApp) => t.app.inject({ method: 'GET', url: '/api/v1/privacy/policy' });
    const full = (await policy(both)).json();
    const narrow = (await policy(emailOnly)).json();
    expect(full.accountKinds).toEqual(['email', 'device']);
    expect(narrow.accountKinds).toEqual(['email']);
    expect(full.text).toContain('anonymous account tied to your device');
    expect(narrow.text).not.toContain('anonymous account tied to your device');
    expect(narrow.text).toContain('You use this service with an e-mail account');
    expect(narrow.version).not.toBe(full.version);
  });
});
