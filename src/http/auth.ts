import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Role } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import type { SecretKeys } from '../lib/secrets.ts';
import type { SharedLimits } from '../limits/shared-limits.ts';
import {
  actsAsStaff,
  authenticateApiKey,
  authenticateSession,
  hashToken,
  hasRole,
  onLocalAuthChange,
  type Principal,
  tokenKind,
} from '../modules/accounts/index.ts';
import type { Ctx } from '../modules/context.ts';
import type { EventBus } from '../runtime/event-bus.ts';
import { readCookies } from './cookies.ts';
import { CredentialCache } from './credential-cache.ts';
import type { RateLimiter, Window } from './rate-limit.ts';

/**
 * Authentication, CSRF defence, authorisation and rate limits: every /api/v1 request (and every
 * request to the 5sim-compatible API, by bearer key only) passes here, in this order, before its
 * handler runs.
 *
 * - Credentials: `Authorization: Bearer` with an API key (otp_live_…) or a device token (otp_dev_…),
 *   or the session cookie. A bearer token that is presented but invalid is refused (never ignored),
 *   unless the route declares `invalidBearer: 'route'` and answers it in its own words.
 * - CSRF: an unsafe request not authenticated by a bearer token must, when `Origin` (or
 *   `Sec-Fetch-Site`) is present, be same-origin, and be `application/json` (a DELETE too). Browsers
 *   cannot send a JSON POST, a DELETE, PUT or PATCH cross-site without a CORS preflight, which we
 *   never grant.
 * - Access: a route declares `config.access`: `'public'`, or the roles allowed (default: any signed-in
 *   account). Suspended accounts are refused everywhere. Staff routes (customers not allowed) also need
 *   a browser session completed with the second factor: a staff account's API key is refused there
 *   (TWO_FACTOR_REQUIRED), and acts on customer routes only. A route that declares
 *   `config.signedInOnly` refuses every API key (FORBIDDEN): only the owner's session or device token.
 * - Rate limits: API_RATE_LIMIT requests per minute per account and per API key; PUBLIC_RATE_LIMIT
 *   per client address for requests without a principal (the public routes, and refused credentials).
 *   Decided here without waiting: the counts of the other instances arrive in the background (ADR 43).
 */
export type Access = 'public' | { roles: readonly Role[] };
export const ANY_ACCOUNT: Access = { roles: ['customer', 'support', 'admin'] };
export const STAFF: Access = { roles: ['support', 'admin'] };
export const ADMIN: Access = { roles: ['admin'] };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The request's cookies, parsed for /api/v1 requests only (see cookies.ts). */
    cookies: Record<string, string | undefined>;
    /** The domain context of this request (database, clock, config, log, caller's ip), built on first use. */
    ctx: Ctx;
    otpboxCtx: Ctx | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * `'route'`: a presented bearer token that is not valid reaches the route (with no principal)
     * instead of a 401 here, for a public route where a token is an optional extra proof and the
     * route has a clearer answer (device sign-in: an expired token cannot register a secret).
     */
    invalidBearer?: 'route';
    /**
     * Only the account's owner, signed in on the web or in the app (a session cookie or a device
     * token), may make this request; an API key is refused with 403 FORBIDDEN in these words. For what
     * would hand the account to whoever holds a key: its password, its e-mail address, new keys, its
     * other sessions, its data, its rights requests, its deletion. An API key sits in scripts and on
     * servers; one that leaks must not be a way to take the account over. `what` completes "… while
     * signed in (web or app)", `keyCannot` completes "an API key cannot …". The OpenAPI document
     * lists the operation's credentials without the API key (openapi.ts).
     */
    signedInOnly?: { what: string; keyCannot: string };
  }
  interface FastifyInstance {
    /**
     * For the compatible protocols (`/stubs/handler_api.php`), where the API key travels as a parameter
     * rather than a bearer token: the key's principal, with the same cache, suspension check and rate
     * limits as an /api/v1 request (synchronous when the key is cached). Throws UNAUTHENTICATED,
     * ACCOUNT_SUSPENDED or RATE_LIMITED; the route words them in its protocol.
     */
    apiKeyPrincipal(request: FastifyRequest, reply: FastifyReply, key: string | undefined): Principal | Promise<Principal>;
  }
}

