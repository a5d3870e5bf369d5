import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { ERROR_CODES, type ErrorCode } from '../../lib/errors.ts';
import { STAFF } from '../auth.ts';
import { errorCodesOf } from '../error-responses.ts';
import { STATUS_BY_CODE } from '../errors.ts';

interface Response {
  description: string;
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

let t: TestApp;
let document: Document;
beforeAll(async () => {
  t = await createTestApp();
  document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(() => t?.close());

/** The codes an error response's description names. */
const codesOf = (response: Response) => [...response.description.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1] as ErrorCode);

describe('error responses in /openapi.json', () => {
  it('are documented on every operation: each status with the envelope and the codes it carries', () => {
    const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation.responses] as const),
    );
    expect(operations.length).toBeGreaterThan(40);
    for (const [name, responses] of operations) {
      const statuses = Object.keys(responses).map(Number);
      expect(statuses, `${name}: a crash and an unreachable database`).toEqual(expect.arrayContaining([500, 503]));
      if (name.includes(' /api/v1/')) expect(statuses, `${name}: rate limits`).toContain(429);
      for (const [status, response] of Object.entries(responses).filter(([status]) => Number(status) >= 400)) {
        expect(response.content?.['application/json']?.schema?.$ref, `${name} ${status}`).toBe('#/components/schemas/ErrorEnvelope');
        const codes = codesOf(response);
        expect(codes.length, `${name} ${status}: ${response.description}`).toBeGreaterThan(0);
        for (const code of codes) {
          expect(ERROR_CODES, `${name} ${status}`).toContain(code);
          expect(STATUS_BY_CODE[code], `${name}: ${code} is answered with its own status`).toBe(Number(status));
        }
      }
    }
  });

  it('keeps what a route declares, beside the errors', () => {
    const create = document.paths['/api/v1/activations']?.post?.responses ?? {};
    expect(Object.keys(create)).toContain('201');
    expect(codesOf(create['402'] as Response)).toEqual(['INSUFFICIENT_CREDITS']);
    expect(codesOf(create['401'] as Response)).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(create['403'] as Response)).toEqual(['ACCOUNT_SUSPENDED', 'CSRF_REJECTED', 'ACCOUNT_RESTRICTED']);
  });

  it('still make a valid OpenAPI 3.1 document, with the envelope as a shared schema', async () => {
    const result = await new Validator().validate(document as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(document.components.schemas.ErrorEnvelope?.properties ?? {})).toEqual(['error']);
  });
});

describe('errorCodesOf', () => {
  const route = (overrides: Partial<Parameters<typeof errorCodesOf>[0]>) =>
    errorCodesOf({ url: '/api/v1/things/:id', method: 'GET', schema: {}, config: {}, ...overrides });

  it('gives every API route what the request hooks can answer, in the order of the closed union', () => {
    expect(route({})).toEqual([
      'VALIDATION_FAILED',
      'UNAUTHENTICATED',
      'RATE_LIMITED',
      'ACCOUNT_SUSPENDED',
      'SERVICE_UNAVAILABLE',
      'INTERNAL',
    ]);
  });

  it('adds what a body, a path parameter, an unsafe method, a staff-only access and the route itself can answer', () => {
    const codes = route({ method: 'POST', schema: { params: {}, body: {} }, config: { access: STAFF, errors: ['CONFLICT'] } });
    for (const code of [
      'INVALID_JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'NOT_FOUND',
      'FORBIDDEN',
      'CSRF_REJECTED',
      'CONFLICT',
    ] as const) {
      expect(codes).toContain(code);
    }
  });

  it('asks no credentials of a public route that answers a bad token itself, and none outside the API', () => {
    expect(route({ config: { access: 'public', invalidBearer: 'route' } })).not.toContain('UNAUTHENTICATED');
    expect(route({ config: { access: 'public' } })).not.toContain('ACCOUNT_SUSPENDED');
    expect(errorCodesOf({ url: '/healthz', method: 'GET', schema: {}, config: {} })).toEqual(['SERVICE_UNAVAILABLE', 'INTERNAL']);
  });
});

describe('the words of an error over the API', () => {
  it('name a command-line option as the JSON property it is here, and leave quoted commands alone', async () => {
    const { inApiWords } = await import('../errors.ts');
    expect(inApiWords('--base-url must not carry the API key; pass it with --api-key')).toBe(
      '`baseUrl` must not carry the API key; pass it with `apiKey`',
    );
    expect(inApiWords('name a --service, a --country, or both (one pair)')).toBe('name a `service`, a `country`, or both (one pair)');
    expect(inApiWords('--fee must be a whole number of credits')).toBe('`feeCredits` must be a whole number of credits');
    expect(inApiWords('open the enrolment link from `otpbox admin enrol --email …` first.')).toBe(
      'open the enrolment link from `otpbox admin enrol --email …` first.',
    );
    expect(inApiWords('a value (got "--x") and a--b stay')).toBe('a value (got "--x") and a--b stay');
  });
});
