import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesOf } from '../scripts/api-types.ts';
import { createTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe("the web app's API types", () => {
  it('are generated from the current /openapi.json: run `npm run api:types` when this fails', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const committed = await readFile(API_TYPES_FILE, 'utf8');
    // Compared whole; the message stays short (the file is thousands of lines).
    const current = await apiTypesOf(document);
    expect(current === committed, 'web/src/lib/api.gen.ts is stale: run `npm run api:types` and commit it').toBe(true);
  });

  it('name each response shape once, as a component the web app aliases', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const names = Object.keys(document.components.schemas);
    for (const name of ['Activation', 'Profile', 'Balance', 'StatementLine', 'Session', 'ApiKey', 'SecurityEvent', 'ErrorEnvelope']) {
      expect(names, name).toContain(name);
    }
    // The unused request-side twins fastify-type-provider-zod adds are left out (openapi.ts).
    expect(names.filter((name) => name.endsWith('Input') && names.includes(name.slice(0, -'Input'.length)))).toEqual([]);
  });
});