export interface AuthDeps {
  config: Config;
  database: { db: Db };
  clock: Clock;
  keys: SecretKeys;
  /** Announcements of access changes on other instances (credentials are cached). */
  events?: Pick<EventBus, 'onAuthChange'>;
  /** The rate limiters (shared across instances when a store is configured: ADR 43). */
  limits: SharedLimits;
}

/** How long a credential lookup is remembered; access changes are announced and end it sooner. */
export const CREDENTIAL_CACHE_TTL_MS = 10_000;

export const cookieNames = (config: Config) =>
  config.secureCookies
    ? { session: '__Host-otpbox_session', trustedDevice: '__Host-otpbox_device', secondFactor: '__Host-otpbox_2fa' }
    : { session: 'otpbox_session', trustedDevice: 'otpbox_device', secondFactor: 'otpbox_2fa' };

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The 5sim-compatible API (http/compat/fivesim/): authenticated here like /api/v1, by API key only. */
export const FIVESIM_PREFIX = '/compat/5sim/';
const BEARER = /^Bearer\s+(\S+)$/i;
/**
 * The request presents a bearer credential: an `Authorization` header with something in it. `Bearer`
 * with nothing after it (what an API explorer sends before a key is typed) presents nothing, and is
 * read as no header: no 401 on a public route, no bearer's exemption from the CSRF check.
 */
export const presentsBearer = (authorization: string | undefined): authorization is string =>
  authorization !== undefined && !/^\s*(?:Bearer\s*)?$/i.test(authorization);

