import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ctxOf, newDeviceCredentials, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { queuedMail } from '../../../test/support/mail.ts';
import { devices, securityEvents, sessions } from '../../db/schema/index.ts';
import { createLogger } from '../../lib/logger.ts';
import { deviceHash, LOGIN_THROTTLE } from '../../modules/accounts/index.ts';

/** Proof of possession for device accounts (contract v2, ADR 7): the device secret. */
let t: TestApp;
const logLines: string[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  t = await createTestApp({ log: createLogger({ level: 'trace', version: 't', destination: sink }) });
});
afterAll(() => t?.close());

const device = (overrides: Record<string, unknown> = {}) => ({
  ...newDeviceCredentials(),
  platform: 'android',
  osVersion: '15',
  model: 'Pixel 9',
  appVersion: '2.0.0',
  ageConfirmed: true,
  policyVersion: t.policy.version,
  ...overrides,
});
const signIn = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/device', payload, headers, remoteAddress: uniqueIp() });
const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const deviceRow = async (accountId: string) => (await t.database.db.select().from(devices).where(eq(devices.accountId, accountId)))[0];
const failures = async (accountId: string) =>
  t.database.db
    .select()
    .from(securityEvents)
    .where(and(eq(securityEvents.accountId, accountId), eq(securityEvents.type, 'device_sign_in_failed')));

/** A device account as it was before secrets existed: its row has no secret hash (and, if given, a weak id). */
async function legacyDevice(weakId?: string) {
  const payload = device();
  const created = (await signIn(payload)).json() as { accountId: string; token: string };
  const deviceId = weakId ?? payload.deviceId;
  await t.database.db
    .update(devices)
    .set({ secretHash: null, deviceHash: deviceHash(ctxOf(t), deviceId) })
    .where(eq(devices.accountId, created.accountId));
  return { ...created, payload: { ...payload, deviceId, deviceSecret: randomBytes(32).toString('hex') } };
}

describe('a known device proves possession with its secret', () => {
  it('refuses another client that knows the device id but not its secret, and the owner’s token keeps working', async () => {
    const owner = device();
    const created = (await signIn(owner)).json();

    const without = await signIn({ ...owner, deviceSecret: undefined });
    expect(without.statusCode).toBe(400);
    expect(without.json().error.message).toContain('body.deviceSecret');

    const wrong = await signIn({ ...owner, deviceSecret: randomBytes(32).toString('hex') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'The device id or the device secret is wrong.' });
    expect(wrong.json()).not.toHaveProperty('token');

    expect((await me(created.token)).statusCode).toBe(200);
    expect(await failures(created.accountId)).toMatchObject([{ details: { reason: 'wrong_secret' } }]);
  });

  it('signs the owner in with the right secret and ends the device’s earlier token (one live token per device)', async () => {
    const owner = device();
    const first = (await signIn(owner)).json();
    expect((await me(first.token)).statusCode).toBe(200); // cached as a live credential
    const second = await signIn(owner);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({ accountId: first.accountId, created: false });

    expect((await me(first.token)).statusCode).toBe(401);
    expect((await me(second.json().token)).statusCode).toBe(200);
    const live = await t.database.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.accountId, first.accountId), isNull(sessions.revokedAt)));
    expect(live).toHaveLength(1);
  });

  it('counts wrong secrets in the sign-in throttle: past the free failures even the right secret waits', async () => {
    const owner = device();
    const created = (await signIn(owner)).json();
    for (let i = 0; i < LOGIN_THROTTLE.freeFailures; i++) {
      expect((await signIn({ ...owner, deviceSecret: randomBytes(16).toString('hex') })).statusCode).toBe(401);
    }
    const blocked = await signIn(owner);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await me(created.token)).statusCode).toBe(200);

    t.clock.advance(LOGIN_THROTTLE.firstBlockMs + 1_000);
    const after = await signIn(owner);
    expect(after.statusCode).toBe(201);
    expect(after.json().accountId).toBe(created.accountId);
  });

  it('asks the secret of a new device and stores only a keyed hash of it', async () => {
    const payload = device();
    const created = (await signIn(payload)).json();
    const row = await deviceRow(created.accountId);
    expect(row?.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.secretHash).not.toContain(payload.deviceSecret);
    expect((await signIn({ ...device(), deviceSecret: undefined })).statusCode).toBe(400);
  });

  it('never writes the secret to the logs, even when a body is logged by hand', async () => {
    const payload = device();
    await signIn(payload);
    await signIn({ ...payload, deviceSecret: randomBytes(16).toString('hex') });
    t.log.info({ body: payload }, 'a sign-in body, logged by hand');
    const logged = logLines.join('');
    expect(logged).toContain('a sign-in body, logged by hand');
    expect(logged).not.toContain(payload.deviceSecret);
    expect(logged).not.toContain(payload.deviceId);
  });
});

