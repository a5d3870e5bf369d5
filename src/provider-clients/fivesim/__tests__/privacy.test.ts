import { describe, expect, it } from 'vitest';
import { adapterFor, fakeFivesim, value } from './support.ts';

/** Every request the adapter may make, and the only query parameter it may send (P7). */
const ALLOWED: ReadonlyArray<{ path: RegExp; auth: boolean; query: readonly string[] }> = [
  { path: /^\/v1\/guest\/prices$/, auth: false, query: [] },
  { path: /^\/v1\/user\/profile$/, auth: true, query: [] },
  { path: /^\/v1\/user\/buy\/activation\/[a-z]+\/any\/[a-z0-9]+$/, auth: true, query: ['maxPrice'] },
  { path: /^\/v1\/user\/(check|finish|cancel)\/\d+$/, auth: true, query: [] },
];

describe('5sim privacy', () => {
  it('sends 5sim nothing but the token, country, product and price limit across a full cycle', async () => {
    const { fake, clock } = await fakeFivesim();
    const adapter = adapterFor(fake);

    value(await adapter.fetchOffers());
    value(await adapter.getBalance());
    const first = value(await adapter.buyNumber({ service: 'tg', country: 'ID', maxCost: 3_000_000 }));
    value(await adapter.checkStatus(first.upstreamId));
    clock.ms += 60_000;
    fake.deliverSms(first.upstreamId, { text: 'Your code 123456', code: '123456', sender: 'Telegram' });
    value(await adapter.checkStatus(first.upstreamId));
    value(await adapter.requestAnotherSms(first.upstreamId));
    value(await adapter.finish(first.upstreamId));
    const second = value(await adapter.buyNumber({ service: 'wa', country: 'GB' }));
    value(await adapter.cancel(second.upstreamId));
    value(await adapter.getBalance());

    expect(fake.requests.length).toBe(9);
    for (const request of fake.requests) {
      const what = `${request.method} ${request.path}`;
      expect(request.method, what).toBe('GET');
      const rule = ALLOWED.find((r) => r.path.test(request.path));
      expect(rule, what).toBeDefined();
      for (const key of Object.keys(request.query)) expect(rule?.query, `${what} ?${key}`).toContain(key);
      expect(request.headers.authorization, what).toBe(rule?.auth ? `Bearer ${fake.token}` : undefined);
      for (const [name, header] of Object.entries(request.headers)) {
        if (name !== 'authorization') expect(String(header), `${what} ${name}`).not.toContain(fake.token);
      }
      for (const name of ['cookie', 'referer', 'origin', 'forwarded', 'x-forwarded-for', 'x-real-ip']) {
        expect(request.headers[name], `${what} ${name}`).toBeUndefined();
      }
    }
    expect(fake.requests.filter((r) => Object.keys(r.query).length > 0).map((r) => [r.path, r.query])).toEqual([
      ['/v1/user/buy/activation/indonesia/any/telegram', { maxPrice: '3' }],
    ]);
  });
});
