import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isDatabaseUnavailable } from '../lib/database-errors.ts';
import { DomainError, ERROR_CODES, type ErrorCode, isDomainError } from '../lib/errors.ts';

/** The only place that knows HTTP statuses for domain error codes. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INVALID_CREDENTIALS: 401,
  INVALID_TOKEN: 400,
  TOO_MANY_ATTEMPTS: 429,
  EMAIL_UNAVAILABLE: 409,
  WEAK_PASSWORD: 422,
  AGE_CONFIRMATION_REQUIRED: 422,
  POLICY_OUTDATED: 409,
  ACCOUNT_SUSPENDED: 403,
  TWO_FACTOR_REQUIRED: 403,
  ACCOUNT_KIND_UNAVAILABLE: 403,
  CSRF_REJECTED: 403,
  INSUFFICIENT_CREDITS: 402,
  HOLD_ALREADY_RESOLVED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  ACCOUNT_RESTRICTED: 403,
  DEMO_CREDITS_LIMIT: 409,
  UNKNOWN_SERVICE: 422,
  UNKNOWN_COUNTRY: 422,
  NO_NUMBERS: 409,
  PRICE_ABOVE_MAX: 409,
  PROVIDER_UNAVAILABLE: 503,
  TOO_MANY_ACTIVE: 429,
  ORDER_RATE_LIMITED: 429,
  IDEMPOTENCY_KEY_IN_USE: 409,
  EARLY_CANCEL: 409,
  CODE_RECEIVED: 409,
  NO_CODE_YET: 409,
  ACTIVATION_ENDED: 409,
  WEBHOOK_URL_REFUSED: 422,
  UNKNOWN_PACKAGE: 422,
  PAYMENT_METHOD_UNAVAILABLE: 422,
  PAYMENT_PROCESSOR_UNAVAILABLE: 503,
  WEBHOOK_SIGNATURE_INVALID: 400,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * The one error envelope: every refusal, of every route, is this shape. Registered under the id
 * `ErrorEnvelope`, so /openapi.json holds it once (`#/components/schemas/ErrorEnvelope`) and each error response
 * refers to it.
 */
export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).describe('What went wrong, for programs: the codes a response can carry are listed with it'),
      message: z.string().describe('What went wrong, for people'),
      requestId: z.string().describe('Also in the `x-request-id` header: quote it to support'),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/**
 * The words of an error for an API client. The domain's checks are shared with the command line and
 * name its options (`--base-url is not a URL`); over the API the same field is a JSON
 * property (`baseUrl`), so the option is named as the property: in camel case, in backticks.
 */
export function inApiWords(message: string): string {
  if (!message.includes('--')) return message;
  // A command quoted in backticks (`otpbox admin enrol --email …`) is a command: left as it is.
  return message
    .split('`')
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/(^|[\s(])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/g, (_match, before: string, option: string) => {
            const property = OPTION_PROPERTIES[option] ?? option.replace(/-([a-z0-9])/g, (_dash, letter: string) => letter.toUpperCase());
            return `${before}\`${property}\``;
          }),
    )
    .join('`');
}
/** Options whose JSON property is not their name in camel case. */
const OPTION_PROPERTIES: Record<string, string> = { fee: 'feeCredits' };

export function sendError(request: FastifyRequest, reply: FastifyReply, error: DomainError) {
  const message = (request.routeOptions.url ?? request.url).startsWith('/api/') ? inApiWords(error.message) : error.message;
  const body: ErrorEnvelope = { error: { code: error.code, message, requestId: request.id } };
  if (error.details) body.error.details = error.details;
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  return reply.code(STATUS_BY_CODE[error.code]).type('application/json; charset=utf-8').send(body);
}

/** How long a client is asked to wait while the database cannot be reached. */
export const DATABASE_RETRY_AFTER_S = 5;

/** Turn anything thrown into a DomainError. Unknown errors become INTERNAL and keep their detail out of the response. */
export function toDomainError(error: unknown): DomainError {
  if (isDomainError(error)) return error;
  if (isDatabaseUnavailable(error)) {
    return new DomainError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; retry in a few seconds.', {
      retryAfterSeconds: DATABASE_RETRY_AFTER_S,
    });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError).validationContext ?? 'request';
    const issues = error.validation.map((v) => {
      const path = fieldPath(v.instancePath);
      const field = [context, ...path].join('.');
      // No body at all (none sent, an empty one, or `null`): say so, not "received null".
      if (context === 'body' && path.length === 0 && v.message?.endsWith('received null'))
        return { field, message: 'a JSON object is required, and the request has none' };
      return { field, message: v.message ?? 'is invalid' };
    });
    const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    return new DomainError('VALIDATION_FAILED', `Invalid request — ${summary}`, { issues });
  }
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('INVALID_JSON', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('VALIDATION_FAILED', 'The Content-Length header does not match the body.');
    case 'FST_ERR_VALIDATION':
      return new DomainError('VALIDATION_FAILED', `Invalid request — ${fastifyError.message}`);
  }
  if (fastifyError.statusCode === 429) return new DomainError('RATE_LIMITED', 'Too many requests; slow down.');
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new DomainError('VALIDATION_FAILED', fastifyError.message);
  }
  return new DomainError('INTERNAL', 'Something went wrong on our side. Quote the request id if you contact support.');
}

function fieldPath(instancePath: string | undefined): string[] {
  if (!instancePath) return [];
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * A page answered instead of the JSON 404 (the web app, for its own client-side routes), or
 * `undefined` to keep the JSON error.
 */
export type NotFoundPage = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | undefined;

export function registerErrorHandling(app: FastifyInstance, notFoundPage?: NotFoundPage) {
  app.setErrorHandler((error, request, reply) => {
    const domainError = toDomainError(error);
    if (domainError.code === 'INTERNAL') {
      const what = isResponseSerializationError(error) ? 'response does not match its schema' : 'unhandled error';
      request.log.error({ err: error }, what);
    } else if (domainError.code === 'SERVICE_UNAVAILABLE' && !isDomainError(error)) {
      request.log.warn({ err: error }, 'database unavailable');
    }
    return sendError(request, reply, domainError);
  });
  // Only requests no route matched come here (a handler, not a hook every request would pass).
  app.setNotFoundHandler(
    (request, reply) =>
      notFoundPage?.(request, reply) ??
      sendError(
        request,
        reply,
        new DomainError('NOT_FOUND', `No route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}.`),
      ),
  );
}
