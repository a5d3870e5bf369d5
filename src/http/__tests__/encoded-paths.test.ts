import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';

/**
 * The router decodes a path before it matches it, so `/%61pi/v1/admin/staff` is the admin route. An
 * outside probe (2026-12-07) found that the access check looked at the URL as sent: with one letter
 * percent-encoded, the staff console's reads answered anyone. Whatever spelling reaches a route, the
 * route's own access rule applies.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

/** The path with the first letter after its first slash percent-encoded (`/api/…` → `/%61pi/…`). */
const encodeFirstLetter = (path: string) => `/%${path.charCodeAt(1).toString(16)}${path.slice(2)}`;

describe('a percent-encoded path', () => {
  it('reaches no route without its access check: a GET that is 401 without credentials is 401 spelled any way', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const reads = Object.entries(document.paths)
      .filter(([path, operations]) => path.startsWith('/api/v1/') && !path.includes('{') && operations.get !== undefined)
      .map(([path]) => path);
    let guarded = 0;
    for (const path of reads) {
      if ((await t.app.inject({ method: 'GET', url: path })).statusCode !== 401) continue;
      guarded++;
      for (const spelling of [encodeFirstLetter(path), path.replace('/v1/', '/%761/'), path.replace('/admin/', '/%61dmin/')]) {
        const response = await t.app.inject({ method: 'GET', url: spelling });
        expect(`${spelling} ${response.statusCode}`).toBe(`${spelling} 401`);
        expect(response.headers['cache-control']).toBe('no-store');
      }
    }
    expect(guarded).toBeGreaterThan(20);
  });

  it("does not let a customer's key read the console, nor a cookie authenticate the 5sim API", async () => {
    const customer = await createActor(t);
    const staffRead = await t.app.inject({ method: 'GET', url: '/%61pi/v1/admin/staff', headers: { authorization: customer.bearer } });
    expect([staffRead.statusCode, staffRead.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const fivesim = await t.app.inject({ method: 'GET', url: '/compat/%35sim/v1/user/profile', headers: { cookie: 'otpbox_session=x' } });
    expect(fivesim.statusCode).toBe(401);
  });
});
