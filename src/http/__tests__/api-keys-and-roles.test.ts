import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor, signedIn, signUp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { apiKeys, securityEvents } from '../../db/schema/index.ts';
import { renderPolicy } from '../../modules/privacy/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

/** A customer's API key; staff act through their console session (staff routes refuse API keys, ADR 31). */
const as = (actor: Actor | string) => (typeof actor === 'string' ? { authorization: `Bearer ${actor}` } : asActor(actor));

describe('API keys', () => {
  it('are shown once, recognisable, stored as SHA-256, listed without the key, and authenticate until revoked', async () => {
    const user = await signUp(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: user.cookie },
      payload: { name: 'scraper' },
    });
    expect(created.statusCode).toBe(201);
    const { id, key, displayPrefix } = created.json();
    expect(key).toMatch(/^otp_live_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(displayPrefix)).toBe(true);
    const [row] = await t.database.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    expect(row?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key);

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(key) });
    expect(me.json().id).toBe(user.accountId);
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: as(key) })).json().apiKeys;
    expect(list).toEqual([expect.objectContaining({ id, name: 'scraper', lastUsedAt: expect.any(String) })]);
    expect(JSON.stringify(list)).not.toContain(key);

    // As the web app sends it: a signed-in browser's DELETE is JSON too (CSRF); without it, refused.
    const plain = await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: { cookie: user.cookie } });
    expect([plain.statusCode, plain.json().error.code]).toEqual([403, 'CSRF_REJECTED']);
    const asJson = { cookie: user.cookie, 'content-type': 'application/json' };
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: asJson, payload: {} })).statusCode).toBe(204);
    const revoked = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(key) });
    expect(revoked.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: asJson, payload: {} })).statusCode).toBe(404);
    const events = await t.database.db.select().from(securityEvents).where(eq(securityEvents.accountId, user.accountId));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['api_key_created', 'api_key_revoked']));
  });

  it('cannot be revoked by another account (404, not 403)', async () => {
    const owner = await signUp(t);
    const stranger = await createActor(t);
    const key = (
      await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie: owner.cookie }, payload: { name: 'mine' } })
    ).json();
    const response = await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: as(stranger) });
    expect(response.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(key.key) })).statusCode).toBe(200);
  });

  it('are refused when malformed, and names are required', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer otp_live_short' } })).statusCode).toBe(
      401,
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic Zm9vOmJhcg==' } })).statusCode).toBe(
      401,
    );
    // Keys are made signed in (an API key cannot make more: ADR 7).
    const user = await signUp(t);
    const blank = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: user.cookie },
      payload: { name: '  ' },
    });
    expect(blank.statusCode).toBe(400);
  });

  it('are limited to 20 active per account', async () => {
    const user = await signUp(t);
    const headers = { cookie: user.cookie };
    for (let i = 0; i < 20; i++) {
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers, payload: { name: `k${i}` } })).statusCode).toBe(201);
    }
    const over = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers, payload: { name: 'one too many' } });
    expect(over.statusCode).toBe(409);
  });
});

