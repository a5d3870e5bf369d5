import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ctxOf, GOOD_PASSWORD, newDeviceCredentials, signUp, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { api, code } from '../../../test/support/orders.ts';
import { connectSmsActivate } from '../../../test/support/providers.ts';
import { baseUrlOf, endsWithin, type OpenStream, openStream } from '../../../test/support/sse.ts';
import { accounts, activations, ledgerTransfers, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { LOGIN_THROTTLE } from '../../modules/accounts/index.ts';
import { runProviderTasks } from '../../modules/activations/index.ts';
import { grantCredits, verifyLedger } from '../../modules/ledger/index.ts';
import { completeErasures, eraseAccount } from '../../modules/privacy/index.ts';
import { erasureDeps } from '../../runtime/erasure-deps.ts';

let t: TestApp;
let base: string;
const streams: OpenStream[] = [];
const closers: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', API_RATE_LIMIT: '0', CANCEL_MIN_S: '120', PROVIDER_TIMEOUT_MS: '2000' } });
  base = await baseUrlOf(t);
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  for (const closer of closers) await closer.close();
  await t?.close();
});

const json = { 'content-type': 'application/json' };
const del = (headers: Record<string, string>, payload: unknown, remoteAddress = '127.0.0.1') =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/privacy/delete',
    headers: { ...json, ...headers },
    payload: payload as object,
    remoteAddress,
  });
const deviceSignIn = (credentials: { deviceId: string; deviceSecret: string }) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/device',
    payload: {
      ...credentials,
      platform: 'ios',
      osVersion: '18.2',
      model: 'iPhone15,3',
      appVersion: '3.4.1',
      ageConfirmed: true,
      policyVersion: t.policy.version,
    },
    remoteAddress: uniqueIp(),
  });

