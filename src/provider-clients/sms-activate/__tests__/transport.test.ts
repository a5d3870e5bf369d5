import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../lib/clock.ts';
import { SmsActivateProvider } from '../adapter.ts';
import { handlerEndpoint } from '../transport.ts';
import { failure, upstream, value } from './setup.ts';

describe('SMS-Activate transport', () => {
  it('names the same endpoint with or without the handler path', () => {
    for (const base of [
      'https://api.example',
      'https://api.example/',
      'https://api.example/stubs/handler_api.php',
      'https://api.example/stubs/handler_api.php/',
    ]) {
      expect(handlerEndpoint(base), base).toBe('https://api.example/stubs/handler_api.php');
    }
    expect(handlerEndpoint('http://127.0.0.1:8080/proxy/?x=1')).toBe('http://127.0.0.1:8080/proxy/stubs/handler_api.php');
    expect(() => handlerEndpoint('ftp://api.example')).toThrow(TypeError);
    expect(() => handlerEndpoint('not a url')).toThrow(TypeError);
  });

  it('refuses a configuration that cannot work', () => {
    expect(() => new SmsActivateProvider({ name: 'x', baseUrl: 'https://a.example', apiKey: ' ' })).toThrow(TypeError);
    expect(() => new SmsActivateProvider({ name: 'x', baseUrl: 'https://a.example', apiKey: 'k', timeoutMs: 0 })).toThrow(TypeError);
  });

  it('works against a baseUrl given with the full handler path', async () => {
    const { fake } = await upstream();
    const provider = new SmsActivateProvider({ name: 'x', baseUrl: `${fake.baseUrl}/stubs/handler_api.php`, apiKey: fake.apiKey });
    expect(value(await provider.getBalance()).amount).toBe(100_000_000);
  });

  it('POSTs a form body by default, keeping the key out of the URL', async () => {
    const { provider, fake } = await upstream();
    value(await provider.getBalance());
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.query).toEqual({});
    expect(request?.form).toEqual({ api_key: fake.apiKey, action: 'getBalance' });
  });

  it('sends GET query strings when configured', async () => {
    const { provider, fake } = await upstream({}, { method: 'GET' });
    value(await provider.buyNumber({ service: 'tg', country: 'US', maxCost: 1_000_000 }));
    const [request] = fake.requests;
    expect(request?.method).toBe('GET');
    expect(request?.form).toEqual({});
    expect(request?.query).toEqual({ api_key: fake.apiKey, action: 'getNumberV2', service: 'tg', country: '187', maxPrice: '1' });
  });

  it('gives up after the timeout on a slow server', async () => {
    const { provider, fake } = await upstream({}, { timeoutMs: 200 });
    fake.setMode('slow', { delayMs: 2_000 });
    expect(failure(await provider.getBalance())).toMatchObject({ kind: 'timeout', message: 'no answer within 200 ms' });
  });

  it('takes a per-call timeout over the configured one', async () => {
    const { provider, fake } = await upstream();
    fake.setMode('slow', { delayMs: 2_000 });
    expect(failure(await provider.getBalance({ timeoutMs: 200 })).kind).toBe('timeout');
  });

  it('stops when the caller aborts', async () => {
    const { provider, fake } = await upstream();
    fake.setMode('slow', { delayMs: 2_000 });
    const controller = new AbortController();
    const pending = provider.getBalance({ signal: controller.signal });
    controller.abort();
    expect(failure(await pending)).toMatchObject({ kind: 'timeout', message: 'the caller aborted the request' });
  });

  it('calls a reset connection, a 503 and a refused connection unavailable', async () => {
    const { provider, fake } = await upstream();
    fake.setMode('down');
    expect(failure(await provider.getBalance()).kind).toBe('unavailable');
    fake.setMode('down', { down: '503' });
    expect(failure(await provider.getBalance())).toMatchObject({ kind: 'unavailable', message: 'upstream answered HTTP 503' });
    await fake.close();
    const refused = failure(await provider.getBalance());
    expect(refused).toMatchObject({ kind: 'unavailable', message: 'could not reach upstream (ECONNREFUSED)' });
  });

  it('calls an HTML page with status 200 a protocol error', async () => {
    const { provider, fake } = await upstream();
    fake.setMode('garbage');
    expect(failure(await provider.getBalance())).toMatchObject({ kind: 'protocol_error', message: 'getBalance: an HTML page (HTTP 200)' });
    expect(failure(await provider.buyNumber({ service: 'tg', country: 'US' })).kind).toBe('protocol_error');
    expect(failure(await provider.checkStatus('1')).kind).toBe('protocol_error');
    expect(failure(await provider.cancel('1')).kind).toBe('protocol_error');
    expect(failure(await provider.fetchOffers()).kind).toBe('protocol_error');
  });

  it('reads 429 as rate limited, with Retry-After in seconds', async () => {
    const { provider, fake } = await upstream();
    fake.setMode('rate_limited', { retryAfterSeconds: 7 });
    expect(failure(await provider.getBalance())).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7_000 });
  });

  it('reads Retry-After as an HTTP date against the clock', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(429, { 'retry-after': 'Wed, 01 Jul 2026 12:00:30 GMT' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const clock = new ManualClock('2026-07-01T12:00:00Z');
      const provider = new SmsActivateProvider({ name: 'x', baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', clock });
      expect(failure(await provider.getBalance())).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses to follow redirects, which would carry the key elsewhere', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const provider = new SmsActivateProvider({ name: 'x', baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', method: 'GET' });
      expect(failure(await provider.getBalance()).kind).toBe('unavailable');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
