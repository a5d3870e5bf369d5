import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { recordSecurityEvent } from '../../modules/accounts/index.ts';
import { grantCredits } from '../../modules/ledger/index.ts';
import { createWebhookEndpoint, sendTestEvent } from '../../modules/webhooks/index.ts';

let t: TestApp;
let user: Actor;
let endpointId: string;

beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
  user = await fundedActor(t, 1000);
  const ctx = ctxOf(t);
  // At least four items in every list.
  for (let i = 0; i < 4; i++) expect((await api(t, user).order()).statusCode).toBe(201);
  for (let i = 0; i < 3; i++) {
    await grantCredits(ctxOf(t, 'cli'), { accountId: user.accountId, amount: 1, reason: `gift ${i}`, idempotencyKey: `gift:${i}` });
    await recordSecurityEvent(ctx, { type: 'login_succeeded', accountId: user.accountId });
    t.clock.advance(1_000);
  }
  endpointId = (await createWebhookEndpoint(ctx, user.accountId, { url: 'https://hooks.example.com/paging' })).id;
  for (let i = 0; i < 4; i++) await sendTestEvent(ctx, user.accountId, endpointId);
});
afterAll(() => t?.close());

/** Every page of a list, following `nextCursor` until it is null. */
async function pages(path: string, items: string, cursorParam: string, limit: number) {
  const seen: { count: number; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `${path}?limit=${limit}${cursor ? `&${cursorParam}=${cursor}` : ''}`;
    const response = await t.app.inject({ method: 'GET', url, headers: { authorization: user.bearer } });
    expect(response.statusCode, url).toBe(200);
    const body = response.json();
    seen.push({ count: body[items].length, nextCursor: body.nextCursor });
    cursor = body.nextCursor;
  } while (cursor !== null && seen.length < 50);
  return seen;
}

describe('paged lists', () => {
  for (const [path, items, cursorParam] of [
    ['/api/v1/activations', 'activations', 'cursor'],
    ['/api/v1/ledger/statement', 'lines', 'before'],
    ['/api/v1/security-events', 'events', 'before'],
    [`/api/v1/webhook-endpoints/:id/deliveries`, 'deliveries', 'cursor'],
  ] as const) {
    it(`${path}: the last page says nextCursor: null, even when it is full`, async () => {
      const url = path.replace(':id', endpointId);
      const [all] = await pages(url, items, cursorParam, 100);
      const total = all?.count ?? 0;
      expect(total).toBeGreaterThanOrEqual(4);
      // Everything on one page: no next page.
      expect(await pages(url, items, cursorParam, total)).toEqual([{ count: total, nextCursor: null }]);
      // One item a page: every page is full, and the last one still says there is no next page.
      const single = await pages(url, items, cursorParam, 1);
      expect(single).toHaveLength(total);
      expect(single.map((page) => page.count)).toEqual(Array(total).fill(1));
      expect(single.slice(0, -1).every((page) => typeof page.nextCursor === 'string')).toBe(true);
      expect(single.at(-1)?.nextCursor).toBeNull();
    });
  }
});

describe('a cursor that no page gave', () => {
  // Read as a position, these answered an empty page (which looks like the end of the list) or the first
  // page again; a client with a corrupted cursor must be told instead.
  const GARBAGE = ['%01', '%1b', 'garbage', '__proto__', '-1', '1e999', 'act_', 'pay_01m97zqawdygg6jy8qkda5e8v2x'];
  const customerLists: [string, string][] = [
    ['/api/v1/activations', 'cursor'],
    ['/api/v1/payments', 'cursor'],
    ['/api/v1/rentals', 'cursor'],
    ['/api/v1/support/conversations', 'cursor'],
    ['/api/v1/privacy/requests', 'cursor'],
    ['/api/v1/ledger/statement', 'before'],
    ['/api/v1/security-events', 'before'],
    ['/api/v1/privacy/access-log', 'before'],
    [`/api/v1/webhook-endpoints/:id/deliveries`, 'cursor'],
  ];
  for (const [path, param] of customerLists) {
    it(`${path}: 400 VALIDATION_FAILED naming querystring.${param}`, async () => {
      for (const cursor of GARBAGE) {
        const url = `${path.replace(':id', endpointId)}?limit=1&${param}=${cursor}`;
        const response = await t.app.inject({ method: 'GET', url, headers: { authorization: user.bearer } });
        expect(response.statusCode, url).toBe(400);
        expect(response.json().error.code, url).toBe('VALIDATION_FAILED');
        expect(response.json().error.message, url).toContain(`querystring.${param}`);
      }
    });
  }

  it('a cursor of another kind of list is refused too (an order id on the payments list)', async () => {
    const first = (
      await t.app.inject({ method: 'GET', url: '/api/v1/activations?limit=1', headers: { authorization: user.bearer } })
    ).json();
    expect(first.nextCursor).toMatch(/^act_/);
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/payments?cursor=${first.nextCursor}`,
      headers: { authorization: user.bearer },
    });
    expect(response.statusCode).toBe(400);
    // The same cursor pages the list it came from.
    const next = await t.app.inject({
      method: 'GET',
      url: `/api/v1/activations?limit=1&cursor=${first.nextCursor}`,
      headers: { authorization: user.bearer },
    });
    expect(next.statusCode).toBe(200);
    expect(next.json().activations).toHaveLength(1);
  });
});