describe('POST /api/v1/privacy/delete', () => {
  it('asks an e-mail account for its password, refuses a wrong one like sign-in, and throttles guessing', async () => {
    const me = await signUp(t);
    const cookie = { cookie: me.cookie };
    expect(code(await del(cookie, { confirm: true }))).toBe('VALIDATION_FAILED');
    expect(code(await del(cookie, { confirm: 'yes', password: GOOD_PASSWORD }))).toBe('VALIDATION_FAILED');
    expect(code(await del(cookie, { confirm: false, password: GOOD_PASSWORD }))).toBe('VALIDATION_FAILED');
    const wrong = await del(cookie, { confirm: true, password: 'not my password at all' });
    expect(wrong.statusCode).toBe(401);
    expect(code(wrong)).toBe('INVALID_CREDENTIALS');
    // Guessing is throttled like sign-in: after the free failures, attempts are blocked.
    const answers: (string | undefined)[] = [];
    for (let i = 1; i <= LOGIN_THROTTLE.freeFailures; i++) answers.push(code(await del(cookie, { confirm: true, password: `wrong ${i}` })));
    expect(answers.slice(0, LOGIN_THROTTLE.freeFailures - 1).every((answer) => answer === 'INVALID_CREDENTIALS')).toBe(true);
    // Blocked now: even the right password waits, and nothing was erased.
    const blocked = await del(cookie, { confirm: true, password: GOOD_PASSWORD });
    expect(blocked.statusCode).toBe(429);
    expect(code(blocked)).toBe('TOO_MANY_ATTEMPTS');
    const [row] = await t.database.db.select().from(accounts).where(eq(accounts.id, me.accountId));
    expect(row).toMatchObject({ status: 'active', emailHash: expect.any(String) });
    expect(row?.email).not.toBeNull();
  });

  it('refuses API keys: a leaked key cannot delete the account', async () => {
    const actor = await createActor(t);
    const refused = await del({ authorization: actor.bearer }, { confirm: true, password: GOOD_PASSWORD });
    expect(refused.statusCode).toBe(403);
    expect(code(refused)).toBe('FORBIDDEN');
    expect(refused.statusCode).not.toBe(401);
  });

  it('ends everything at once: streams close, sign-in is refused, the cookie is cleared, and a second call is 401', async () => {
    const me = await signUp(t);
    const stream = await openStream(base, { cookie: me.cookie });
    streams.push(stream);
    expect(stream.status).toBe(200);
    const deleted = await del({ cookie: me.cookie }, { confirm: true, password: GOOD_PASSWORD });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toMatchObject({ accessEnded: { sessions: 1, apiKeys: 0 }, erasure: { completed: true } });
    expect(deleted.cookies.find((c) => c.name.endsWith('otpbox_session'))?.value).toBe('');
    expect(await endsWithin(stream, 5_000)).toBe(true);

    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: json,
      payload: { email: me.email, password: GOOD_PASSWORD },
      remoteAddress: uniqueIp(),
    });
    expect(code(login)).toBe('INVALID_CREDENTIALS');
    expect((await del({ cookie: me.cookie }, { confirm: true, password: GOOD_PASSWORD })).statusCode).toBe(401);
    // The verb itself is safe to repeat: nothing more happens.
    const again = await eraseAccount(ctxOf(t, 'cli'), erasureDeps(t.orders.activations, {}), me.accountId, { reason: 'again' });
    expect(again).toMatchObject({ alreadyComplete: true, forfeited: { credits: 0, demoCredits: 0 } });
    // The address is free again: a new sign-up with it is a new account.
    const fresh = await signUp(t, me.email);
    expect(fresh.accountId).not.toBe(me.accountId);
  });

  it('erases a device account by its device token; the same device signing in again gets a fresh account', async () => {
    const credentials = newDeviceCredentials();
    const first = await deviceSignIn(credentials);
    expect(first.statusCode, first.body).toBeLessThan(300);
    const { accountId, token } = first.json();
    const deleted = await del({ authorization: `Bearer ${token}` }, { confirm: true });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    const again = await deviceSignIn(credentials);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().accountId).not.toBe(accountId);
    expect(again.json().created ?? true).toBe(true);
  });

  it('cancels open orders upstream (before CANCEL_MIN_S), releases their credits, stops webhooks, and forfeits the rest', async () => {
    const connected = await connectSmsActivate(t, 'erasure-up', { prices: [{ country: 187, service: 'tg', cost: '0.50', count: 10 }] });
    closers.push(connected);
    const me = await signUp(t);
    await grantCredits(ctxOf(t, 'cli'), { accountId: me.accountId, amount: 1000, reason: 'funds', idempotencyKey: `f:${me.accountId}` });
    const key = (
      await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie: me.cookie, ...json }, payload: { name: 'k' } })
    ).json();
    const bearer = { accountId: me.accountId, email: me.email, bearer: `Bearer ${key.key}` };
    const endpoint = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: { cookie: me.cookie, ...json },
      payload: { url: 'https://hooks.example.com/erasure' },
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    const order = (await api(t, bearer).order({ service: 'tg', country: 'US' })).json();
    expect(order.status).toBe('waiting');
    const [row] = await t.database.db.select().from(activations).where(eq(activations.id, order.id));
    const upstreamId = row?.upstreamId as string;
    expect(connected.fake.activations.get(upstreamId)?.state).not.toBe('cancelled');
    const pending = await t.database.db.select().from(webhookDeliveries);
    expect(pending.some((d) => d.status === 'pending')).toBe(true);

    const deleted = await del({ cookie: me.cookie }, { confirm: true, password: GOOD_PASSWORD });
    // The cancellation is queued upstream: the erasure completes once the provider acknowledges it.
    expect(deleted.statusCode, deleted.body).toBe(202);
    expect(deleted.json()).toMatchObject({
      ordersEnded: { cancelled: 1, completed: 0, inFlight: 0 },
      forfeited: { credits: 1000, demoCredits: 0 },
      webhooksStopped: { endpoints: 1 },
      accessEnded: { sessions: 1, apiKeys: 1 },
      erasure: { completed: false, completedAt: null, completesBy: '2026-07-01T12:00:00.000Z' },
    });
    // The statement's line for the released credits names no number: the account's key is shredded,
    // and a sealed value must never be masked as if it were a number.
    const [released] = await t.database.db
      .select({ reason: ledgerTransfers.reason })
      .from(ledgerTransfers)
      .where(eq(ledgerTransfers.idempotencyKey, `${order.id}:release`));
    expect(released?.reason).toBe('Telegram number, cancelled on account erasure: credits returned');
    // Disabled, its pending deliveries dropped, then erased with the rest: nothing is left to send.
    expect(await t.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.accountId, me.accountId))).toEqual([]);
    const endpointId = endpoint.json().id as string;
    expect(await t.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId))).toEqual([]);

    expect(await runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now())).toMatchObject({ done: 1 });
    expect(connected.fake.activations.get(upstreamId)?.state).toBe('cancelled');
    expect(await completeErasures(ctxOf(t), erasureDeps(t.orders.activations, {}))).toMatchObject({ completed: 1 });
    const [account] = await t.database.db.select().from(accounts).where(eq(accounts.id, me.accountId));
    expect(account?.erasureCompletedAt).toBeInstanceOf(Date);
    expect(await t.database.db.select().from(activations).where(eq(activations.accountId, me.accountId))).toEqual([]);
    expect((await verifyLedger(t.database.db, t.clock.now())).ok).toBe(true);
  });
});
