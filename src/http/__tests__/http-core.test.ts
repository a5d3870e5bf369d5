import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createActor, signUp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { DomainError } from '../../lib/errors.ts';

let t: TestApp;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const { createLogger } = await import('../../lib/logger.ts');
  t = await createTestApp({ log: createLogger({ level: 'info', version: 'test', destination: sink }) });
  const app = t.app.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/test/echo',
    {
      schema: {
        tags: ['test'],
        body: z.object({ email: z.email(), password: z.string(), nested: z.object({ count: z.number().int().min(1) }) }),
        response: { 200: z.object({ ok: z.boolean() }) },
      },
    },
    async (request) => {
      request.log.info({ body: request.body }, 'echo body');
      return { ok: true };
    },
  );
  app.get('/test/domain-error', { schema: { hide: true } }, async () => {
    throw new DomainError('CONFLICT', 'That already happened.', { retryAfterSeconds: 7.2 });
  });
  app.get('/test/crash', { schema: { hide: true } }, async () => {
    throw new Error('database password is hunter2');
  });
});
afterAll(() => t?.close());

const expectEnvelope = (body: unknown, code: string) => {
  expect(body).toEqual({ error: { code, message: expect.any(String), requestId: expect.stringMatching(/^req_/) } });
};

describe('error envelope', () => {
  it('answers unknown paths with NOT_FOUND and the request id', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/no/such/path?x=1' });
    expect(response.statusCode).toBe(404);
    const body = response.json();
    expectEnvelope(body, 'NOT_FOUND');
    expect(body.error.requestId).toBe(response.headers['x-request-id']);
    expect(body.error.message).toBe('No route GET /no/such/path.');
  });

  it('answers what the router refuses (a malformed percent-encoding, an over-long path segment) with the envelope and the security headers', async () => {
    for (const [url, message] of [
      ['/api/v1/activations/%E0%A4%A', 'The URL path is not valid: it holds a malformed percent-encoded character.'],
      ['/%E0%A4%A', 'The URL path is not valid: it holds a malformed percent-encoded character.'],
      [`/api/v1/activations/${'x'.repeat(101)}`, 'A segment of the URL path is longer than 100 characters; no such resource exists.'],
    ] as const) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      const body = response.json();
      expectEnvelope(body, 'VALIDATION_FAILED');
      expect(body.error.message).toBe(message);
      expect(body.error.requestId).toBe(response.headers['x-request-id']);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-store');
      // The path is not echoed back.
      expect(response.body).not.toContain('%E0');
    }
  });

  it('names the failing fields of a validation error', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { email: 'not-an-email', password: 'x', nested: { count: 0 } },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('body.email');
    expect(body.error.message).toContain('body.nested.count');
    expect(body.error.details.issues.map((i: { field: string }) => i.field).sort()).toEqual(['body.email', 'body.nested.count']);
  });

  it('reports a missing field by name', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/test/echo', payload: { email: 'a@b.co', nested: { count: 1 } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('body.password');
  });

  it('reads `Authorization: Bearer` with no token as no credential; a token that is wrong is still 401', async () => {
    // What an API explorer sends before a key is typed: a public route answers, a protected one says sign in.
    for (const authorization of ['Bearer', 'Bearer   ', '']) {
      const services = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: { authorization } });
      expect([JSON.stringify(authorization), services.statusCode]).toEqual([JSON.stringify(authorization), 200]);
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
      expect(me.json().error.message).toContain('Sign in');
    }
    const wrong = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: { authorization: 'Bearer otp_live_wrong' } });
    expect(wrong.statusCode).toBe(401);
    // No exemption from the CSRF check either: a cookie's POST with an empty bearer is checked as a cookie's.
    const user = await signUp(t);
    const forged = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/revoke-others',
      headers: { cookie: user.cookie, authorization: 'Bearer', 'content-type': 'application/json', origin: 'https://evil.example' },
      payload: '{}',
    });
    expect(forged.json().error.code).toBe('CSRF_REJECTED');
  });

  it('answers malformed JSON with INVALID_JSON', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expectEnvelope(response.json(), 'INVALID_JSON');
  });

  it('refuses bytes that are not UTF-8 with INVALID_JSON, and keeps a real U+FFFD sent in UTF-8', async () => {
    const invalid = Buffer.concat([Buffer.from('{"email": "a'), Buffer.from([0xff, 0xfe]), Buffer.from('@b.co"}')]);
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: invalid,
    });
    expect(response.statusCode).toBe(400);
    expectEnvelope(response.json(), 'INVALID_JSON');
    expect(response.json().error.message).toContain('not valid UTF-8');
    const replacement = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: Buffer.from(JSON.stringify({ email: 'a\ufffd@b.co' }), 'utf8'),
    });
    // Read as JSON (the schema then answers for the fields it wants), not refused as bytes.
    expect(replacement.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('reads an empty JSON body as no body: an action that takes none runs, a route that needs fields names them', async () => {
    const me = await signUp(t);
    const revoke = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/revoke-others',
      headers: { 'content-type': 'application/json', cookie: me.cookie },
    });
    expect(revoke.statusCode, revoke.body).toBe(200);
    const echo = await t.app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '  ' });
    expect(echo.statusCode).toBe(400);
    expect(echo.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'Invalid request — body: a JSON object is required, and the request has none',
    });
  });

  it('answers other media types with UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(response.statusCode).toBe(415);
    expectEnvelope(response.json(), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a compressed body with UNSUPPORTED_MEDIA_TYPE, and reads one whose Content-Encoding names no compression', async () => {
    const body = JSON.stringify({ email: 'a@b.co', password: 'x', nested: { count: 1 } });
    for (const coding of ['gzip', 'br', 'identity, gzip']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json', 'content-encoding': coding },
        payload: gzipSync(body),
      });
      expect(response.statusCode, coding).toBe(415);
      expectEnvelope(response.json(), 'UNSUPPORTED_MEDIA_TYPE');
      expect(response.json().error.message).toMatch(/^Send the request body uncompressed: Content-Encoding (gzip|br) is not accepted\.$/);
    }
    for (const coding of ['identity', 'UTF-8']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json', 'content-encoding': coding },
        payload: body,
      });
      expect(response.statusCode, coding).toBe(200);
    }
  });

  it('answers JSON declared UTF-16 or UTF-32 with UNSUPPORTED_MEDIA_TYPE, and reads UTF-8 and ASCII labels as before', async () => {
    const body = JSON.stringify({ email: 'a@b.co', password: 'x', nested: { count: 1 } });
    for (const charset of ['utf-16', 'UTF-16LE', '"utf-16be"', 'utf-32', 'UTF16']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': `application/json; charset=${charset}` },
        payload: Buffer.from(`\ufeff${body}`, 'utf16le'),
      });
      expect(response.statusCode, charset).toBe(415);
      expectEnvelope(response.json(), 'UNSUPPORTED_MEDIA_TYPE');
      expect(response.json().error.message).toBe(
        `Send the request body as UTF-8: JSON in charset ${charset.replaceAll('"', '')} is not accepted.`,
      );
    }
    for (const charset of ['utf-8', 'UTF8', '"utf-8"', 'us-ascii', 'ISO-8859-1']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': `application/json; charset=${charset}` },
        payload: body,
      });
      expect(response.statusCode, charset).toBe(200);
    }
  });

  it('answers every body that is not JSON with UNSUPPORTED_MEDIA_TYPE, text/plain too', async () => {
    for (const [type, payload] of [
      ['text/plain', '{"email":"a@b.co","password":"x","nested":{"count":1}}'],
      ['text/plain; charset=utf-8', 'hello'],
      ['application/x-www-form-urlencoded', 'email=a%40b.co'],
      ['multipart/form-data; boundary=x', '--x--'],
      ['application/merge-patch+json', '{}'],
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': type }, payload });
      expect(response.statusCode, type).toBe(415);
      expectEnvelope(response.json(), 'UNSUPPORTED_MEDIA_TYPE');
    }
    const charset = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: '{"email":"a@b.co","password":"x","nested":{"count":1}}',
    });
    expect(charset.statusCode).toBe(200);
  });

  it('refuses keys that would reach a prototype with VALIDATION_FAILED naming them, however they are spelled', async () => {
    const valid = '"email":"a@b.co","password":"x","nested":{"count":1}';
    for (const [payload, field] of [
      [`{${valid},"__proto__":{"admin":true}}`, 'body.__proto__'],
      [`{"email":"a@b.co","password":"x","nested":{"count":1,"__proto__":{"admin":true}}}`, 'body.nested.__proto__'],
      [`{${valid},"\\u005f_proto__":{"admin":true}}`, 'body.__proto__'],
      [`{${valid},"constructor":{"prototype":{"admin":true}}}`, 'body.constructor.prototype'],
      [`{${valid},"list":[{"constructor":{"prototype":{}}}]}`, 'body.list.0.constructor.prototype'],
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload });
      expect(response.statusCode, payload).toBe(400);
      expect(response.json().error, payload).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: `Invalid request — ${field}: this key is not allowed`,
        details: { issues: [{ field, message: 'this key is not allowed' }] },
      });
    }
    // A field merely named "constructor", or a text that mentions __proto__, is no threat.
    for (const payload of [`{${valid},"constructor":"x"}`, '{"email":"a@b.co","password":"__proto__","nested":{"count":1}}']) {
      const response = await t.app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload });
      expect(response.statusCode, payload).toBe(200);
    }
  });

  it('answers oversized bodies with PAYLOAD_TOO_LARGE', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(300 * 1024), nested: { count: 1 } }),
    });
    expect(response.statusCode).toBe(413);
    expectEnvelope(response.json(), 'PAYLOAD_TOO_LARGE');
  });

  it('maps domain errors to their status and sets Retry-After from the details', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/domain-error' });
    expect(response.statusCode).toBe(409);
    expect(response.headers['retry-after']).toBe('8');
    expect(response.json().error).toMatchObject({ code: 'CONFLICT', message: 'That already happened.' });
  });

  it('hides the detail of unexpected errors', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/crash' });
    expect(response.statusCode).toBe(500);
    expectEnvelope(response.json(), 'INTERNAL');
    expect(response.body).not.toContain('hunter2');
  });
});

