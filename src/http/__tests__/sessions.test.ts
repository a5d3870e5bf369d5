import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, signUp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { securityEvents } from '../../db/schema/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const get = (url: string, cookie: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });
const login = async (email: string, password: string, userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0') => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    headers: { 'user-agent': userAgent },
    remoteAddress: '203.0.113.77',
  });
  return cookieHeader(response);
};

describe('sessions', () => {
  it('lists where I am signed in, marks this one, and signs out one or all others', async () => {
    const user = await signUp(t);
    const laptop = await login(user.email, user.password, 'Laptop Browser/1.0');
    const phone = await login(user.email, user.password, 'Phone Browser/2.0');
    const listed = (await get('/api/v1/sessions', laptop)).json().sessions;
    expect(listed).toHaveLength(3);
    const current = listed.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({ kind: 'browser', userAgent: 'Laptop Browser/1.0', ipPrefix: '203.0.113.0/24' });
    const phoneSession = listed.find((s: { userAgent: string }) => s.userAgent === 'Phone Browser/2.0');

    const one = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/sessions/${phoneSession.id}`,
      headers: { cookie: laptop, 'content-type': 'application/json' },
      payload: {},
    });
    expect(one.statusCode).toBe(204);
    expect((await get('/api/v1/me', phone)).statusCode).toBe(401);
    const others = await t.app.inject({ method: 'POST', url: '/api/v1/sessions/revoke-others', headers: { cookie: laptop }, payload: {} });
    expect(others.json()).toEqual({ ended: 1, devicesUnlinked: 0 });
    expect((await get('/api/v1/me', user.cookie)).statusCode).toBe(401);
    expect((await get('/api/v1/me', laptop)).statusCode).toBe(200);
    const unknown = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/ses_nope',
      headers: { cookie: laptop, 'content-type': 'application/json' },
      payload: {},
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('end after 30 minutes without activity', async () => {
    const user = await signUp(t);
    t.clock.advance(29 * 60_000);
    expect((await get('/api/v1/me', user.cookie)).statusCode).toBe(200);
    t.clock.advance(29 * 60_000);
    expect((await get('/api/v1/me', user.cookie)).statusCode).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await get('/api/v1/me', user.cookie)).statusCode).toBe(401);
  });

  it('end 12 hours after sign-in, however active', async () => {
    const user = await signUp(t);
    for (let hour = 0; hour < 12 * 3 - 1; hour++) {
      t.clock.advance(20 * 60_000);
      expect((await get('/api/v1/me', user.cookie)).statusCode, `after ${(hour + 1) * 20} minutes`).toBe(200);
    }
    t.clock.advance(20 * 60_000);
    expect((await get('/api/v1/me', user.cookie)).statusCode).toBe(401);
  });
});

describe('security events', () => {
  it('record sign-ins with a truncated IP and a keyed hash, and customers see only their own', async () => {
    const user = await signUp(t);
    const other = await signUp(t);
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'wrong password!!' },
      remoteAddress: '2001:db8:1234:5678::9',
    });
    const cookie = await login(user.email, user.password);
    const events = (await get('/api/v1/security-events', cookie)).json().events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['login_succeeded', 'login_failed', 'signup']);
    expect(events[1]).toMatchObject({ ipPrefix: '2001:db8:1234::/48', byStaff: false });
    const [stored] = await t.database.db.select().from(securityEvents).where(eq(securityEvents.type, 'login_failed'));
    expect(stored?.ipHash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(stored)).not.toContain('2001:db8:1234:5678');
    const theirs = (await get('/api/v1/security-events', other.cookie)).json().events;
    expect(theirs.map((e: { type: string }) => e.type)).toEqual(['signup']);
  });

  it('paginate with a cursor', async () => {
    const user = await signUp(t);
    for (let i = 0; i < 3; i++) await login(user.email, user.password);
    const cookie = await login(user.email, user.password);
    const page1 = (await get('/api/v1/security-events?limit=2', cookie)).json();
    expect(page1.events).toHaveLength(2);
    const page2 = (await get(`/api/v1/security-events?limit=2&before=${page1.nextCursor}`, cookie)).json();
    expect(page2.events).toHaveLength(2);
    expect(page2.events[0].id < page1.events[1].id).toBe(true);
  });
});
