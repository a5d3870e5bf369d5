import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import {
  changePassword,
  completeSecondFactor,
  confirmEmailVerification,
  confirmEnrolment,
  confirmPasswordReset,
  DEVICE_ID_RULES,
  DEVICE_SECRET_RULES,
  deviceSignIn,
  login,
  logout,
  type PresentedToken,
  randomValueProblem,
  readEnrolment,
  requestEmailVerification,
  requestPasswordReset,
  type SignedIn,
  signup,
  TRUSTED_DEVICE_MAX_AGE_S,
  upgradeDeviceAccount,
} from '../../modules/accounts/index.ts';
import type { AppDeps } from '../app.ts';
import { cookieNames, presentsBearer, principalOf } from '../auth.ts';
import { clearCookie, setCookie } from '../cookies.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { Email, Line, Password, SecretToken, Text } from '../schemas.ts';

const Consent = {
  ageConfirmed: z.boolean().describe('The customer confirms the minimum age (see GET /api/v1/privacy/policy).'),
  policyVersion: Text.max(64).describe('The `version` of the privacy policy the customer accepted.'),
};
const SessionOut = z.object({ accountId: z.string(), expiresAt: z.iso.datetime() });
const SecondFactorOut = z
  .object({
    secondFactor: z.literal('totp'),
    expiresAt: z.iso.datetime().describe('Until when the code (or a recovery code) is awaited.'),
  })
  .meta({ id: 'SecondFactorPending' });
const Accepted = z.object({ message: z.string() });

/** Per-IP limits on the unauthenticated auth endpoints (abuse, enumeration); sign-in guessing is also throttled per account. */
const IP_LIMITS = {
  signup: { limit: 10, windowMs: 60 * 60_000 },
  login: { limit: 30, windowMs: 60_000 },
  device: { limit: 30, windowMs: 60 * 60_000 },
  reset: { limit: 5, windowMs: 15 * 60_000 },
  token: { limit: 30, windowMs: 15 * 60_000 },
  secondFactor: { limit: 30, windowMs: 60_000 },
} as const;

/** The browser's current session, ended when a new sign-in replaces it. */
const previousSession = (request: FastifyRequest) =>
  request.principal?.sessionId ? { accountId: request.principal.accountId, sessionId: request.principal.sessionId } : undefined;

/** What the request's `Authorization` header showed (device sign-in reads it itself: `invalidBearer: 'route'`). */
function presentedToken(request: FastifyRequest): PresentedToken {
  if (!presentsBearer(request.headers.authorization)) return { state: 'none' };
  if (!request.principal) return { state: 'invalid' };
  return { state: 'valid', sessionId: request.principal.via === 'device' ? request.principal.sessionId : undefined };
}