describe('security headers', () => {
  it('sends a strict CSP without any third-party origin on every response', async () => {
    for (const url of ['/', '/healthz', '/nope', '/openapi.json']) {
      const response = await t.app.inject({ method: 'GET', url });
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toMatch(/https?:|\*|unsafe-inline|unsafe-eval/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('relaxes the CSP of /docs for inline styles only (Scalar sets them as it renders)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs' });
    const csp = String(response.headers['content-security-policy']);
    const strict = String((await t.app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
    expect(csp).toBe(strict.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"));
    expect(csp).not.toBe(strict);
    expect(csp).not.toMatch(/https?:|\*|unsafe-eval/);
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it("sends OWASP's REST header set on JSON API responses: nothing may cache, frame or sniff them", async () => {
    for (const url of ['/api/v1/privacy/policy', '/api/v1/nope']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.headers['content-type'], url).toMatch(/^application\/json/);
      expect(response.headers['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('does not send HSTS on plain-http local use', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('health', () => {
  it('GET /healthz answers while the process lives', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', version: expect.any(String) });
  });

  it('GET /readyz is 200 with a migrated database, 503 while draining', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', engine: t.database.engine, checks: { database: 'ok', migrations: 'ok' } });
    t.lifecycle.draining = true;
    try {
      const draining = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(draining.statusCode).toBe(503);
      expect(draining.json().error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { checks: { accepting: 'shutting down' } } });
    } finally {
      t.lifecycle.draining = false;
    }
  });
});

describe('the web app', () => {
  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

  it('GET / is the web app, naming the service, never cached, with no inline script or style (CSP)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/', headers: html });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('<title>otpbox');
    expect(response.body).toContain('<div id="root"></div>');
    expect(response.body).toMatch(/<script type="module" crossorigin src="\/assets\/[\w-]+\.js"><\/script>/);
    expect(response.body).toContain('<link rel="manifest" href="/manifest.webmanifest"');
    expect(response.body).toContain('href="/docs"');
    expect(response.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|https?:\/\//);
  });

  it('serves the hashed bundles for a year, immutable, and a missing one as a 404 that is not cached', async () => {
    const index = (await t.app.inject({ method: 'GET', url: '/' })).body;
    const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const response = await t.app.inject({ method: 'GET', url: asset });
      expect(response.statusCode, asset).toBe(200);
      expect(response.headers['cache-control'], asset).toBe('public, max-age=31536000, immutable');
      expect(response.headers['content-type'], asset).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    const missing = await t.app.inject({ method: 'GET', url: '/assets/index-nothere.js', headers: html });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const traversal = await t.app.inject({ method: 'GET', url: '/assets/..%2f..%2fpackage.json' });
    expect(traversal.statusCode).toBeGreaterThanOrEqual(400);
    expect(traversal.body).not.toContain('"devDependencies"');
  });

  it('answers the pages of the app with index.html when a browser navigates to them', async () => {
    for (const url of ['/orders', '/buy/tg/ID', '/reset-password?token=abc', '/verify-email?token=abc', '/no/such/page']) {
      const response = await t.app.inject({ method: 'GET', url, headers: html });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('no-store');
      expect(response.body, url).toContain('<div id="root"></div>');
    }
  });

  it('answers /admin and every page under it with the operator console (its own bundle), never cached', async () => {
    const customer = (await t.app.inject({ method: 'GET', url: '/', headers: html })).body;
    for (const url of ['/admin', '/admin/', '/admin/enrol', '/admin/accounts/acc_x']) {
      const response = await t.app.inject({ method: 'GET', url, headers: html });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('no-store');
      expect(response.body, url).toContain('<title>otpbox console</title>');
      expect(response.body, url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|https?:\/\//);
      const [script] = [...response.body.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
      expect(script, url).toBeDefined();
      expect(customer, url).not.toContain(script as string);
      expect((await t.app.inject({ method: 'GET', url: script as string })).statusCode, url).toBe(200);
    }
    // The console's page is served at /admin only, not under its file name.
    expect((await t.app.inject({ method: 'GET', url: '/admin.html' })).statusCode).toBe(404);
  });

  it('keeps the JSON 404 for unknown API and operations paths, and for requests that do not ask for a page', async () => {
    for (const url of ['/api/v1/no-such-thing', '/docs/no-such-thing', '/webhooks/nope', '/stubs/nope', '/metrics/nope', '/healthz/x']) {
      const response = await t.app.inject({ method: 'GET', url, headers: html });
      expect(response.headers['content-type'], url).toContain('application/json');
      expect(response.body, url).not.toContain('id="root"');
    }
    const json = await t.app.inject({ method: 'GET', url: '/orders' });
    expect(json.statusCode).toBe(404);
    expectEnvelope(json.json(), 'NOT_FOUND');
    const post = await t.app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...html, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(post.statusCode).toBe(404);
  });

  it('serves the PWA files: the manifest and the service worker, revalidated on every load', async () => {
    const manifest = await t.app.inject({ method: 'GET', url: '/manifest.webmanifest' });
    expect(manifest.statusCode).toBe(200);
    expect(manifest.headers['content-type']).toContain('application/manifest+json');
    expect(manifest.json()).toMatchObject({ short_name: 'otpbox', display: 'standalone', start_url: '/buy' });
    const worker = await t.app.inject({ method: 'GET', url: '/sw.js' });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers['content-type']).toContain('javascript');
    expect(worker.headers['cache-control']).toBe('no-cache');
    // The worker caches the static shell only: never the API, whose answers hold personal data.
    expect(worker.body).toMatch(/const SHELL = \[.*"\/assets\//);
    expect(worker.body).toContain("'/api/'");
    expect(worker.body).toContain("'/admin'");
    const icon = await t.app.inject({ method: 'GET', url: '/icons/icon-192.png' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toBe('image/png');
  });
});

describe('OpenAPI', () => {
  it('GET /openapi.json is a valid OpenAPI 3.1 document generated from the route schemas', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const echo = document.paths['/test/echo'].post;
    expect(echo.requestBody.content['application/json'].schema.required).toEqual(['email', 'password', 'nested']);
    expect(document.paths['/healthz']).toBeDefined();
    expect(document.paths['/metrics']).toBeUndefined();
  });

  it('GET /docs is the Scalar reference of /openapi.json, every file from our own origin', async () => {
    for (const url of ['/docs', '/docs/']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<script id="api-reference" data-url="/openapi.json"');
      // Every URL the page names is a path on this server: nothing from a CDN, no fonts from elsewhere.
      const urls = [...response.body.matchAll(/(?:src|href|data-url)="([^"]*)"/g)].map((match) => match[1] ?? '');
      expect(urls.length).toBeGreaterThanOrEqual(3);
      for (const found of urls) expect(found, found).toMatch(/^\/(?!\/)/);
      expect(response.body).not.toMatch(/https?:|\/\/cdn|<script>/);
      const settings = JSON.parse(
        (/data-configuration="([^"]*)"/.exec(response.body)?.[1] ?? '').replace(/&#(\d+);/g, (_, code) =>
          String.fromCharCode(Number(code)),
        ),
      );
      expect(settings).toMatchObject({ withDefaultFonts: false, showDeveloperTools: 'never', telemetry: false, agent: { disabled: true } });
    }
  });

  it("serves Scalar's bundle under a hashed name, cached for a year, and no other name", async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    const script = /<script src="(\/docs\/assets\/api-reference-[0-9a-f]{16}\.js)"><\/script>/.exec(page.body)?.[1] ?? '';
    expect(script).not.toBe('');
    const bundle = await t.app.inject({ method: 'GET', url: script });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(bundle.body).toContain('@scalar/api-reference');
    const stale = await t.app.inject({ method: 'GET', url: '/docs/assets/api-reference-0000000000000000.js' });
    expect(stale.statusCode).toBe(404);
    expect(stale.headers['cache-control']).not.toContain('immutable');
  });
});

describe('metrics', () => {
  it('GET /metrics exposes request latency by route pattern and the pool gauges', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' });
    await t.app.inject({ method: 'GET', url: '/no/such/thing' });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/otpbox_http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} \d+/);
    expect(response.body).toContain('route="unmatched"');
    expect(response.body).not.toContain('/no/such/thing');
    expect(response.body).toMatch(/otpbox_db_pool_connections\{[^}]*\} \d+/);
    expect(response.body).toContain('otpbox_build_info');
  });

  it('requires METRICS_TOKEN as a bearer token when one is set', async () => {
    const guarded = await createTestApp({ env: { METRICS_TOKEN: 'metrics-token-0123456789' }, database: t.database });
    try {
      expect((await guarded.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const wrong = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
      const right = await guarded.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer metrics-token-0123456789' },
      });
      expect(right.statusCode).toBe(200);
    } finally {
      await guarded.app.close();
    }
  });
});

describe('logs', () => {
  it('carry the request id and never secrets, tokens, cookies, passwords or keys in URLs', async () => {
    logLines.length = 0;
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/echo?api_key=KEY-IN-QUERY-123&page=2',
      headers: { authorization: 'Bearer otp_live_SECRETTOKEN', cookie: 'otpbox_session=COOKIEVALUE' },
      payload: { email: 'person@example.com', password: 'correct horse battery staple', nested: { count: 2 } },
    });
    expect(response.statusCode).toBe(200);
    const text = logLines.join('');
    expect(text).toContain(response.headers['x-request-id'] as string);
    expect(text).toContain('page=2');
    for (const secret of ['KEY-IN-QUERY-123', 'SECRETTOKEN', 'COOKIEVALUE', 'correct horse', 'person@example.com']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('never a phone number named in a path (5sim: reuse a number), in the completion line', async () => {
    const actor = await createActor(t);
    logLines.length = 0;
    const response = await t.app.inject({
      method: 'GET',
      url: '/compat/5sim/v1/user/reuse/telegram/6281234567890',
      headers: { authorization: actor.bearer },
    });
    expect(`${response.statusCode} ${response.body}`).toBe('400 reuse not possible');
    const text = logLines.join('');
    expect(text).toContain('/compat/5sim/v1/user/reuse/telegram/[redacted]');
    expect(text).not.toContain('6281234567890');
  });

  it('never what staff search for (`q`: an e-mail address or a number), nor a pool number in a path', async () => {
    logLines.length = 0;
    // Refused (no session), so logged at info: the line holds the URL.
    const searches = [
      '/api/v1/admin/accounts?q=carol%40example.com',
      '/api/v1/admin/orders?q=%2B14155550102&limit=abc',
      '/api/v1/admin/pool/numbers/%2B14155550100/remove',
    ];
    for (const url of searches) {
      const response = await t.app.inject({ method: url.endsWith('/remove') ? 'POST' : 'GET', url });
      expect(response.statusCode, url).toBe(401);
    }
    const text = logLines.join('');
    for (const personal of ['carol', '14155550102', '14155550100']) expect(text).not.toContain(personal);
    expect(text).toContain('/api/v1/admin/accounts?q=%5Bredacted%5D');
    expect(text).toContain('/api/v1/admin/pool/numbers/[redacted]/remove');
  });

  it('never an address or a number in the path of a URL that matches no route (a mistyped one is logged as sent)', async () => {
    logLines.length = 0;
    for (const url of [
      '/api/v1/admin/pool/numbers/+14155550177',
      '/api/v1/admin/orders/%2B14155550178',
      '/api/v1/admin/accounts/eve%40example.com',
    ]) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBeGreaterThanOrEqual(400);
    }
    const text = logLines.join('');
    for (const personal of ['14155550177', '14155550178', 'eve%40example', 'eve@example']) expect(text).not.toContain(personal);
    expect(text).toContain('/api/v1/admin/orders/[redacted]');
    // Our own ids and order numbers stay readable.
    const { redactUrl } = await import('../../lib/logger.ts');
    expect(redactUrl('/api/v1/activations/act_01m97zqawdygg6jy8qkda5e8v2/cancel')).toBe(
      '/api/v1/activations/act_01m97zqawdygg6jy8qkda5e8v2/cancel',
    );
    expect(redactUrl('/compat/5sim/v1/user/check/100000089')).toBe('/compat/5sim/v1/user/check/100000089');
    // A receiver's secret put in its path by mistake: what follows the receiver's path is not logged.
    for (const mistyped of [
      '/webhooks/blockonomics;secret=s3cr3t&status=2',
      '/webhooks/blockonomics&secret=s3cr3t&status=2',
      '/webhooks/blockonomics%3Fsecret=s3cr3t%26status=2',
      '/Webhooks/blockonomics/s3cr3t',
      '/webhooks//blockonomics/s3cr3t',
      '/webhooks/blockonomics%2Fs3cr3t',
      '/webhooks/blockonomics.s3cr3t',
      '/webhooks/revenuecat,s3cr3t',
      '/webhooks/gateways/phone/s3cr3t',
      '/webhooks%2Fblockonomics/s3cr3t',
    ])
      expect(redactUrl(mistyped), mistyped).toBe('/webhooks/[redacted]');
    expect(redactUrl('/webhooks/blockonomics/s3cr3t?status=2')).toBe('/webhooks/[redacted]?status=2');
    expect(redactUrl('/webhooks/blockonomics?secret%3Ds3cr3t')).not.toContain('s3cr3t');
    expect(redactUrl('/webhooks/gateways/phone')).toBe('/webhooks/gateways/phone');
    expect(redactUrl('/webhooks/stripe')).toBe('/webhooks/stripe');
    // A Bitcoin callback: its address and transaction tie the payment to the payer on the public chain.
    expect(
      redactUrl('/webhooks/blockonomics?secret=s3&status=2&addr=bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh&value=100&txid=ab12cd'),
    ).toBe('/webhooks/blockonomics?secret=%5Bredacted%5D&status=2&addr=%5Bredacted%5D&value=100&txid=%5Bredacted%5D');
  });

  it('never a credential, an address or a number by its value, whatever the parameter is called or wherever in the path', async () => {
    const actor = await createActor(t);
    const key = actor.bearer.slice('Bearer '.length);
    logLines.length = 0;
    for (const url of [
      `/api/v1/activations/${key}`,
      `/api/v1/prices?service=zz&country=US&user=alice%40example.com&to=%2B447700900123&k=${key}`,
      '/api/v1/prices?service=zz&country=US&to=+447700900124',
    ]) {
      expect((await t.app.inject({ method: 'GET', url, headers: { authorization: actor.bearer } })).statusCode, url).toBeGreaterThanOrEqual(
        400,
      );
    }
    // Spelled otherwise: the key percent-encoded in the path, or alone as a parameter's name; a tel: number.
    for (const url of [
      `/api/v1/activations/${key.replace(/_/g, '%5F')}`,
      `/api/v1/nope?${key}`,
      '/api/v1/nope?bob%40example.com',
      '/api/v1/prices?service=zz&country=US&u=tel%3A%20447700900125',
      // Encoded twice, as some clients do: `%2540` is `@` once the reader decodes twice.
      '/api/v1/activations/carol%2540example.com',
      '/api/v1/prices?service=zz&country=US&u=dave%252540example.com',
    ]) {
      expect((await t.app.inject({ method: 'GET', url, headers: { authorization: actor.bearer } })).statusCode, url).toBeGreaterThanOrEqual(
        400,
      );
    }
    const text = logLines.join('');
    for (const secret of [key.slice(9), 'alice', 'bob', 'carol', 'dave', '447700900123', '447700900124', '447700900125'])
      expect(text).not.toContain(secret);
    expect(text).not.toContain(key.slice(9).replace(/_/g, '%5F'));
    expect(text.split('/api/v1/activations/[redacted]').length - 1).toBeGreaterThanOrEqual(2);
    expect(text).toContain('/api/v1/activations/[redacted]');
    // What is neither stays readable.
    expect(text).toContain('service=zz&country=US');
    const { redactUrl } = await import('../../lib/logger.ts');
    expect(redactUrl('/stubs/handler_api.php?action=getStatus&id=100000089&country=6')).toBe(
      '/stubs/handler_api.php?action=getStatus&id=100000089&country=6',
    );
  });

  it("bind the request id to the handler's own lines and to the completion line, each once", async () => {
    logLines.length = 0;
    const echo = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { email: 'a@example.com', password: 'x', nested: { count: 1 } },
    });
    const quiet = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/privacy/policy' });
    const lines = logLines.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line));
    const of = (id: unknown) => lines.filter((line) => line.requestId === id);
    expect(of(echo.headers['x-request-id']).map((line) => line.msg)).toEqual(['echo body', 'request completed']);
    expect(of(quiet.headers['x-request-id']).map((line) => line.msg)).toEqual(['request completed']);
    const completed = of(quiet.headers['x-request-id'])[0];
    // A refused read is logged at info.
    expect(completed).toMatchObject({ level: 30, res: { statusCode: 401 }, req: { method: 'GET', url: '/api/v1/no-such-thing' } });
    // A read that succeeded is logged at debug (polls would bury everything else), not at info.
    expect(read.statusCode).toBe(200);
    expect(of(read.headers['x-request-id'])).toEqual([]);
    expect(typeof completed.responseTime).toBe('number');
    for (const line of lines) expect(Object.keys(line).filter((key) => key === 'requestId')).toHaveLength(1);
  });

  it('redact nested personal data even when logged by hand', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ level: 'info' }, sink);
    void log;
    return import('../../lib/logger.ts').then(({ createLogger }) => {
      const redacting = createLogger({ level: 'info', version: 't', destination: sink });
      redacting.info(
        { sms: { text: 'Your code is 123456', phone: '+15550100' }, deviceId: 'dev-1', nested: { deeper: { token: 'tok' } } },
        'x',
      );
      const text = lines.join('');
      expect(text).not.toContain('123456');
      expect(text).not.toContain('+15550100');
      expect(text).not.toContain('dev-1');
      expect(text).not.toContain('"tok"');
    });
  });

  it("censor errors' nested fields, list items, keys in any case and a child's bound fields, without changing what was logged", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { createLogger } = await import('../../lib/logger.ts');
    const log = createLogger({ level: 'info', version: 't', destination: sink });
    class UpstreamError extends Error {
      config = { headers: { Authorization: 'Bearer UPSTREAM-SECRET' } };
    }
    const fields = { err: new UpstreamError('upstream refused'), recipients: [{ Email: 'list@example.com', n: 1 }] };
    log.error(fields, 'failed');
    log.child({ email: 'bound@example.com', job: 'mail' }).info({ attempt: 2 }, 'sending');
    const [failed, sending] = lines.map((line) => JSON.parse(line));
    expect(failed.err).toMatchObject({
      type: 'UpstreamError',
      message: 'upstream refused',
      config: { headers: { Authorization: '[redacted]' } },
    });
    expect(failed.err.stack).toContain('upstream refused');
    expect(failed.recipients).toEqual([{ Email: '[redacted]', n: 1 }]);
    expect(sending).toMatchObject({ email: '[redacted]', job: 'mail', attempt: 2 });
    expect(lines.join('')).not.toMatch(/UPSTREAM-SECRET|list@example\.com|bound@example\.com/);
    // The caller's objects are copied where censored, never changed.
    expect(fields.err.config.headers.Authorization).toBe('Bearer UPSTREAM-SECRET');
    expect(fields.recipients[0]?.Email).toBe('list@example.com');
  });
});
