import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { generateSync } from 'otplib';
import pino from 'pino';
import {
  confirmEnrolment,
  createApiKey,
  createStaffAccount,
  issueEnrolment,
  readEnrolment,
  suspendAccount,
} from '../../src/modules/accounts/index.ts';
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

/** A new app install's anonymous account (`POST /api/v1/auth/device`, an iPhone): its bearer device token. */
export async function deviceToken(t: TestApp): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/device',
    payload: {
      ...newDeviceCredentials(),
      platform: 'ios',
      osVersion: '18.2',
      model: 'iPhone15,3',
      appVersion: '3.4.1',
      ageConfirmed: true,
      policyVersion: t.policy.version,
    },
    remoteAddress: uniqueIp(),
  });
  if (response.statusCode !== 201) throw new Error(`device sign-in failed: ${response.body}`);
  return response.json().token as string;
}

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
  /**
   * The headers that let this actor act in its role: the API key for customers; for staff, the cookie
   * of a console session signed in with password and TOTP (staff routes refuse API keys, ADR 31).
   */
  auth?: Record<string, string>;
  /** Staff: the TOTP secret enrolled, to make codes (`totpCode`). */
  totpSecret?: string;
}

/** The authenticator's code for `secret` at `at` (+ `stepsAhead` × 30 s). */
export const totpCode = (secret: string, at: Date, stepsAhead = 0) =>
  generateSync({ secret, epoch: Math.floor(at.getTime() / 1000) + stepsAhead * 30 });

/** Enrol a staff account's second factor as its enrolment link would: the secret, the first code, the recovery codes. */
export async function enrolStaff(t: TestApp, accountId: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const link = await issueEnrolment(ctxOf(t, 'cli'), accountId, { reset: false });
  const token = new URL(link.url).hash.replace('#token=', '');
  const { secret } = await readEnrolment(ctxOf(t), token);
  const { recoveryCodes } = await confirmEnrolment(ctxOf(t), token, totpCode(secret, t.clock.now()));
  return { secret, recoveryCodes };
}

/**
 * Sign a staff account in as the console does: password, then a TOTP code (the next step's, accepted
 * within the tolerance, since enrolment used this step's). Returns the session cookie.
 */
export async function staffSignIn(t: TestApp, email: string, secret: string, password = GOOD_PASSWORD): Promise<string> {
  const remoteAddress = uniqueIp();
  const first = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
  if (first.statusCode !== 200 || first.json().secondFactor !== 'totp') throw new Error(`staff login failed: ${first.body}`);
  const second = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login/totp',
    headers: { cookie: cookieHeader(first) },
    payload: { code: totpCode(secret, t.clock.now(), 1) },
    remoteAddress,
  });
  if (second.statusCode !== 200) throw new Error(`staff second factor failed: ${second.body}`);
  return cookieHeader(second);
}

/** An e-mail account of any role, with an API key for bearer requests. */
export async function createActor(t: TestApp, role: 'customer' | 'support' | 'admin' = 'customer'): Promise<Actor> {
  const email = uniqueEmail(role);
  if (role === 'customer') {
    const { accountId } = await signUp(t, email);
    const key = await createApiKey(ctxOf(t), accountId, 'test');
    return { accountId, email, bearer: `Bearer ${key.key}`, auth: { authorization: `Bearer ${key.key}` } };
  }
  const { accountId } = await createStaffAccount(ctxOf(t, 'cli'), { email, password: GOOD_PASSWORD, role });
  const key = await createApiKey(ctxOf(t), accountId, 'test');
  const { secret } = await enrolStaff(t, accountId);
  const cookie = await staffSignIn(t, email, secret);
  return { accountId, email, bearer: `Bearer ${key.key}`, auth: { cookie }, totpSecret: secret };
}

export async function suspend(t: TestApp, actor: Actor) {
  await suspendAccount(ctxOf(t, 'cli'), actor.accountId, 'test suspension');
}

/**
 * The headers of a new web session of `actor`, signed in with its password: for what only the owner
 * signed in may do (an API key is refused there, ADR 7). JSON, as cookie writes must be.
 */
export async function signedIn(t: TestApp, actor: { email: string }): Promise<Record<string, string>> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: actor.email, password: GOOD_PASSWORD },
    remoteAddress: uniqueIp(),
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  return { cookie: cookieHeader(response), 'content-type': 'application/json' };
}

/** A JSON request with a bearer token. */
export const asBearer = (actor: Actor) => ({ authorization: actor.bearer });

/** Headers of a request the actor makes in its role (staff: the console session; see `Actor.auth`). */
export const asActor = (actor: Actor): Record<string, string> => actor.auth ?? { authorization: actor.bearer };
