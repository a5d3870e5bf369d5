import { expect } from 'vitest';
import type { Role } from '../../src/db/schema/index.ts';
import { type Actor, asActor, createActor, suspend, uniqueIp } from './actors.ts';
import type { TestApp } from './app.ts';

/**
 * The authorisation matrix every route must pass (ASVS 8.2.1/8.2.2). For each route:
 * - no credentials → 401, a bogus bearer token → 401;
 * - a signed-in account whose role is not allowed → 403 FORBIDDEN;
 * - a suspended account (of an allowed role) → 403 ACCOUNT_SUSPENDED;
 * - for routes on an object owned by an account: another customer → 404 (never 403: no existence leak);
 * - staff routes: a staff account's API key → 403 TWO_FACTOR_REQUIRED (staff act through a console
 *   session signed in with the second factor, ADR 31), and that session may;
 * - owner-only routes (`apiKey: 'refused'`, the route's `config.signedInOnly`): the owner's API key →
 *   403 FORBIDDEN, and the OpenAPI document lists the operation's credentials without the API key —
 *   on every other route it does not restrict them, and the owner's API key may (the final check).
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
  /** Credentials of the other customer for the `owned` check, when an API key is refused there before any lookup. */
  strangerHeaders?: (t: TestApp, stranger: Actor) => Promise<Record<string, string>>;
  /** Only the owner signed in (web or app) may: an API key is refused (ADR 7). Such a route needs `ownerHeaders`. */
  apiKey?: 'refused';
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

/** The role and actor whose own request to the route succeeds. */
function ownerOf(actors: Actors, spec: RouteSpec): { ownerRole: Role; owner: Actor } {
  const allowed = spec.access === 'signed-in' ? ALL_ROLES : spec.access === 'public' ? ALL_ROLES : spec.access;
  const ownerRole = allowed.includes('customer') ? 'customer' : (allowed[0] ?? 'admin');
  const owner = ownerRole === 'customer' ? actors.customer : ownerRole === 'support' ? actors.support : actors.admin;
  return { ownerRole, owner };
}