describe('roles and suspension', () => {
  it('let support look up and suspend customers (an admin lifts it); a suspended account is refused everywhere, keys included', async () => {
    const support = await createActor(t, 'support');
    const admin = await createActor(t, 'admin');
    const customer = await createActor(t);
    const view = await t.app.inject({ method: 'GET', url: `/api/v1/admin/accounts/${customer.accountId}`, headers: as(support) });
    expect(view.json()).toMatchObject({ id: customer.accountId, role: 'customer', status: 'active' });
    expect(JSON.stringify(view.json())).not.toMatch(/argon2|password/i);

    const suspend = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/accounts/${customer.accountId}/suspend`,
      headers: as(support),
      payload: { reason: 'chargeback fraud' },
    });
    expect(suspend.statusCode).toBe(204);
    const refused = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(customer) });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('ACCOUNT_SUSPENDED');
    const [event] = await t.database.db.select().from(securityEvents).where(eq(securityEvents.type, 'account_suspended'));
    expect(event).toMatchObject({ accountId: customer.accountId, actor: support.accountId, details: { reason: 'chargeback fraud' } });

    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/admin/accounts/${customer.accountId}/unsuspend`,
          headers: as(support),
          payload: { reason: 'dispute settled' },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/admin/accounts/${customer.accountId}/unsuspend`,
          headers: as(admin),
          payload: { reason: 'dispute settled' },
        })
      ).statusCode,
    ).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(customer) })).statusCode).toBe(200);
  });

  it('let only admins change roles, never their own, and end the sessions of a changed account', async () => {
    const admin = await createActor(t, 'admin');
    const support = await createActor(t, 'support');
    const user = await signUp(t);
    const bySupport = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/accounts/${user.accountId}/role`,
      headers: as(support),
      payload: { role: 'admin', reason: 'new team lead' },
    });
    expect(bySupport.statusCode).toBe(403);
    const promote = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/accounts/${user.accountId}/role`,
      headers: as(admin),
      payload: { role: 'support', reason: 'joins support' },
    });
    expect(promote.json()).toEqual({ from: 'customer', to: 'support' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })).statusCode).toBe(401);
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/accounts/${admin.accountId}/role`,
      headers: as(admin),
      payload: { role: 'customer', reason: 'self demotion' },
    });
    expect(self.statusCode).toBe(409);
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/admin/accounts/acc_nobody', headers: as(admin) });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('rate limits', () => {
  it('answer 429 with Retry-After past API_RATE_LIMIT per minute, per account, and reset next minute', async () => {
    const limited = await createTestApp({ env: { API_RATE_LIMIT: '5' }, database: t.database });
    try {
      const user = await createActor(limited);
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await limited.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(user) }));
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200, 429]);
      // Every answer says what is left and when the window starts over (RateLimit header fields).
      expect(answers.map((answer) => answer.headers.ratelimit)).toEqual([
        '"api";r=4;t=60',
        '"api";r=3;t=60',
        '"api";r=2;t=60',
        '"api";r=1;t=60',
        '"api";r=0;t=60',
        '"api";r=0;t=60',
      ]);
      expect(answers[0]?.headers['ratelimit-policy']).toBeUndefined();
      limited.clock.advance(15_000);
      const last = await limited.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(user) });
      expect(last.json().error.code).toBe('RATE_LIMITED');
      expect(last.headers['retry-after']).toBe('45');
      expect(last.headers.ratelimit).toBe('"api";r=0;t=45');
      expect(last.headers['ratelimit-policy']).toBe('"api";q=5;w=60');
      const other = await createActor(limited);
      expect((await limited.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(other) })).statusCode).toBe(200);
      limited.clock.advance(45_000);
      expect((await limited.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(user) })).statusCode).toBe(200);
    } finally {
      await limited.app.close();
    }
  });

  it('are off with API_RATE_LIMIT=0', async () => {
    const unlimited = await createTestApp({ env: { API_RATE_LIMIT: '0' }, database: t.database });
    try {
      const user = await createActor(unlimited);
      for (let i = 0; i < 30; i++)
        expect((await unlimited.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(user) })).statusCode).toBe(200);
    } finally {
      await unlimited.app.close();
    }
  });
});

