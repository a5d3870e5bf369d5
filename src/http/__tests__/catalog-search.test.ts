import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const search = async (url: string) => (await t.app.inject({ method: 'GET', url })).json();
const codes = (items: { code: string }[]) => items.map((item) => item.code);

describe('catalog search over HTTP', () => {
  it('answers "uk" with no service (Airbnb’s provider code is not a name) and with the United Kingdom first among countries', async () => {
    expect(codes((await search('/api/v1/services?q=uk')).services)).toEqual([]);
    expect(codes((await search('/api/v1/countries?service=tg&q=uk')).countries)).toEqual(['GB', 'UA']);
    expect(codes((await search('/api/v1/services?q=youtube')).services)).toEqual(['go']);
    expect(codes((await search('/api/v1/services?q=gram')).services)).toEqual([]);
  });

  it('lists the aliases, so a client can search as the server does', async () => {
    const { services } = await search('/api/v1/services');
    expect(services.find((service: { code: string }) => service.code === 'go').aliases).toEqual(
      expect.arrayContaining(['youtube', 'gmail']),
    );
    const { countries } = await search('/api/v1/countries');
    expect(countries.find((country: { code: string }) => country.code === 'GB').aliases).toContain('UK');
    expect(countries.find((country: { code: string }) => country.code === 'FR').aliases).toEqual([]);
  });
});