/** The principal of an authenticated route (the access check guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('UNAUTHENTICATED', 'Sign in first.');
  return request.principal;
}

export const authPlugin = fp(async (app: FastifyInstance, deps: AuthDeps) => {
  const names = cookieNames(deps.config);
  const now = () => deps.clock.now().getTime();
  const { apiRateLimit, publicRateLimit } = deps.config;
  const perAccount = apiRateLimit > 0 ? deps.limits.limiter('api-account', apiRateLimit, 60_000) : undefined;
  const perKey = apiRateLimit > 0 ? deps.limits.limiter('api-key', apiRateLimit, 60_000) : undefined;
  const perAddress = publicRateLimit > 0 ? deps.limits.limiter('public-ip', publicRateLimit, 60_000) : undefined;

  // The check runs in the access check, which a public route skips: a public route cannot be owner-only.
  app.addHook('onRoute', (route) => {
    if (route.config?.signedInOnly && route.config.access === 'public')
      throw new Error(`${route.method} ${route.url}: a public route cannot be signedInOnly`);
  });

  const cache = new CredentialCache(CREDENTIAL_CACHE_TTL_MS, now);
  const stopLocal = onLocalAuthChange((accountId) => cache.invalidate(accountId));
  const stopRemote = deps.events?.onAuthChange((accountId) => cache.invalidate(accountId));
  app.addHook('onClose', async () => {
    stopLocal();
    stopRemote?.();
  });
  /**
   * The principal of the request's credential: from the cache synchronously (the path clients poll
   * hardest waits on no promise and creates no closure), else from the database (only live
   * credentials are cached). `null` when there is no credential or it is not valid.
   */
  const credentialPrincipal = (request: FastifyRequest): Principal | null | Promise<Principal | null> => {
    const authorization = presentsBearer(request.headers.authorization) ? request.headers.authorization : undefined;
    let token: string | undefined;
    if (authorization !== undefined) token = BEARER.exec(authorization)?.[1];
    else {
      token = request.cookies[names.session];
      if (token !== undefined && tokenKind(token) !== 'session') token = undefined;
    }
    if (token === undefined) return null;
    const hash = hashToken(token);
    return cache.get(hash) ?? lookup(request, token, hash, authorization !== undefined);
  };
  const lookup = async (request: FastifyRequest, token: string, hash: string, bearer: boolean): Promise<Principal | null> => {
    const principal = bearer ? await fromBearer(request.ctx, token) : await authenticateSession(request.ctx, token, 'browser');
    if (!principal) return null;
    cache.set(hash, principal);
    return principal;
  };

  app.decorateRequest('principal', null);
  app.decorateRequest('cookies', null as unknown as Record<string, string | undefined>);
  // The request's context is built on first use: a poll answered from memory never needs it.
  app.decorateRequest('otpboxCtx', null);
  app.decorateRequest('ctx', {
    getter(this: FastifyRequest) {
      this.otpboxCtx ??= {
        db: deps.database.db,
        clock: deps.clock,
        config: deps.config,
        keys: deps.keys,
        log: this.log as unknown as Logger,
        meta: { ip: this.ip, userAgent: this.headers['user-agent'] },
      };
      return this.otpboxCtx;
    },
  });

  /** Once the principal is known: CSRF, access and rate limits; `done` with the refusal if any. */
  const decide = (request: FastifyRequest, reply: FastifyReply, principal: Principal | null, done: (error?: Error) => void) => {
    try {
      authorize(request, reply, principal);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
  const authorize = (request: FastifyRequest, reply: FastifyReply, principal: Principal | null) => {
    request.principal = principal;
    // Counted before anything is refused: a flood of bad credentials is limited like anonymous traffic.
    if (!principal) limitAddress(reply, perAddress, request.ip, now());
    const bearer = presentsBearer(request.headers.authorization);
    if (bearer && !principal && request.routeOptions.config?.invalidBearer !== 'route')
      throw new DomainError('UNAUTHENTICATED', 'The API key or token is not valid (revoked, expired, or mistyped).');
    const access = request.routeOptions.config?.access ?? ANY_ACCOUNT;
    // CSRF guards what a cookie can do, and the public entry points (login CSRF); a request with no
    // credentials to a protected route is simply told to sign in.
    if (!bearer && UNSAFE.has(request.method) && (request.cookies[names.session] !== undefined || access === 'public')) {
      checkCsrf(request, deps.config);
    }
    if (access !== 'public') {
      if (!principal) throw new DomainError('UNAUTHENTICATED', 'Sign in, or send an API key as `Authorization: Bearer otp_live_…`.');
      if (principal.status === 'suspended') throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended. Contact support.');
      if (!hasRole(principal, access.roles)) throw new DomainError('FORBIDDEN', 'Your account is not allowed to do this.');
      // A staff route (one customers may not call) needs the staff member's session completed with the
      // second factor: never an API key, never a session from before enrolment (ADR 31).
      if (!access.roles.includes('customer') && !actsAsStaff(principal))
        throw new DomainError(
          'TWO_FACTOR_REQUIRED',
          'Staff actions need a console session signed in with the second factor (not an API key).',
        );
      const signedInOnly = request.routeOptions.config?.signedInOnly;
      if (signedInOnly && principal.via === 'api_key')
        throw new DomainError(
          'FORBIDDEN',
          `${signedInOnly.what} while signed in (web or app); an API key cannot ${signedInOnly.keyCannot}.`,
        );
    }
    if (principal) limit(reply, perAccount, principal.accountId, perKey, principal.apiKeyId, now());
  };

  const keyPrincipal = (request: FastifyRequest, reply: FastifyReply, principal: Principal | null): Principal => {
    request.principal = principal;
    if (!principal) {
      limitAddress(reply, perAddress, request.ip, now());
      throw new DomainError('UNAUTHENTICATED', 'The API key is not valid (revoked, or mistyped).');
    }
    if (principal.status === 'suspended') throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended. Contact support.');
    limit(reply, perAccount, principal.accountId, perKey, principal.apiKeyId, now());
    return principal;
  };
  app.decorate('apiKeyPrincipal', (request: FastifyRequest, reply: FastifyReply, key: string | undefined) => {
    // Only API keys: a session or device token is not an API key, even when valid.
    if (key === undefined || tokenKind(key) !== 'apiKey') return keyPrincipal(request, reply, null);
    const hash = hashToken(key);
    const cached = cache.get(hash);
    if (cached) return keyPrincipal(request, reply, cached);
    return lookup(request, key, hash, true).then((principal) => keyPrincipal(request, reply, principal));
  });

  // A callback hook, not an async one: with the credential cached nothing here waits on a promise.
  app.addHook('onRequest', (request, reply, done) => {
    // The route that was matched decides, never the URL as sent: the router decodes the path before it
    // matches, so `/%61pi/v1/admin/staff` reaches the admin route while its raw URL does not start with
    // `/api/v1/` (an outside probe read the console's data that way, signed in or not). A URL that matched
    // no route is judged by its raw path: it gets its 404 (or 401) either way.
    const path = request.routeOptions.url ?? request.url;
    const compat = path.startsWith(FIVESIM_PREFIX);
    if (!compat && !path.startsWith('/api/v1/')) {
      done();
      return;
    }
    // The 5sim-compatible API changes orders with GET requests (its protocol): a cookie, which a
    // browser sends along with a link from another site, must never authenticate it. Bearer keys only.
    request.cookies = compat ? {} : readCookies(request.headers.cookie);
    const found = credentialPrincipal(request);
    if (found instanceof Promise) found.then((principal) => decide(request, reply, principal, done), done);
    else decide(request, reply, found, done);
  });
});

