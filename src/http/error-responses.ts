import type { RouteOptions } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../lib/errors.ts';
import { ErrorEnvelope, STATUS_BY_CODE } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The error codes this route's own work can answer (the domain's refusals), for its OpenAPI
     * document; the codes every route of its kind can answer (authentication, validation, …) are
     * added from the route's facts by `errorCodesOf`.
     */
    errors?: readonly ErrorCode[];
  }
}

type RouteFacts = Pick<RouteOptions, 'url' | 'method' | 'schema' | 'config'>;

// The methods that change something (CSRF applies) are the ones whose body Fastify reads (a DELETE's
// too, when it has one): they answer what a body can.
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every error code a route can answer: what the request hooks can refuse on a route of its kind,
 * plus the codes it declares in `config.errors`. The one table the OpenAPI error responses are made
 * from; its rules follow `auth.ts` (credentials, CSRF, access, rate limits), `json-body.ts`,
 * `url-nul.ts` and `errors.ts` (the database unreachable, crashes).
 */
export function errorCodesOf(route: RouteFacts): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.config?.errors ?? []);
  const unsafe = [route.method].flat().some((method) => UNSAFE.has(method));
  const api = route.url.startsWith('/api/');
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (api || schema.params || schema.querystring || schema.headers || schema.body) codes.add('VALIDATION_FAILED');
  if (unsafe) {
    for (const code of ['INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'VALIDATION_FAILED'] as const) codes.add(code);
  }
  if (schema.params) codes.add('NOT_FOUND');
  if (route.url.startsWith('/api/v1/')) {
    const access = route.config?.access;
    if (route.config?.invalidBearer !== 'route' || access !== 'public') codes.add('UNAUTHENTICATED');
    if (access !== 'public') codes.add('ACCOUNT_SUSPENDED');
    if (access !== undefined && access !== 'public' && !access.roles.includes('customer')) {
      codes.add('FORBIDDEN');
      codes.add('TWO_FACTOR_REQUIRED');
    }
    if (route.config?.signedInOnly) codes.add('FORBIDDEN');
    if (unsafe) codes.add('CSRF_REJECTED');
    codes.add('RATE_LIMITED');
  }
  codes.add('SERVICE_UNAVAILABLE');
  codes.add('INTERNAL');
  return ERROR_CODES.filter((code) => codes.has(code));
}

/**
 * The route's error responses for its OpenAPI document, one per status, each the envelope with the
 * codes that status carries in its description (after unkey's `openApiErrorResponses`).
 */
export function errorResponsesOf(route: RouteFacts) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) {
    const status = STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      status,
      {
        description: `Error codes: ${codes.map((code) => `\`${code}\``).join(', ')}`,
        content: { 'application/json': { schema: ErrorEnvelope } },
      },
    ]),
  );
}
