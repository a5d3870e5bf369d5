import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { count } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postRevenueCatWebhook, revenueCatSample } from '../../../test/fakes/revenuecat-events.ts';
import { ctxOf, newDeviceCredentials, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { payments, processedWebhookEvents } from '../../db/schema/index.ts';
import { addPackage } from '../../modules/payments/index.ts';

/** The RevenueCat webhook route, posted to as RevenueCat posts (JSON, the configured Authorization value). */
const AUTH = 'Bearer rc-webhook-0123456789abcdef';
let t: TestApp;
let url: string;
let product: string;
const lines: Record<string, unknown>[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  t = await createTestApp({ env: { REVENUECAT_WEBHOOK_AUTH: AUTH }, log: pino({ level: 'info' }, sink) });
  url = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/revenuecat`;
  product = `com.otpbox.credits.${randomUUID().slice(0, 8)}`;
  await addPackage(ctxOf(t, 'cli'), { code: 'store-pack', credits: 250, priceMinor: 499, currency: 'USD', storeProductId: product });
});
afterAll(() => t?.close());

/** A device account as the mobile app makes it: its id is what the app gives RevenueCat as app_user_id. */
async function device() {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/device',
    payload: {
      ...newDeviceCredentials(),
      platform: 'ios',
      osVersion: '18.2',
      model: 'iPhone15,3',
      appVersion: '1.0.0',
      ageConfirmed: true,
      policyVersion: t.policy.version,
    },
    remoteAddress: uniqueIp(),
  });
  const { accountId, token } = response.json() as { accountId: string; token: string };
  const me = async () =>
    (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).json().balance as {
      available: number;
      demo: { available: number };
    };
  const balance = async () => (await me()).available;
  const demoBalance = async () => (await me()).demo.available;
  return { accountId, balance, demoBalance };
}
const purchase = (accountId: string, overrides: Record<string, string | null> = {}) =>
  revenueCatSample('nonRenewingPurchase', {
    id: randomUUID(),
    app_user_id: accountId,
    product_id: product,
    transaction_id: `tx-${randomUUID()}`,
    ...overrides,
  });
const recorded = async () => ({
  events: (await t.database.db.select({ n: count() }).from(processedWebhookEvents))[0]?.n,
  payments: (await t.database.db.select({ n: count() }).from(payments))[0]?.n,
});

describe('POST /webhooks/revenuecat', () => {
  it('credits a purchase to the device account once, however often RevenueCat delivers it', async () => {
    const { accountId, balance } = await device();
    const body = purchase(accountId);
    const first = await postRevenueCatWebhook(url, body, AUTH);
    expect(first).toEqual({ status: 200, body: JSON.stringify({ received: true, outcome: 'applied' }) });
    expect(JSON.parse((await postRevenueCatWebhook(url, body, AUTH)).body)).toEqual({ received: true, outcome: 'duplicate' });
    expect(await balance()).toBe(250);
  });

  it('refuses a missing or wrong Authorization with 401 before reading the body, and records nothing', async () => {
    const { accountId, balance } = await device();
    const before = await recorded();
    for (const authorization of [undefined, 'Bearer wrong', `${AUTH.slice(0, -1)}X`, AUTH.toLowerCase()]) {
      const answer = await postRevenueCatWebhook(url, purchase(accountId), authorization);
      expect(answer.status, String(authorization)).toBe(401);
      expect(JSON.parse(answer.body).error.code).toBe('UNAUTHENTICATED');
    }
    const garbage = await postRevenueCatWebhook(url, '{not json', 'Bearer wrong');
    expect(garbage.status).toBe(401);
    expect(await recorded()).toEqual(before);
    expect(await balance()).toBe(0);
  });

  it('answers 400 to a body that is not a RevenueCat webhook', async () => {
    const answer = await postRevenueCatWebhook(url, { api_version: '1.0' }, AUTH);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('event') });
  });

  it('answers 200 to an event for an unknown user or product, credits nothing and logs a warning', async () => {
    const before = await recorded();
    const nobody = purchase('not-an-account');
    expect(JSON.parse((await postRevenueCatWebhook(url, nobody, AUTH)).body)).toEqual({ received: true, outcome: 'unmatched' });
    const { accountId } = await device();
    const unsold = purchase(accountId, { product_id: 'com.otpbox.never-sold' });
    expect(JSON.parse((await postRevenueCatWebhook(url, unsold, AUTH)).body)).toEqual({ received: true, outcome: 'unmatched' });
    expect(await recorded()).toEqual(before);
    const warnings = lines.filter((line) => line.level === 40 && line.msg === 'RevenueCat event credited nothing');
    expect(warnings.map((line) => line.eventId)).toEqual(expect.arrayContaining([nobody.event.id, unsold.event.id]));
    expect(JSON.stringify(lines)).not.toContain(AUTH);
  });

  it('takes sandbox purchases while the sandbox sells, as demo credits only, and acknowledges TEST events', async () => {
    const sells = (await t.app.inject({ method: 'GET', url: '/api/v1/sandbox' })).json().sells;
    expect(sells).toBe(true);
    const { accountId, balance, demoBalance } = await device();
    const sandbox = purchase(accountId, { environment: 'SANDBOX' });
    expect(JSON.parse((await postRevenueCatWebhook(url, sandbox, AUTH)).body).outcome).toBe('applied');
    // A test purchase in the store's sandbox never becomes credits that could buy a real number.
    expect(await balance()).toBe(0);
    expect(await demoBalance()).toBe(250);
    const test = { api_version: '1.0', event: { id: randomUUID(), type: 'TEST', app_id: 'app1' } };
    expect(JSON.parse((await postRevenueCatWebhook(url, test, AUTH)).body).outcome).toBe('ignored');
  });

  it('ignores sandbox purchases with a log line when the sandbox does not sell', async () => {
    const logged: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logged.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const real = await createTestApp({
      env: { REVENUECAT_WEBHOOK_AUTH: AUTH, SANDBOX: 'off' },
      database: t.database,
      log: pino({ level: 'info' }, sink),
    });
    try {
      const { accountId, balance } = await device();
      const response = await real.app.inject({
        method: 'POST',
        url: '/webhooks/revenuecat',
        headers: { authorization: AUTH, 'content-type': 'application/json' },
        payload: purchase(accountId, { environment: 'SANDBOX' }),
      });
      expect(response.json()).toEqual({ received: true, outcome: 'ignored' });
      expect(await balance()).toBe(0);
      expect(logged.find((line) => line.msg === 'RevenueCat event ignored')?.reason).toMatch(/sandbox/);
    } finally {
      await real.app.close();
      await real.orders.close();
    }
  });

  it('is not there when RevenueCat is not configured', async () => {
    const plain = await createTestApp({ database: t.database });
    try {
      const response = await plain.app.inject({
        method: 'POST',
        url: '/webhooks/revenuecat',
        headers: { authorization: AUTH, 'content-type': 'application/json' },
        payload: purchase('acc_x'),
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await plain.app.close();
      await plain.orders.close();
    }
  });
});