describe('device ids and secrets must be random', () => {
  const refusedIds = [
    'aaaaaaaa',
    'a'.repeat(40),
    '0123456789abcdef0123456789abcdef',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    '3F2504E0-4F89-11D3-9A0C',
    '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    '00000000-0000-4000-8000-000000000000',
    `${'0'.repeat(16)}${randomBytes(8).toString('hex')}`,
    'device+id/with=other*chars',
  ];
  it.each(refusedIds)('refuses the new device id %s with 400 naming the field', async (deviceId) => {
    const response = await signIn(device({ deviceId }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('body.deviceId') });
  });

  const refusedSecrets = [
    'aaaaaaaa',
    'f'.repeat(64),
    'abcdefghijklmnopqrstuvwxyz',
    'deadbeefdeadbeefdeadbeefdeadbeef',
    randomBytes(15).toString('hex'),
    randomBytes(12).toString('base64url').slice(0, 21),
    randomBytes(100).toString('hex').slice(0, 129),
    randomUUID(),
    `${randomBytes(24).toString('base64')}==`,
  ];
  it.each(refusedSecrets)('refuses the secret %s with 400 naming the field', async (deviceSecret) => {
    const response = await signIn(device({ deviceSecret }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('body.deviceSecret') });
  });

  it('accepts UUID v4 ids, hex and base64url, and the web app’s ids', async () => {
    for (const payload of [
      device({ deviceId: randomUUID().toUpperCase() }),
      device({ deviceId: randomBytes(16).toString('hex'), deviceSecret: randomBytes(16).toString('hex') }),
      device({ deviceId: randomBytes(16).toString('base64url'), deviceSecret: randomBytes(17).toString('base64url') }),
      device({ deviceId: `web-${randomBytes(16).toString('hex')}` }),
    ]) {
      expect((await signIn(payload)).statusCode).toBe(201);
    }
  });
});

describe('devices from before secrets existed register one at their next sign-in', () => {
  it('registers at once when the id is random (it was a secret already); then only that secret works', async () => {
    const legacy = await legacyDevice();
    const registered = await signIn(legacy.payload);
    expect(registered.statusCode).toBe(201);
    expect(registered.json()).toMatchObject({ accountId: legacy.accountId, created: false });
    expect((await deviceRow(legacy.accountId))?.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await me(legacy.token)).statusCode).toBe(401);

    const other = await signIn({ ...legacy.payload, deviceSecret: randomBytes(32).toString('hex') });
    expect(other.statusCode).toBe(401);
    expect((await signIn(legacy.payload)).statusCode).toBe(201);
  });

  it('refuses a weak id without the device’s token, telling the app how to register', async () => {
    const legacy = await legacyDevice('3F2504E0-4F89-11D3-9A0C');
    const response = await signIn(legacy.payload);
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: expect.stringContaining('Authorization: Bearer otp_dev_'),
    });
    expect((await deviceRow(legacy.accountId))?.secretHash).toBeNull();
    expect((await me(legacy.token)).statusCode).toBe(200);
    expect(await failures(legacy.accountId)).toMatchObject([{ details: { reason: 'legacy_unproven' } }]);
  });

  it('registers a weak id’s secret when the request carries that device’s live token, and ends the token', async () => {
    const legacy = await legacyDevice('android-7f3a91c2');
    const response = await signIn(legacy.payload, bearer(legacy.token));
    expect(response.statusCode).toBe(201);
    expect(response.json().accountId).toBe(legacy.accountId);
    expect((await me(legacy.token)).statusCode).toBe(401);
    expect((await signIn(legacy.payload)).statusCode).toBe(201);
    expect((await signIn({ ...legacy.payload, deviceSecret: randomBytes(32).toString('hex') })).statusCode).toBe(401);
  });

  it('refuses a weak id with an expired token, another device’s token or an API key, in words', async () => {
    const legacy = await legacyDevice('ios-legacy-0042');
    const otherDevice = (await signIn(device())).json();
    const apiKey = await createActor(t);
    for (const headers of [bearer(otherDevice.token), { authorization: apiKey.bearer }, bearer('otp_dev_not-a-real-token')]) {
      const response = await signIn(legacy.payload, headers);
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: expect.stringContaining('expired') });
    }
    await t.database.db.update(sessions).set({ expiresAt: t.clock.now() }).where(eq(sessions.accountId, legacy.accountId));
    const expired = await signIn(legacy.payload, bearer(legacy.token));
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.message).toMatch(/not a live device token of this device \(expired/);
    expect((await deviceRow(legacy.accountId))?.secretHash).toBeNull();
  });

  it('lets an expired token sent along with a device’s secret pass unheeded; other public routes still refuse it', async () => {
    const payload = device();
    const created = (await signIn(payload)).json();
    await t.database.db.update(sessions).set({ expiresAt: t.clock.now() }).where(eq(sessions.accountId, created.accountId));
    expect((await signIn(payload, bearer(created.token))).statusCode).toBe(201);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: bearer(created.token),
      payload: { email: 'x@example.com', password: 'whatever' },
      remoteAddress: uniqueIp(),
    });
    expect(login.statusCode).toBe(401);
    expect(login.json().error.code).toBe('UNAUTHENTICATED');
  });
});