describe('per-address limit without credentials', () => {
  const catalog = (app: TestApp, remoteAddress: string, headers: Record<string, string> = {}) =>
    app.app.inject({ method: 'GET', url: '/api/v1/services', remoteAddress, headers });

  it('answers 429 with Retry-After past PUBLIC_RATE_LIMIT per minute and address, announced like the API limit', async () => {
    const limited = await createTestApp({ env: { PUBLIC_RATE_LIMIT: '3' }, database: t.database });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await catalog(limited, '203.0.113.7'));
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 429]);
      expect(answers.map((answer) => answer.headers.ratelimit)).toEqual([
        '"ip";r=2;t=60',
        '"ip";r=1;t=60',
        '"ip";r=0;t=60',
        '"ip";r=0;t=60',
      ]);
      const refused = answers[3];
      expect(refused?.json().error.code).toBe('RATE_LIMITED');
      expect(refused?.headers['retry-after']).toBe('60');
      expect(refused?.headers['ratelimit-policy']).toBe('"ip";q=3;w=60');
      // Other public routes, and credentials that are not valid, count against the same address.
      expect((await limited.app.inject({ method: 'GET', url: '/api/v1/privacy/policy', remoteAddress: '203.0.113.7' })).statusCode).toBe(
        429,
      );
      const bogus = { authorization: 'Bearer otp_live_notARealKeyAtAllXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' };
      expect((await catalog(limited, '203.0.113.7', bogus)).statusCode).toBe(429);
      // Another address is not affected; a signed-in request from the same one is counted per account.
      expect((await catalog(limited, '203.0.113.8')).statusCode).toBe(200);
      const user = await createActor(limited);
      const signedIn = await catalog(limited, '203.0.113.7', as(user));
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.headers.ratelimit).toMatch(/^"api";/);
      limited.clock.advance(60_000);
      expect((await catalog(limited, '203.0.113.7')).statusCode).toBe(200);
    } finally {
      await limited.app.close();
    }
  });

  it('counts the client named by the proxy when TRUST_PROXY is set, and the proxy itself when not', async () => {
    for (const trusted of [true, false]) {
      const limited = await createTestApp({ env: { PUBLIC_RATE_LIMIT: '2', TRUST_PROXY: String(trusted) }, database: t.database });
      try {
        const via = (client: string) => catalog(limited, '10.0.0.2', { 'x-forwarded-for': client });
        const first = [await via('198.51.100.1'), await via('198.51.100.1'), await via('198.51.100.1')].map((r) => r.statusCode);
        expect(first).toEqual([200, 200, 429]);
        expect((await via('198.51.100.2')).statusCode, `TRUST_PROXY=${trusted}`).toBe(trusted ? 200 : 429);
      } finally {
        await limited.app.close();
      }
    }
  });

  it('is off with PUBLIC_RATE_LIMIT=0', async () => {
    const unlimited = await createTestApp({ env: { PUBLIC_RATE_LIMIT: '0' }, database: t.database });
    try {
      for (let i = 0; i < 10; i++) {
        const answer = await catalog(unlimited, '203.0.113.9');
        expect(answer.statusCode).toBe(200);
        expect(answer.headers.ratelimit).toBeUndefined();
      }
    } finally {
      await unlimited.app.close();
    }
  });
});

describe('privacy policy and consent', () => {
  it('publishes the current policy with its version, date and minimum age', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/privacy/policy' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      version: t.policy.version,
      lastUpdated: t.policy.lastUpdated,
      minimumAge: 18,
      accountKinds: ['email', 'device'],
      text: renderPolicy(t.config),
    });
    expect(response.json().text).toContain('at least 18 years old');
  });

  it('asks customers to accept a changed policy (P14), and records the acceptance', async () => {
    const user = await createActor(t);
    t.clock.set('2026-12-05T10:00:00Z');
    const changed = await createTestApp({ env: { SMS_STORAGE: 'ephemeral', MIN_AGE: '13' }, database: t.database, clock: t.clock });
    try {
      expect(changed.policy.version).not.toBe(t.policy.version);
      expect(changed.policy.text).toContain('not stored');
      expect(changed.policy.lastUpdated).toBe('2026-12-05');
      expect(changed.policy.version.startsWith('2026-12-05.')).toBe(true);
      const before = (await changed.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(user) })).json();
      expect(before.policy).toMatchObject({
        acceptedVersion: t.policy.version,
        currentVersion: changed.policy.version,
        acceptanceRequired: true,
      });
      // Consent is the owner's, signed in: a script's key cannot give it.
      const byKey = await changed.app.inject({
        method: 'POST',
        url: '/api/v1/privacy/consent',
        headers: as(user),
        payload: { policyVersion: changed.policy.version, ageConfirmed: true },
      });
      expect([byKey.statusCode, byKey.json().error.code]).toEqual([403, 'FORBIDDEN']);
      const session = await signedIn(changed, user);
      const stale = await changed.app.inject({
        method: 'POST',
        url: '/api/v1/privacy/consent',
        headers: session,
        payload: { policyVersion: t.policy.version, ageConfirmed: true },
      });
      expect(stale.json().error.code).toBe('POLICY_OUTDATED');
      const accept = await changed.app.inject({
        method: 'POST',
        url: '/api/v1/privacy/consent',
        headers: session,
        payload: { policyVersion: changed.policy.version, ageConfirmed: true },
      });
      expect(accept.statusCode).toBe(204);
      const after = (await changed.app.inject({ method: 'GET', url: '/api/v1/me', headers: as(user) })).json();
      expect(after.policy.acceptanceRequired).toBe(false);
    } finally {
      await changed.app.close();
    }
  });
});