async function fromBearer(ctx: Ctx, token: string): Promise<Principal | undefined> {
  const kind = tokenKind(token);
  if (kind === 'apiKey') return authenticateApiKey(ctx, token);
  if (kind === 'device') return authenticateSession(ctx, token, 'device');
  return undefined;
}

function checkCsrf(request: FastifyRequest, config: Config) {
  // Every unsafe request a cookie authenticates is JSON (the public contract): a cross-site form or
  // "simple" request can only send a POST, and a DELETE, PUT or PATCH needs a CORS preflight, which we
  // never grant — but the rule is one, whatever the method, so that no browser quirk is relied on.
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new DomainError('CSRF_REJECTED', 'Send this request as application/json (or authenticate with an API key).');
  }
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site') throw new DomainError('CSRF_REJECTED', 'Cross-site requests are not accepted.');
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const own = `${request.protocol}://${request.host}`;
  if (origin !== config.publicUrl && origin !== own) {
    throw new DomainError('CSRF_REJECTED', 'Requests from another site are not accepted.');
  }
}

/**
 * The API rate limits: `API_RATE_LIMIT` requests per minute per account and per API key, announced on
 * every answer in one `RateLimit` field (draft-ietf-httpapi-ratelimit-headers: what is left of the
 * tighter of the two, and the seconds until its window starts over); a refusal also carries
 * `RateLimit-Policy` (the quota and its window) and `Retry-After`.
 */
function limit(
  reply: FastifyReply,
  perAccount: RateLimiter | undefined,
  accountId: string,
  perKey: RateLimiter | undefined,
  apiKeyId: string | undefined,
  now: number,
) {
  if (!perAccount || !perKey) return;
  const byAccount = perAccount.count(accountId, now);
  const byKey = apiKeyId ? perKey.count(apiKeyId, now) : byAccount;
  // The binding window: the one with more hits (the account's on a tie).
  const binding = byKey.count > byAccount.count ? byKey : byAccount;
  enforce(reply, 'api', perAccount, binding, now, `Too many requests: at most ${perAccount.limit} per minute. Slow down.`);
}

/**
 * `PUBLIC_RATE_LIMIT` requests per minute per client address (`request.ip`: the proxy's client when
 * TRUST_PROXY is set) for requests without a principal, announced and refused like the API limits
 * under the policy name "ip". Sign-up, sign-in and the e-mail tokens have tighter limits of their own
 * (routes/auth.ts); this one bounds everything else anyone may call, the catalog first.
 */
function limitAddress(reply: FastifyReply, perAddress: RateLimiter | undefined, ip: string, now: number) {
  if (!perAddress) return;
  const message = `Too many requests from your network: at most ${perAddress.limit} a minute without signing in. Slow down.`;
  enforce(reply, 'ip', perAddress, perAddress.count(ip, now), now, message);
}

/** Announce what is left of `window` (`RateLimit`), and refuse with 429 once it is used up. */
function enforce(reply: FastifyReply, policy: 'api' | 'ip', limiter: RateLimiter, window: Readonly<Window>, now: number, message: string) {
  const resetSeconds = Math.ceil((window.start + limiter.windowMs - now) / 1000);
  reply.header('ratelimit', `"${policy}";r=${Math.max(0, limiter.limit - window.count)};t=${resetSeconds}`);
  if (window.count > limiter.limit) {
    reply.header('ratelimit-policy', `"${policy}";q=${limiter.limit};w=${limiter.windowMs / 1000}`);
    throw new DomainError('RATE_LIMITED', message, { retryAfterSeconds: Math.max(1, resetSeconds) });
  }
}
