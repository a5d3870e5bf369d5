import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { createApiKey, createStaffAccount, suspendAccount } from '../../src/modules/accounts/index.ts';
import type { Ctx } from '../../src/modules/context.ts';
import type { TestApp } from './app.ts';

export const GOOD_PASSWORD = 'correct horse battery staple 42';
let counter = 0;
export const uniqueEmail = (label = 'user') => `${label}-${Date.now().toString(36)}-${++counter}@example.com`;
/** A distinct client address (TEST-NET-2 / documentation range), so per-network limits see separate people. */
export const uniqueIp = () => {
  const n = ++counter;
  return `198.18.${(n >> 8) & 255}.${n & 255}`;
};

/** A domain context on the test app's database (for arranging state without HTTP). */
export const ctxOf = (t: TestApp, actor?: string): Ctx => ({
  db: t.database.db,
  clock: t.clock,
  config: t.config,
  keys: t.keys,
  log: pino({ level: 'silent' }),
  actor,
});

/** A new device's credentials as an app makes them: a random id (UUID v4) and a 256-bit secret. */
export const newDeviceCredentials = () => ({ deviceId: randomUUID(), deviceSecret: randomBytes(32).toString('base64url') });

/** Cookies from Set-Cookie headers, as a Cookie request header value. */
export function cookieHeader(response: LightMyRequestResponse, previous = ''): string {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
  for (const cookie of response.cookies) {
    if (cookie.value === '' || (cookie.maxAge !== undefined && cookie.maxAge <= 0)) jar.delete(cookie.name);
    else jar.set(cookie.name, cookie.value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** Sign up through the API; returns the cookie header of the new browser session. */
export async function signUp(t: TestApp, email = uniqueEmail(), password = GOOD_PASSWORD) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email, password, ageConfirmed: true, policyVersion: t.policy.version },
    remoteAddress: uniqueIp(),
  });
  if (response.statusCode !== 201) throw new Error(`signup failed: ${response.body}`);
  return { email, password, accountId: response.json().accountId as string, cookie: cookieHeader(response) };
}

export interface Actor {
  accountId: string;
  email: string;
  /** `Authorization` header value with an API key of this account. */
  bearer: string;
}

/** An e-mail account of any role, with an API key for bearer requests. */
export async function createActor(t: TestApp, role: 'customer' | 'support' | 'admin' = 'customer'): Promise<Actor> {
  let accountId: string;
  const email = uniqueEmail(role);
  if (role === 'customer') accountId = (await signUp(t, email)).accountId;
  else accountId = (await createStaffAccount(ctxOf(t, 'cli'), { email, password: GOOD_PASSWORD, role })).accountId;
  const key = await createApiKey(ctxOf(t), accountId, 'test');
  return { accountId, email, bearer: `Bearer ${key.key}` };
}

export async function suspend(t: TestApp, actor: Actor) {
  await suspendAccount(ctxOf(t, 'cli'), actor.accountId, 'test suspension');
}

/** A JSON request with a bearer token. */
export const asBearer = (actor: Actor) => ({ authorization: actor.bearer });