export async function checkRouteMatrix(t: TestApp, actors: Actors, spec: RouteSpec): Promise<void> {
  const label = `${spec.method} ${spec.route}`;
  const allowed = spec.access === 'signed-in' ? ALL_ROLES : spec.access === 'public' ? ALL_ROLES : spec.access;
  const { ownerRole, owner } = ownerOf(actors, spec);
  const fresh = async () => (spec.target ? spec.target(t, owner) : { url: spec.route, body: spec.body });
  const send = async (target: Target, headers: Record<string, string>) => {
    // A browser session's POST or DELETE is JSON (CSRF defence), so a cookie request without a body sends `{}`.
    const body = target.body === undefined && headers.cookie !== undefined && spec.method !== 'GET' ? {} : target.body;
    return t.app.inject({
      method: spec.method,
      url: target.url,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
  };

  // Every refusal the matrix meets must be one the route's OpenAPI document lists.
  const operation = (await documentedApiOperations(t)).get(label);
  const expectDocumented = (response: { statusCode: number; json(): { error: { code: string } } }, what: string) => {
    const code = response.json().error.code;
    expect(documents(operation, response.statusCode, code), `${label} ${what}: ${response.statusCode} ${code} is in /openapi.json`).toBe(
      true,
    );
  };

  // The credentials the OpenAPI document lists (the document's own when the operation names none).
  const security = operation?.security ?? (await documentSecurity(t));
  const takes = (scheme: string) => security.some((requirement) => scheme in requirement);

  if (spec.access === 'public') {
    expect(security, `${label}: /openapi.json says it needs no credentials`).toEqual([]);
    const response = await send(await fresh(), {});
    // Login answers 401 INVALID_CREDENTIALS to a wrong password; what must never come is "sign in first".
    const json = String(response.headers['content-type']).includes('json');
    expect(json ? response.json().error?.code : response.statusCode, `${label} must answer without credentials`).not.toBe(
      json ? 'UNAUTHENTICATED' : 401,
    );
    if (json && response.statusCode >= 400) expectDocumented(response, 'without credentials');
    return;
  }

  if (!allowed.includes('customer')) {
    expect(security, `${label}: /openapi.json says a console session only`).toEqual([{ session: [] }]);
  } else {
    expect(takes('apiKey'), `${label}: /openapi.json ${takes('apiKey') ? 'accepts' : 'refuses'} API keys`).toBe(spec.apiKey !== 'refused');
    expect(takes('session') && takes('deviceToken'), `${label}: /openapi.json takes a session and a device token`).toBe(true);
  }

  for (const [what, headers] of [
    ['no credentials', {}],
    ['a bogus bearer token', { authorization: 'Bearer otp_live_notARealKeyAtAllXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' }],
  ] as const) {
    const response = await send(await fresh(), headers);
    expect(response.statusCode, `${label} with ${what}`).toBe(401);
    expect(response.json().error.code, `${label} with ${what}`).toBe('UNAUTHENTICATED');
    expectDocumented(response, `with ${what}`);
  }

  for (const role of ALL_ROLES.filter((r) => !allowed.includes(r))) {
    const actor = role === 'customer' ? actors.customer : role === 'support' ? actors.support : actors.admin;
    const response = await send(await fresh(), asActor(actor));
    expect(response.statusCode, `${label} as ${role}`).toBe(403);
    expect(response.json().error.code, `${label} as ${role}`).toBe('FORBIDDEN');
    expectDocumented(response, `as ${role}`);
  }

  const suspendedActor = actors.suspended[ownerRole];
  const asSuspended = await send(await fresh(), { authorization: suspendedActor.bearer });
  expect(asSuspended.statusCode, `${label} as a suspended ${ownerRole}`).toBe(403);
  expect(asSuspended.json().error.code, `${label} as a suspended ${ownerRole}`).toBe('ACCOUNT_SUSPENDED');
  expectDocumented(asSuspended, `as a suspended ${ownerRole}`);

  if (spec.owned) {
    const stranger = spec.strangerHeaders
      ? await spec.strangerHeaders(t, actors.otherCustomer)
      : { authorization: actors.otherCustomer.bearer };
    const response = await send(await fresh(), stranger);
    expect(response.statusCode, `${label} on another account's object`).toBe(404);
    expect(response.json().error.code, `${label} on another account's object`).toBe('NOT_FOUND');
    expectDocumented(response, "on another account's object");
  }

  if (!allowed.includes('customer')) {
    const byKey = await send(await fresh(), { authorization: owner.bearer });
    expect(byKey.statusCode, `${label} with a ${ownerRole}'s API key`).toBe(403);
    expect(byKey.json().error.code, `${label} with a ${ownerRole}'s API key`).toBe('TWO_FACTOR_REQUIRED');
    expectDocumented(byKey, `with a ${ownerRole}'s API key`);
  }

  if (spec.apiKey === 'refused') {
    const byKey = await send(await fresh(), { authorization: owner.bearer });
    expect(byKey.statusCode, `${label} with its ${ownerRole} owner's API key`).toBe(403);
    expect(byKey.json().error.code, `${label} with its ${ownerRole} owner's API key`).toBe('FORBIDDEN');
    expectDocumented(byKey, `with its ${ownerRole} owner's API key`);
  }

  if (spec.streaming) return;
  const ownerHeaders = spec.ownerHeaders ? await spec.ownerHeaders(t, owner) : asActor(owner);
  // A query parameter the route does not know (a misspelt filter) is refused, never ignored (closed-query.ts).
  const target = await fresh();
  const unknown = await send({ ...target, url: `${target.url}${target.url.includes('?') ? '&' : '?'}matrixUnknown=1` }, ownerHeaders);
  expect(unknown.statusCode, `${label} with an unknown query parameter: ${unknown.body}`).toBe(400);
  expect(unknown.json().error.code, `${label} with an unknown query parameter`).toBe('VALIDATION_FAILED');
  expect(unknown.json().error.message, `${label} names the parameter`).toContain('matrixUnknown');
  expectDocumented(unknown, 'with an unknown query parameter');
  const asOwner = await send(await fresh(), ownerHeaders);
  expect(asOwner.statusCode, `${label} as its ${ownerRole} owner: ${asOwner.body}`).toBeLessThan(400);
}

/** Every documented /api/v1 operation, as `METHOD /pattern`, from the app's own OpenAPI document. */
export async function documentedApiRoutes(t: TestApp): Promise<string[]> {
  return [...(await documentedApiOperations(t)).keys()].sort();
}

/** What the OpenAPI document says of an operation's inputs. */
export interface Operation {
  parameters?: { in: 'path' | 'query' | 'header' | 'cookie'; name: string; schema?: { type?: string } }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, { type?: string }> } }> };
  /** The credentials it takes, when it restricts them (by scheme name: `apiKey`, `deviceToken`, `session`). */
  security?: Record<string, string[]>[];
  /** By status; an error response's description names the codes it carries (http/error-responses.ts). */
  responses?: Record<string, { description?: string }>;
}