export const authRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const names = cookieNames(deps.config);
  const limiters = Object.fromEntries(
    Object.entries(IP_LIMITS).map(([name, { limit, windowMs }]) => [
      name,
      deps.limits.limiter(`auth-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`, limit, windowMs),
    ]),
  ) as Record<keyof typeof IP_LIMITS, RateLimiter>;
  const perIp = (name: keyof typeof IP_LIMITS) => async (request: FastifyRequest) => {
    const hit = limiters[name].hit(request.ip);
    if (!hit.allowed) {
      throw new DomainError('RATE_LIMITED', 'Too many requests from your network; try again later.', {
        retryAfterSeconds: Math.ceil(hit.retryAfterMs / 1000),
      });
    }
  };
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: deps.config.secureCookies, path: '/' };
  const setSessionCookies = (reply: FastifyReply, signedIn: SignedIn) => {
    setCookie(reply, names.session, signedIn.session.token, { ...cookieOptions, expires: signedIn.session.expiresAt });
    setCookie(reply, names.trustedDevice, signedIn.trustedDevice, { ...cookieOptions, maxAge: TRUSTED_DEVICE_MAX_AGE_S });
  };
  const tags = ['auth'];

  app.post(
    '/api/v1/auth/signup',
    {
      config: {
        access: 'public',
        errors: ['WEAK_PASSWORD', 'TOO_MANY_ATTEMPTS', 'AGE_CONFIRMATION_REQUIRED', 'POLICY_OUTDATED', 'ACCOUNT_KIND_UNAVAILABLE'],
      },
      onRequest: perIp('signup'),
      schema: {
        tags,
        summary: 'Create an e-mail account and sign in (session cookie)',
        body: z.object({ email: Email, password: Password, ...Consent }),
        response: { 201: SessionOut.extend({ email: z.string(), kind: z.literal('email') }) },
      },
    },
    async (request, reply) => {
      const signedIn = await signup(request.ctx, deps.policy, request.body);
      setSessionCookies(reply, signedIn);
      return reply.code(201).send({
        accountId: signedIn.accountId,
        email: request.body.email,
        kind: 'email' as const,
        expiresAt: signedIn.session.expiresAt.toISOString(),
      });
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public', errors: ['INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS', 'ACCOUNT_SUSPENDED', 'TWO_FACTOR_REQUIRED'] },
      onRequest: perIp('login'),
      schema: {
        tags,
        summary: 'Sign in with e-mail and password (session cookie)',
        description:
          'Customers get a session. Staff accounts (support, admin) get `{secondFactor: "totp"}` and a pending cookie instead: ' +
          'complete with `POST /api/v1/auth/login/totp`. A staff account not yet enrolled is refused (403 `TWO_FACTOR_REQUIRED`).',
        body: z.object({ email: Email, password: Text.max(1024) }),
        response: { 200: z.union([SessionOut, SecondFactorOut]) },
      },
    },
    async (request, reply) => {
      const signedIn = await login(request.ctx, {
        ...request.body,
        trustedDeviceCookie: request.cookies[names.trustedDevice],
        previousSession: previousSession(request),
      });
      if ('secondFactor' in signedIn) {
        const { token, expiresAt } = signedIn.secondFactor;
        setCookie(reply, names.secondFactor, token, { ...cookieOptions, expires: expiresAt });
        return { secondFactor: 'totp' as const, expiresAt: expiresAt.toISOString() };
      }
      setSessionCookies(reply, signedIn);
      return { accountId: signedIn.accountId, expiresAt: signedIn.session.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/auth/login/totp',
    {
      config: { access: 'public', errors: ['INVALID_CREDENTIALS', 'INVALID_TOKEN', 'TOO_MANY_ATTEMPTS', 'ACCOUNT_SUSPENDED'] },
      onRequest: perIp('secondFactor'),
      schema: {
        tags,
        summary: 'Complete a staff sign-in with the authenticator’s code or a recovery code (session cookie)',
        description:
          'After `POST /api/v1/auth/login` answered `{secondFactor: "totp"}` (and set the pending cookie, valid 5 minutes). ' +
          'A code is accepted one 30-second step either side of now, never twice; each recovery code works once. ' +
          'Wrong codes count like wrong passwords (429 `TOO_MANY_ATTEMPTS`).',
        body: z.union([
          z.object({ code: Text.trim().regex(/^\d{6}$/, 'six digits') }).strict(),
          z.object({ recoveryCode: Text.trim().min(8).max(32) }).strict(),
        ]),
        response: { 200: SessionOut },
      },
    },
    async (request, reply) => {
      const signedIn = await completeSecondFactor(request.ctx, {
        token: request.cookies[names.secondFactor],
        proof: request.body,
        previousSession: previousSession(request),
      });
      clearCookie(reply, names.secondFactor, cookieOptions);
      setSessionCookies(reply, signedIn);
      return { accountId: signedIn.accountId, expiresAt: signedIn.session.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/auth/enrol',
    {
      config: { access: 'public', errors: ['INVALID_TOKEN'] },
      onRequest: perIp('token'),
      schema: {
        tags,
        summary: 'Read a staff enrolment link: the TOTP secret to add to an authenticator',
        description:
          'The token of `/admin/enrol#token=…` (from `otpbox admin create` or `otpbox admin enrol`), valid 24 hours until confirmed.',
        body: z.object({ token: SecretToken }),
        response: {
          200: z
            .object({
              email: z.string(),
              secret: z.string(),
              otpauthUri: z.string(),
              expiresAt: z.iso.datetime(),
              newPasswordRequired: z
                .boolean()
                .describe(
                  'The account was made on the console and has no password of its own yet: the confirmation must carry `newPassword`, the member’s own',
                ),
            })
            .meta({ id: 'StaffEnrolment' }),
        },
      },
    },
    async (request) => {
      const enrolment = await readEnrolment(request.ctx, request.body.token);
      return { ...enrolment, expiresAt: enrolment.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/auth/enrol/confirm',
    {
      config: {
        access: 'public',
        errors: ['INVALID_TOKEN', 'INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS', 'VALIDATION_FAILED', 'WEAK_PASSWORD'],
      },
      onRequest: perIp('token'),
      schema: {
        tags,
        summary: 'Confirm a staff enrolment with a code: answers the ten recovery codes, once',
        description:
          'When the enrolment says `newPasswordRequired` (the account was made on the console), `newPassword` is required: the member’s own password, the first the account can sign in with.',
        body: z.object({
          token: SecretToken,
          code: Text.trim().regex(/^\d{6}$/, 'six digits'),
          newPassword: Password.optional().describe('Required when the enrolment says `newPasswordRequired`'),
        }),
        response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) },
      },
    },
    async (request) => confirmEnrolment(request.ctx, request.body.token, request.body.code, request.body.newPassword),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { errors: ['CONFLICT'] },
      schema: { tags, summary: 'End this session (cookie or device token)', response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!principal.sessionId) throw new DomainError('CONFLICT', 'API keys do not sign in; revoke the key instead.');
      await logout(request.ctx, principal.accountId, principal.sessionId);
      clearCookie(reply, names.session, cookieOptions);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/device',
    {
      config: {
        access: 'public',
        invalidBearer: 'route',
        errors: [
          'INVALID_CREDENTIALS',
          'TOO_MANY_ATTEMPTS',
          'ACCOUNT_SUSPENDED',
          'AGE_CONFIRMATION_REQUIRED',
          'POLICY_OUTDATED',
          'ACCOUNT_KIND_UNAVAILABLE',
        ],
      },
      onRequest: perIp('device'),
      schema: {
        tags,
        summary: 'Create or sign in the anonymous account of a device (bearer token)',
        description: [
          'No e-mail, no name: only the device details kept for support. The app makes two random values once and keeps ' +
            'them in the platform’s secure storage (iOS Keychain, Android Keystore-backed storage): `deviceId`, which keys ' +
            'the account, and `deviceSecret`, which proves the app holds it. The first sign-in of a device creates its ' +
            'account and registers the secret; every later sign-in must present the same secret (else 401 ' +
            '`INVALID_CREDENTIALS`; refusals count in the sign-in throttles: 429 `TOO_MANY_ATTEMPTS`). Each sign-in answers ' +
            'a new token and ends the device’s earlier ones.',
          'Random means: at least 32 hex digits or at least 22 base64url characters (no padding), or for the id also a UUID v4; and not ' +
            'constant, counted or repeated (`aaaa…`, `abcd…`, `abab…`); anything else is 400 `VALIDATION_FAILED` naming the field.',
          'Devices that signed in before secrets existed register one at their next sign-in: at once when their id is ' +
            'random as above; otherwise only when the request also carries the device’s current token ' +
            '(`Authorization: Bearer otp_dev_…`), else 401 `INVALID_CREDENTIALS` saying so. An expired or signed-out token ' +
            'cannot register a secret; no other sign-in needs the header.',
        ].join('\n\n'),
        body: z.object({
          deviceId: Text.min(8)
            .max(DEVICE_ID_RULES.maxLength)
            .regex(/^[\x21-\x7e]+$/, 'printable characters without spaces')
            .describe(
              'A random identifier made once by the app: a UUID v4, ≥ 32 hex digits or ≥ 22 base64url characters. New devices must use one; ids of devices created before v2 keep working.',
            ),
          deviceSecret: Text.superRefine((value, check) => {
            const problem = randomValueProblem(value, DEVICE_SECRET_RULES);
            if (problem) check.addIssue({ code: 'custom', message: problem });
          }).describe(
            'At least 128 random bits from a CSPRNG, made once and kept in secure storage: ≥ 32 hex digits or ≥ 22 base64url characters (256 bits recommended: 64 hex or 43 base64url; not a UUID), at most 128 characters. Stored only as a keyed hash.',
          ),
          // Shown to the customer (sessions) and to staff (account activity): one line, no control characters.
          platform: Line.min(1).max(32),
          osVersion: Line.min(1).max(64),
          model: Line.min(1).max(128),
          appVersion: Line.min(1).max(64),
          ...Consent,
        }),
        response: { 201: z.object({ token: z.string(), accountId: z.string(), created: z.boolean(), expiresAt: z.iso.datetime() }) },
      },
    },
    async (request, reply) => {
      const result = await deviceSignIn(request.ctx, deps.policy, { ...request.body, token: presentedToken(request) });
      return reply.code(201).send({ ...result, expiresAt: result.expiresAt.toISOString() });
    },
  );

  app.post(
    '/api/v1/auth/upgrade',
    {
      config: {
        signedInOnly: { what: 'Add an e-mail address and password', keyCannot: 'set the sign-in of an account' },
        errors: ['WEAK_PASSWORD', 'CONFLICT', 'EMAIL_UNAVAILABLE', 'ACCOUNT_KIND_UNAVAILABLE', 'TOO_MANY_ATTEMPTS'],
      },
      schema: {
        tags,
        summary: 'Add an e-mail address and password to a device account, keeping everything',
        body: z.object({ email: Email, password: Password }),
        response: { 200: z.object({ accountId: z.string(), email: z.string(), kind: z.literal('email') }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await upgradeDeviceAccount(request.ctx, principal.accountId, request.body);
      return { accountId: principal.accountId, email: request.body.email, kind: 'email' as const };
    },
  );

  app.post(
    '/api/v1/auth/verify-email',
    {
      config: { access: 'public', errors: ['INVALID_TOKEN'] },
      onRequest: perIp('token'),
      schema: {
        tags,
        summary: 'Confirm an e-mail address with the token from the e-mail',
        body: z.object({ token: SecretToken }),
        response: { 200: z.object({ verified: z.literal(true) }) },
      },
    },
    async (request) => {
      await confirmEmailVerification(request.ctx, request.body.token);
      return { verified: true as const };
    },
  );

  app.post(
    '/api/v1/auth/verify-email/resend',
    { config: { errors: ['CONFLICT'] }, schema: { tags, summary: 'Send a new verification e-mail', response: { 202: Accepted } } },
    async (request, reply) => {
      await requestEmailVerification(request.ctx, principalOf(request).accountId);
      return reply.code(202).send({ message: 'We sent a new link; it is valid for 30 minutes.' });
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      config: { access: 'public' },
      onRequest: perIp('reset'),
      schema: {
        tags,
        summary: 'E-mail a password reset link (same answer whether or not the address has an account)',
        body: z.object({ email: Email }),
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(request.ctx, request.body.email);
      return reply.code(202).send({ message: 'If an account uses this address, we sent it a link valid for 30 minutes.' });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      config: { access: 'public', errors: ['INVALID_TOKEN', 'WEAK_PASSWORD'] },
      onRequest: perIp('token'),
      schema: {
        tags,
        summary: 'Choose a new password with the token from the e-mail; ends every session and revokes every API key',
        description:
          'Resetting takes the account back: whoever held a session, a device token or an API key made with the old password ' +
          "loses it, the account's devices sign in with the e-mail address from then on, and its webhook endpoints are " +
          'disabled until the owner has checked them and enabled them again. `apiKeysRevoked` says how many keys scripts must ' +
          'replace, `webhookEndpointsDisabled` how many endpoints to check.',
        body: z.object({ token: SecretToken, password: Password }),
        response: {
          200: z.object({ reset: z.literal(true), apiKeysRevoked: z.number().int(), webhookEndpointsDisabled: z.number().int() }),
        },
      },
    },
    async (request) => {
      const { apiKeysRevoked, webhookEndpointsDisabled } = await confirmPasswordReset(
        request.ctx,
        request.body.token,
        request.body.password,
      );
      return { reset: true as const, apiKeysRevoked, webhookEndpointsDisabled };
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: {
        signedInOnly: { what: 'Change your password', keyCannot: 'change the password' },
        errors: ['INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS', 'WEAK_PASSWORD', 'CONFLICT'],
      },
      schema: {
        tags,
        summary: 'Change the password; every other session ends',
        description: 'A wrong current password counts like a failed sign-in: after too many, `429 TOO_MANY_ATTEMPTS`, for sign-in too.',
        body: z.object({ currentPassword: Text.max(1024), newPassword: Password }),
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await changePassword(request.ctx, principal.accountId, principal.sessionId, request.body);
      return reply.code(204).send();
    },
  );
};
