import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generator } from '../src/provider-clients/sandbox/sequence.ts';
import { type Actor, createActor } from './support/actors.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { documentedApiOperations, documents, type Operation } from './support/route-matrix.ts';

/**
 * Junk at every documented /api/v1 operation, as an outside probe sends it (issue 14: a bad input gets a
 * clear error): path parameters, query parameters and body fields drawn from hostile values (empty,
 * huge, negative, fractional, the wrong type, NUL, an unpaired surrogate, a malformed percent-encoding,
 * SQL, markup, a path, ids of the wrong kind, a body said to be compressed), by a customer, a support member, an admin and nobody,
 * from a fixed seed. No answer is a 5xx; every refusal is the error envelope with the request id, under
 * a status and code the operation's OpenAPI document lists.
 *
 * Left out: the event streams (they never end), and what ends the caller's own access (logout, a new
 * password, sessions and API keys revoked, the account deleted or upgraded, a staff member's factor
 * reset), which would turn the rest of the run into unauthenticated requests; their refusals are in
 * route-matrix.test.ts and their own tests.
 */
const LEFT_OUT =
  /\/events$|\/auth\/logout$|\/auth\/password$|\/sessions|\/api-keys\/:|\/privacy\/delete$|\/auth\/upgrade$|\/second-factor$|\/staff\/:id\//;
const ROUNDS = 8;
const JUNK: readonly unknown[] = [
  '',
  'x'.repeat(5_000),
  -1,
  0,
  1.5,
  1e308,
  true,
  null,
  [],
  {},
  [1, 2],
  { a: { b: 1 } },
  '\u0000',
  '\ud800',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '9'.repeat(40),
  'NaN',
  '2026-13-45',
  `otp_live_${'A'.repeat(43)}`,
  `act_${'0'.repeat(26)}`,
];
const PATH_JUNK: readonly string[] = ['%00', '..', 'x'.repeat(101), '-1', '%E0%A4%A', 'null', `act_${'0'.repeat(26)}`, '%27%20or%201%3D1'];

let t: TestApp;
let actors: { name: string; headers: Record<string, string> }[];
let operations: Map<string, Operation>;
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0', PUBLIC_RATE_LIMIT: '0', ORDER_RATE_LIMIT: '0' } });
  const headersOf = (actor: Actor) => actor.auth as Record<string, string>;
  const [customer, support, admin] = [await createActor(t), await createActor(t, 'support'), await createActor(t, 'admin')];
  actors = [
    { name: 'a customer', headers: headersOf(customer) },
    { name: 'a support member', headers: headersOf(support) },
    { name: 'an admin', headers: headersOf(admin) },
    { name: 'nobody', headers: {} },
  ];
  operations = await documentedApiOperations(t);
});
afterAll(() => t?.close());

function encoded(value: unknown): string {
  try {
    return encodeURIComponent(String(value));
  } catch {
    return '%ED%A0%80'; // an unpaired surrogate, percent-encoded as its UTF-8 bytes would be
  }
}

describe('junk at every documented operation', () => {
  it('never answers 5xx, and every refusal is a documented code in the error envelope', async () => {
    // The sandbox's deterministic generator (mulberry32), as a fraction in [0, 1).
    const next = generator(20261207);
    const random = () => next() / 2 ** 32;
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const tested = [...operations].filter(([label]) => !LEFT_OUT.test(label));
    expect(tested.length).toBeGreaterThan(80);
    const problems: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, operation] of tested) {
        const [method, pattern] = label.split(' ') as [string, string];
        let url = pattern.replace(/:\w+/g, () => pick(PATH_JUNK));
        const query = (operation.parameters ?? []).filter((p) => p.in === 'query' && random() < 0.7);
        if (query.length > 0) url += `?${query.map((p) => `${p.name}=${encoded(pick(JUNK))}`).join('&')}`;
        const fields = Object.keys(operation.requestBody?.content?.['application/json']?.schema?.properties ?? {});
        let body: unknown;
        if (method !== 'GET') {
          body =
            fields.length > 0 && random() < 0.8
              ? Object.fromEntries(fields.filter(() => random() < 0.7).map((f) => [f, pick(JUNK)]))
              : pick(JUNK);
        }
        const actor = pick(actors);
        const headers: Record<string, string> = { ...actor.headers };
        if (random() < 0.3) headers['idempotency-key'] = String(pick(JUNK)).slice(0, 300) || 'x';
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (body !== undefined && random() < 0.05) headers['content-encoding'] = 'gzip';
        const response = await t.app.inject({
          method: method as 'GET',
          url,
          headers,
          payload: body === undefined ? undefined : JSON.stringify(body),
        });
        const what = `${label} as ${actor.name}: ${method} ${url.slice(0, 120)} ${JSON.stringify(body)?.slice(0, 120) ?? ''}`;
        if (response.statusCode >= 500) problems.push(`${what} → ${response.statusCode} ${response.body.slice(0, 200)}`);
        if (response.statusCode < 400) continue;
        const envelope = (() => {
          try {
            return response.json() as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
          } catch {
            return undefined;
          }
        })();
        const error = envelope?.error;
        if (typeof error?.code !== 'string' || typeof error.message !== 'string' || error.requestId !== response.headers['x-request-id']) {
          problems.push(`${what} → ${response.statusCode} not the envelope: ${response.body.slice(0, 200)}`);
        } else if (!documents(operation, response.statusCode, error.code)) {
          problems.push(`${what} → ${response.statusCode} ${error.code}, not in /openapi.json`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