describe.skipIf(!onPostgres())('device secrets on PostgreSQL', () => {
  it('lets exactly one of two secrets sent at once register for a legacy device', async () => {
    const legacy = await legacyDevice();
    const secrets = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    const results = await Promise.all(secrets.map((deviceSecret) => signIn({ ...legacy.payload, deviceSecret })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 401]);
    const winner = secrets[results.findIndex((r) => r.statusCode === 201)];
    expect((await signIn({ ...legacy.payload, deviceSecret: winner })).statusCode).toBe(201);
  });
});

describe('the owner takes the account back from whoever holds a device id and secret', () => {
  const resetMail = async (email: string) => {
    const [mail] = await queuedMail(t, { to: email, template: 'reset_password' });
    return /"token": "(otp_eml_[A-Za-z0-9_-]+)"/.exec(mail?.bodyText ?? '')?.[1] ?? '';
  };
  const upgraded = async (email: string, password: string) => {
    const payload = device();
    const { token, accountId } = (await signIn(payload)).json() as { token: string; accountId: string };
    const upgrade = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/upgrade',
      headers: bearer(token),
      payload: { email, password },
    });
    expect(upgrade.statusCode, upgrade.body).toBe(200);
    return { payload, accountId };
  };

  it('a password reset unlinks every device: the id and secret no longer sign in, and say to use the e-mail address', async () => {
    const email = `taken-back-${randomUUID()}@example.com`;
    const { payload, accountId } = await upgraded(email, 'the intruder long passphrase');
    await signIn(payload).then((r) => expect(r.statusCode).toBeLessThan(300));

    expect((await signInWithPost('/api/v1/auth/password-reset', { email })).statusCode).toBeLessThan(300);
    const done = await signInWithPost('/api/v1/auth/password-reset/confirm', {
      token: await resetMail(email),
      password: 'the owner new passphrase 9',
    });
    expect(done.statusCode, done.body).toBe(200);

    const again = await signIn(payload);
    expect(again.statusCode).toBe(401);
    expect(again.json().error).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: expect.stringContaining('e-mail address and password'),
    });
    expect((await deviceRow(accountId))?.unlinkedAt).not.toBeNull();
    // A wrong secret for the same id still says only that it is wrong: the account is not revealed.
    const wrong = await signIn({ ...payload, deviceSecret: randomBytes(32).toString('hex') });
    expect(wrong.json().error.message).not.toContain('e-mail');
  });

  it('"sign out everywhere else" and a password change unlink the other devices, never the one in use', async () => {
    const email = `sign-out-others-${randomUUID()}@example.com`;
    const password = 'the owner long passphrase 1';
    const { payload: intruder, accountId } = await upgraded(email, password);
    // The owner signs in on the same device account through its first device, then from the web.
    const owner = (await signIn(intruder)).json() as { token: string };
    const ended = await t.app.inject({ method: 'POST', url: '/api/v1/sessions/revoke-others', headers: bearer(owner.token) });
    expect(ended.json()).toEqual({ ended: 0, devicesUnlinked: 0 });
    // A browser sign-in of the owner ends the app's device access too: the device is another way in.
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: uniqueIp(),
    });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const fromWeb = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/revoke-others',
      headers: { cookie, 'content-type': 'application/json' },
      payload: {},
    });
    expect(fromWeb.json()).toEqual({ ended: 1, devicesUnlinked: 1 });
    expect((await signIn(intruder)).statusCode).toBe(401);
    expect((await deviceRow(accountId))?.unlinkedAt).not.toBeNull();
  });

  it.skipIf(!onPostgres())('a sign-in of the device racing the reset leaves no live session behind (PostgreSQL)', async () => {
    for (let run = 0; run < 3; run++) {
      const email = `race-${randomUUID()}@example.com`;
      const { payload, accountId } = await upgraded(email, 'the intruder long passphrase');
      await signInWithPost('/api/v1/auth/password-reset', { email });
      const token = await resetMail(email);
      let racing = true;
      const intruder = (async () => {
        while (racing) await signIn(payload);
      })();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const done = await signInWithPost('/api/v1/auth/password-reset/confirm', { token, password: 'the owner new passphrase 9' });
      expect(done.statusCode, done.body).toBe(200);
      racing = false;
      await intruder;
      const live = await t.database.db
        .select()
        .from(sessions)
        .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt)));
      expect(live, `run ${run}`).toEqual([]);
    }
  });

  it('an anonymous account keeps its one device: it has no other way in', async () => {
    const payload = device();
    const { token, accountId } = (await signIn(payload)).json() as { token: string; accountId: string };
    const ended = await t.app.inject({ method: 'POST', url: '/api/v1/sessions/revoke-others', headers: bearer(token) });
    expect(ended.json()).toEqual({ ended: 0, devicesUnlinked: 0 });
    expect((await signIn(payload)).statusCode).toBeLessThan(300);
    expect((await deviceRow(accountId))?.unlinkedAt).toBeNull();
  });
});

const signInWithPost = (url: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, payload, remoteAddress: uniqueIp() });
