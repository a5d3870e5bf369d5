import { afterEach, describe, expect, it } from 'vitest';
import { type FakeBlockonomics, startFakeBlockonomics } from '../../../../test/fakes/blockonomics-server.ts';
import { isBitcoinAddress } from '../bip21.ts';
import { apiRoot, type BlockonomicsClientOptions, type BlockonomicsResult, createBlockonomicsClient } from '../client.ts';

const open: FakeBlockonomics[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((fake) => fake.close()));
});

async function connected(options: Partial<BlockonomicsClientOptions> = {}) {
  const fake = await startFakeBlockonomics();
  open.push(fake);
  return { fake, client: createBlockonomicsClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, ...options }) };
}

function value<T>(result: BlockonomicsResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.failure.kind}: ${result.failure.message}`);
  return result.value;
}

function failure<T>(result: BlockonomicsResult<T>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure;
}

describe('newAddress', () => {
  it('POSTs with the Bearer key and an empty body, and gets a distinct address each time', async () => {
    const { fake, client } = await connected();
    const first = value(await client.newAddress());
    const second = value(await client.newAddress());
    expect(isBitcoinAddress(first.address)).toBe(true);
    expect(second.address).not.toBe(first.address);
    expect(fake.calls.new_address).toBe(2);
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/new_address');
    expect(request?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(request?.body).toBe('');
  });

  it('passes match_callback and reset when asked', async () => {
    const { fake, client } = await connected({ matchCallback: '/webhooks/blockonomics' });
    const first = value(await client.newAddress());
    const again = value(await client.newAddress({ reset: true }));
    expect(again.address).toBe(first.address);
    expect(fake.requests.map((request) => request.query)).toEqual([
      { match_callback: '/webhooks/blockonomics' },
      { match_callback: '/webhooks/blockonomics', reset: '1' },
    ]);
  });

  it('reports a wrong key as bad_key, without the key in the message', async () => {
    const { fake } = await connected();
    const client = createBlockonomicsClient({ baseUrl: fake.baseUrl, apiKey: 'wrong-key-123' });
    const failed = failure(await client.newAddress());
    expect(failed).toMatchObject({ kind: 'bad_key', status: 401 });
    expect(failed.message).toContain('Invalid API key');
    expect(failed.message).not.toContain('wrong-key-123');
  });

  it("reads Blockonomics' two error body shapes", async () => {
    const { fake, client } = await connected();
    fake.failNext('new_address', { status: 400, body: { message: 'Please add a store on Blockonomics Dashboard' } });
    fake.failNext('new_address', { status: 500, body: { error: { message: 'Gap limit reached' } } });
    expect(failure(await client.newAddress())).toMatchObject({
      kind: 'rejected',
      status: 400,
      message: expect.stringContaining('Please add a store'),
    });
    expect(failure(await client.newAddress())).toMatchObject({
      kind: 'unavailable',
      status: 500,
      message: expect.stringContaining('Gap limit reached'),
    });
  });

  it('turns odd answers into typed failures', async () => {
    const { fake, client } = await connected();
    fake.failNext('new_address', { status: 200, body: '<html>maintenance</html>' });
    fake.failNext('new_address', { status: 200, body: { address: 'javascript:alert(1)' } });
    fake.failNext('new_address', { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '7' } });
    fake.failNext('new_address', { status: 302, body: '', headers: { location: 'https://elsewhere.example/' } });
    fake.failNext('new_address', { status: 418, body: 'teapot' });
    fake.failNext('new_address', 'reset');
    expect(failure(await client.newAddress())).toMatchObject({ kind: 'protocol_error', message: expect.stringContaining('maintenance') });
    expect(failure(await client.newAddress())).toMatchObject({
      kind: 'protocol_error',
      message: expect.stringContaining('no bitcoin address'),
    });
    expect(failure(await client.newAddress())).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 });
    expect(failure(await client.newAddress())).toMatchObject({ kind: 'protocol_error', status: 302 });
    expect(failure(await client.newAddress())).toMatchObject({ kind: 'rejected', status: 418 });
    expect(failure(await client.newAddress())).toMatchObject({ kind: 'unavailable' });
    // The redirect was not followed.
    expect(fake.requests).toHaveLength(6);
  });

  it('gives up after its timeout, or when the caller aborts', async () => {
    const { fake, client } = await connected({ timeoutMs: 100 });
    fake.failNext('new_address', { status: 200, body: { address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' }, delayMs: 5_000 });
    expect(failure(await client.newAddress())).toMatchObject({ kind: 'timeout', message: expect.stringContaining('100 ms') });
    fake.failNext('new_address', { status: 200, body: {}, delayMs: 5_000 });
    const caller = new AbortController();
    const pending = client.newAddress({ signal: caller.signal, timeoutMs: 10_000 });
    caller.abort();
    expect(failure(await pending)).toMatchObject({ kind: 'timeout', message: expect.stringContaining('aborted') });
  });

  it('reports a server that is not there as unavailable', async () => {
    const { fake } = await connected();
    const client = createBlockonomicsClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey });
    await fake.close();
    open.length = 0;
    expect(failure(await client.newAddress())).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('cannot reach') });
  });
});

describe('priceOf', () => {
  it('GETs /api/price without the key and reads the price exactly', async () => {
    const { fake, client } = await connected();
    expect(value(await client.priceOf('USD'))).toEqual({ currency: 'USD', perBtc: { units: 650005n, scale: 1 } });
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'GET', path: '/api/price', query: { currency: 'USD', crypto: 'BTC' } });
    expect(request?.headers.authorization).toBeUndefined();
    expect(fake.calls.price).toBe(1);
  });

  it('answers unsupported_currency for {price: null} and for a malformed code', async () => {
    const { fake, client } = await connected();
    expect(failure(await client.priceOf('XYZ'))).toMatchObject({ kind: 'unsupported_currency', message: expect.stringContaining('XYZ') });
    expect(failure(await client.priceOf('usd'))).toMatchObject({ kind: 'unsupported_currency' });
    expect(fake.calls.price).toBe(1);
  });

  it('refuses prices that are not positive numbers', async () => {
    const { fake, client } = await connected();
    for (const body of [{ price: 0 }, { price: -5 }, { price: 'lots' }, {}, '<html></html>']) {
      fake.failNext('price', { status: 200, body });
      expect(failure(await client.priceOf('USD')), JSON.stringify(body)).toMatchObject({ kind: 'protocol_error' });
    }
    fake.setPrice('USD', 70123.45);
    expect(value(await client.priceOf('USD')).perBtc).toEqual({ units: 7012345n, scale: 2 });
  });
});

describe('apiRoot', () => {
  it('accepts the site or its /api path, and nothing but http(s) without credentials', () => {
    expect(apiRoot('https://www.blockonomics.co')).toBe('https://www.blockonomics.co/api');
    expect(apiRoot('https://www.blockonomics.co/api/')).toBe('https://www.blockonomics.co/api');
    expect(apiRoot('http://127.0.0.1:4000/')).toBe('http://127.0.0.1:4000/api');
    expect(() => apiRoot('ftp://example.com')).toThrow(/http\(s\)/);
    expect(() => apiRoot('https://user:pw@example.com')).toThrow(/credentials/);
    expect(() => createBlockonomicsClient({ apiKey: '' })).toThrow(/API key/);
  });
});
