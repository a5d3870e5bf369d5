import { expect } from 'vitest';
import type { Role } from '../../src/db/schema/index.ts';
import { type Actor, createActor, suspend } from './actors.ts';
import type { TestApp } from './app.ts';

/**
 * The authorisation matrix every route must pass (ASVS 8.2.1/8.2.2). For each route:
 * - no credentials → 401, a bogus bearer token → 401;
 * - a signed-in account whose role is not allowed → 403 FORBIDDEN;
 * - a suspended account (of an allowed role) → 403 ACCOUNT_SUSPENDED;
 * - for routes on an object owned by an account: another customer → 404 (never 403: no existence leak).
 * Public routes are only checked to answer without credentials.
 */
export type RouteAccess = 'public' | 'signed-in' | readonly Role[];

export interface Target {
  url: string;
  body?: unknown;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route pattern as registered (`/api/v1/api-keys/:id`). */
  route: string;
  access: RouteAccess;
  /** A concrete request: for owned objects, create one as `owner` and point at it. */
  target?: (t: TestApp, owner: Actor) => Promise<Target>;
  /** The route acts on an object owned by `owner`: other customers must get 404. */
  owned?: boolean;
  /** A streaming route (never ends under inject): its owner path is covered by its own test. */
  streaming?: boolean;
  /** Credentials for the final "the owner may" check when an API key is not the right kind (logout needs a session). */
  ownerHeaders?: (t: TestApp, owner: Actor) => Promise<Record<string, string>>;
  body?: unknown;
}

export interface Actors {
  customer: Actor;
  otherCustomer: Actor;
  support: Actor;
  admin: Actor;
  suspended: Record<Role, Actor>;
}

export async function createActors(t: TestApp): Promise<Actors> {
  const suspended = {
    customer: await createActor(t, 'customer'),
    support: await createActor(t, 'support'),
    admin: await createActor(t, 'admin'),
  };
  for (const actor of Object.values(suspended)) await suspend(t, actor);
  return {
    customer: await createActor(t, 'customer'),
    otherCustomer: await createActor(t, 'customer'),
    support: await createActor(t, 'support'),
    admin: await createActor(t, 'admin'),
    suspended,
  };
}

const ALL_ROLES: readonly Role[] = ['customer', 'support', 'admin'];

export async function checkRouteMatrix(t: TestApp, actors: Actors, spec: RouteSpec): Promise<void> {
  const label = `${spec.method} ${spec.route}`;
  const allowed = spec.access === 'signed-in' ? ALL_ROLES : spec.access === 'public' ? ALL_ROLES : spec.access;
  const ownerRole = allowed.includes('customer') ? 'customer' : (allowed[0] ?? 'admin');
  const owner = ownerRole === 'customer' ? actors.customer : ownerRole === 'support' ? actors.support : actors.admin;
  const fresh = async () => (spec.target ? spec.target(t, owner) : { url: spec.route, body: spec.body });
  const send = async (target: Target, headers: Record<string, string>) =>
    t.app.inject({
      method: spec.method,
      url: target.url,
      headers: target.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      payload: target.body === undefined ? undefined : JSON.stringify(target.body),
    });

  if (spec.access === 'public') {
    const response = await send(await fresh(), {});
    // Login answers 401 INVALID_CREDENTIALS to a wrong password; what must never come is "sign in first".
    const json = String(response.headers['content-type']).includes('json');
    expect(json ? response.json().error?.code : response.statusCode, `${label} must answer without credentials`).not.toBe(
      json ? 'UNAUTHENTICATED' : 401,
    );
    return;
  }

  for (const [what, headers] of [
    ['no credentials', {}],
    ['a bogus bearer token', { authorization: 'Bearer otp_live_notARealKeyAtAllXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' }],
  ] as const) {
    const response = await send(await fresh(), headers);
    expect(response.statusCode, `${label} with ${what}`).toBe(401);
    expect(response.json().error.code, `${label} with ${what}`).toBe('UNAUTHENTICATED');
  }

  for (const role of ALL_ROLES.filter((r) => !allowed.includes(r))) {
    const actor = role === 'customer' ? actors.customer : role === 'support' ? actors.support : actors.admin;
    const response = await send(await fresh(), { authorization: actor.bearer });
    expect(response.statusCode, `${label} as ${role}`).toBe(403);
    expect(response.json().error.code, `${label} as ${role}`).toBe('FORBIDDEN');
  }

  const suspendedActor = actors.suspended[ownerRole];
  const asSuspended = await send(await fresh(), { authorization: suspendedActor.bearer });
  expect(asSuspended.statusCode, `${label} as a suspended ${ownerRole}`).toBe(403);
  expect(asSuspended.json().error.code, `${label} as a suspended ${ownerRole}`).toBe('ACCOUNT_SUSPENDED');

  if (spec.owned) {
    const response = await send(await fresh(), { authorization: actors.otherCustomer.bearer });
    expect(response.statusCode, `${label} on another account's object`).toBe(404);
    expect(response.json().error.code, `${label} on another account's object`).toBe('NOT_FOUND');
  }

  if (spec.streaming) return;
  const ownerHeaders = spec.ownerHeaders ? await spec.ownerHeaders(t, owner) : { authorization: owner.bearer };
  const asOwner = await send(await fresh(), ownerHeaders);
  expect(asOwner.statusCode, `${label} as its ${ownerRole} owner: ${asOwner.body}`).toBeLessThan(400);
}

/** Every documented /api/v1 operation, as `METHOD /pattern`, from the app's own OpenAPI document. */
export async function documentedApiRoutes(t: TestApp): Promise<string[]> {
  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/v1/'))
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort();
}