/** Whether the operation's OpenAPI error responses list this refusal: its code, under its status. */
export function documents(operation: Operation | undefined, status: number, code: string): boolean {
  return operation?.responses?.[String(status)]?.description?.includes(`\`${code}\``) ?? false;
}

/** The credentials the OpenAPI document asks for where an operation names none. */
async function documentSecurity(t: TestApp): Promise<Record<string, string[]>[]> {
  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { security?: Record<string, string[]>[] };
  return document.security ?? [];
}

/** Every documented /api/v1 operation by `METHOD /pattern`. */
export async function documentedApiOperations(t: TestApp): Promise<Map<string, Operation>> {
  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, Operation>>;
  };
  return new Map(
    Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(
          ([method, operation]) => [`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, operation] as const,
        ),
      ),
  );
}

/** Text PostgreSQL cannot store (lib/text.ts); each value sent carries a marker to look for in the logs. */
const UNSTORABLE = [
  ['a NUL', '\u0000'],
  ['an unpaired surrogate', '\ud800'],
] as const;

/**
 * Every text input of a route — each body field, query and path parameter and header the OpenAPI
 * document lists as a string — given text the database cannot store, one at a time, in the owner's
 * otherwise valid request: each must answer 400 VALIDATION_FAILED naming that field (never a 500, and
 * so never a statement that fails with the value in its parameters). Returns how many were sent.
 * Path and query values carry only the NUL (`%00`): an unpaired surrogate cannot be percent-encoded.
 */
export async function checkUnstorableText(
  t: TestApp,
  actors: Actors,
  spec: RouteSpec,
  operation: Operation,
  marker: () => string,
): Promise<number> {
  const label = `${spec.method} ${spec.route}`;
  const { owner } = ownerOf(actors, spec);
  const headersOf = async (): Promise<Record<string, string>> =>
    spec.access === 'public' ? {} : spec.ownerHeaders ? spec.ownerHeaders(t, owner) : asActor(owner);
  const valid = async () => (spec.target ? spec.target(t, owner) : { url: spec.route, body: spec.body });
  const send = async (target: Target, headers: Record<string, string>) =>
    t.app.inject({
      method: spec.method,
      url: target.url,
      headers: target.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      payload: target.body === undefined ? undefined : JSON.stringify(target.body),
      remoteAddress: uniqueIp(),
    });
  const expectRefused = (response: Awaited<ReturnType<typeof send>>, field: string, what: string) => {
    expect(response.statusCode, `${label}: ${what} in ${field} → ${response.body}`).toBe(400);
    const error = response.json().error;
    expect(error.code, `${label}: ${what} in ${field}`).toBe('VALIDATION_FAILED');
    expect(
      error.details.issues.map((issue: { field: string }) => issue.field),
      `${label}: ${what} in ${field}`,
    ).toContain(field);
  };

  let sent = 0;
  const textFields = Object.entries(operation.requestBody?.content?.['application/json']?.schema?.properties ?? {})
    .filter(([, schema]) => schema.type === 'string')
    .map(([name]) => name);
  for (const name of textFields) {
    for (const [what, character] of UNSTORABLE) {
      const target = await valid();
      const body = { ...((target.body as Record<string, unknown> | undefined) ?? {}), [name]: `${marker()}${character}` };
      expectRefused(await send({ url: target.url, body }, await headersOf()), `body.${name}`, what);
      sent++;
    }
  }
  for (const parameter of operation.parameters ?? []) {
    if (parameter.schema?.type !== 'string') continue;
    const target = await valid();
    const headers = await headersOf();
    if (parameter.in === 'query') {
      const url = `${target.url}${target.url.includes('?') ? '&' : '?'}${parameter.name}=${encodeURIComponent(marker())}%00`;
      expectRefused(await send({ ...target, url }, headers), `querystring.${parameter.name}`, 'a NUL');
    } else if (parameter.in === 'path') {
      const [path = '', query] = target.url.split('?');
      const segments = path.split('/');
      segments[spec.route.split('/').indexOf(`:${parameter.name}`)] = `${encodeURIComponent(marker())}%00`;
      const url = `${segments.join('/')}${query === undefined ? '' : `?${query}`}`;
      expectRefused(await send({ ...target, url }, headers), `params.${parameter.name}`, 'a NUL');
    } else if (parameter.in === 'header') {
      // A real HTTP parser refuses a NUL in a header; inject passes it on, so the schema is what refuses it.
      expectRefused(await send(target, { ...headers, [parameter.name]: `${marker()}\u0000` }), `headers.${parameter.name}`, 'a NUL');
    } else continue;
    sent++;
  }
  return sent;
}
