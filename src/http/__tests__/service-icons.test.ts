import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { SERVICES, serviceIconSvg } from '../../modules/catalog/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
const spriteUrl = async (): Promise<string> => (await get('/api/v1/services')).json().iconSprite;

describe('the brand icons in one response', () => {
  it('names the sprite in the services list, at a URL made of a hash of its content', async () => {
    const url = await spriteUrl();
    expect(url).toMatch(/^\/api\/v1\/services\/icons\/[0-9a-f]{16}\.svg$/);
    const response = await get(url);
    expect(url).toContain(`/${createHash('sha256').update(response.body).digest('hex').slice(0, 16)}.`);
    expect(await spriteUrl()).toBe(url);
  });

  it('holds one symbol per service with an icon, with the path simple-icons ships', async () => {
    const response = await get(await spriteUrl());
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const symbols = new Map(
      [...response.body.matchAll(/<symbol id="([a-z0-9]+)" viewBox="0 0 24 24"><path d="([^"]+)"\/><\/symbol>/g)].map((m) => [m[1], m[2]]),
    );
    const withIcons = SERVICES.filter((service) => service.icon !== null);
    expect(withIcons.length).toBeGreaterThanOrEqual(40);
    expect([...symbols.keys()]).toEqual(withIcons.map((service) => service.code));
    for (const service of withIcons)
      expect(serviceIconSvg(service.code), service.code).toContain(`<path d="${symbols.get(service.code)}"/>`);
    expect(response.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"><symbol /);
  });

  it('is cached for a year as immutable, and answers 304 to its ETag', async () => {
    const url = await spriteUrl();
    const first = await get(url);
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const again = await get(url, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await get(url, { 'if-none-match': '"something-else"' })).statusCode).toBe(200);
  });

  it('answers 404 for a hash that is not the current one, so an old URL is never cached with new icons', async () => {
    const response = await get('/api/v1/services/icons/0123456789abcdef.svg');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
    expect(response.headers['cache-control']).not.toContain('immutable');
  });

  it('keeps serving each icon on its own for the clients that use the icon field', async () => {
    const response = await get('/api/v1/services/tg/icon.svg');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(serviceIconSvg('tg'));
  });
});
