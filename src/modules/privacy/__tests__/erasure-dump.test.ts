import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActor, cookieHeader, createActor, ctxOf, GOOD_PASSWORD, newDeviceCredentials, signUp } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { accounts, activations, devices, ledgerTransfers, supportConversations } from '../../../db/schema/index.ts';
import { erasureDeps } from '../../../runtime/erasure-deps.ts';
import { deviceHash } from '../../accounts/index.ts';
import { runProviderTasks } from '../../activations/index.ts';
import { grantCredits, grantDemoCredits, verifyLedger } from '../../ledger/index.ts';
import { addPackage, createPayment } from '../../payments/index.ts';
import { deliverDueWebhooks } from '../../webhooks/index.ts';
import { completeErasures, DEMO_FORFEIT_REASON, FORFEIT_REASON } from '../index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', CANCEL_MIN_S: '120' } });
});
afterAll(() => t?.close());

const json = { 'content-type': 'application/json' };
const BROWSER = 'Mozilla/5.0 (ErasureTest; Linux) Firefox/141.0';
const OTHER_BROWSER = 'Mozilla/5.0 (EraseMeToo; Mac) Safari/19.0';

/** Every row of every table of the schema, as text. */
async function dumpDatabase(): Promise<string> {
  const tables = await queryRows<{ name: string }>(
    t.database.db,
    sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
  );
  expect(tables.length).toBeGreaterThan(30);
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await queryRows<{ row: string }>(t.database.db, sql`select r::text as row from ${sql.identifier(name)} r`);
    parts.push(`${name}: ${rows.map((r) => r.row).join('\n')}`);
  }
  return parts.join('\n');
}

/** An e-mail customer with one of everything, and what identifies them. */
async function richEmailCustomer() {
  const email = `erase-me-${Date.now()}@example.com`;
  const signed = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email, password: GOOD_PASSWORD, ageConfirmed: true, policyVersion: t.policy.version },
    remoteAddress: '203.0.113.77',
    headers: { 'user-agent': BROWSER },
  });
  expect(signed.statusCode, signed.body).toBe(201);
  const accountId = signed.json().accountId as string;
  // A second session from elsewhere.
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: GOOD_PASSWORD },
    remoteAddress: '198.51.100.23',
    headers: { 'user-agent': OTHER_BROWSER },
  });
  expect(login.statusCode, login.body).toBe(200);
  const cookie = cookieHeader(login);
  const key = (
    await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie, ...json }, payload: { name: 'erasure script of Jo' } })
  ).json();
  await grantCredits(ctxOf(t, 'cli'), { accountId, amount: 5000, reason: 'welcome credits', idempotencyKey: `grant:${accountId}` });
  await grantDemoCredits(ctxOf(t, 'system'), { accountId, amount: 3000, cap: 5000, idempotencyKey: `demo:${accountId}` });
  const endpoint = (
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: { cookie, ...json },
      payload: { url: 'https://hooks.jo-example.com/otp-erasure' },
    })
  ).json();
  expect(endpoint.secret).toMatch(/^whsec_/);
  const bearer = { accountId, email, bearer: `Bearer ${key.key}` };
  const received = (await api(t, bearer).order()).json();
  const smsText = `Your Telegram code: 51723. Erasure test ${accountId.slice(-6)}.`;
  expect((await api(t, bearer).sms(received.id, smsText)).statusCode).toBeLessThan(300);
  const waiting = (await api(t, bearer).order()).json();
  expect(waiting.status).toBe('waiting');
  await deliverDueWebhooks(ctxOf(t), t.clock.now(), {});
  const pkg = await addPackage(ctxOf(t, 'cli'), { code: `pack-${accountId.slice(-6)}`, credits: 1000, priceMinor: 500, currency: 'EUR' });
  const { payment } = await createPayment(ctxOf(t), { accountId, pkg, method: 'card', processor: 'stripe' });
  const request = await t.app.inject({
    method: 'POST',
    url: '/api/v1/privacy/requests',
    headers: { cookie, ...json },
    payload: { type: 'rectification', details: `My e-mail is ${email}, please fix my name` },
  });
  expect(request.statusCode, request.body).toBe(201);
  // A support conversation (P17) about the order, answered by staff (which also queues an e-mail notice).
  const supportBody = `I am Jo Erasure, my code for ${received.phone} never showed`;
  const conversation = await t.app.inject({
    method: 'POST',
    url: '/api/v1/support/conversations',
    headers: { cookie, ...json },
    payload: { subject: 'Jo Erasure needs a refund', body: supportBody, orderId: received.id },
  });
  expect(conversation.statusCode, conversation.body).toBe(201);
  const staff = await createActor(t, 'support');
  const answer = await t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/support/conversations/${conversation.json().conversation.id}/messages`,
    headers: { ...asActor(staff), ...json },
    payload: { body: 'Dear Jo Erasure-Answer, we refunded you' },
  });
  expect(answer.statusCode, answer.body).toBe(201);
  return {
    accountId,
    email,
    cookie,
    payment,
    needles: {
      email,
      ipPrefixSignup: '203.0.113.0/24',
      ipPrefixLogin: '198.51.100.0/24',
      browser: BROWSER,
      otherBrowser: OTHER_BROWSER,
      keyName: 'erasure script of Jo',
      webhookUrl: 'hooks.jo-example.com',
      phoneReceived: received.phone.slice(1),
      phoneWaiting: waiting.phone.slice(1),
      smsText,
      supportSubject: 'Jo Erasure needs a refund',
      supportBody,
      supportAnswer: 'Jo Erasure-Answer',
    },
  };
}

async function deviceCustomer() {
  const credentials = newDeviceCredentials();
  const signIn = () =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/device',
      payload: {
        ...credentials,
        platform: 'android',
        osVersion: '15.1',
        model: 'Pixel ErasureModel 9',
        appVersion: '7.7.7',
        ageConfirmed: true,
        policyVersion: t.policy.version,
      },
      remoteAddress: '192.0.2.99',
    });
  const signed = await signIn();
  expect(signed.statusCode, signed.body).toBeLessThan(300);
  const accountId = signed.json().accountId as string;
  const token = signed.json().token as string;
  const bearer = { accountId, email: '', bearer: `Bearer ${token}` };
  await grantCredits(ctxOf(t, 'cli'), { accountId, amount: 700, reason: 'device credits', idempotencyKey: `grant:${accountId}` });
  const order = (await api(t, bearer).order()).json();
  const smsText = `WhatsApp code 884411 for device ${accountId.slice(-6)}`;
  expect((await api(t, bearer).sms(order.id, smsText)).statusCode).toBeLessThan(300);
  const deviceSupport = `Device person asks about ${accountId.slice(-6)}`;
  const conversation = await t.app.inject({
    method: 'POST',
    url: '/api/v1/support/conversations',
    headers: { authorization: `Bearer ${token}`, ...json },
    payload: { subject: 'From the app', body: deviceSupport },
  });
  expect(conversation.statusCode, conversation.body).toBe(201);
  return {
    accountId,
    token,
    signIn,
    deviceId: credentials.deviceId,
    needles: {
      deviceHash: deviceHash(ctxOf(t), credentials.deviceId),
      model: 'Pixel ErasureModel 9',
      ipPrefix: '192.0.2.0/24',
      phone: order.phone.slice(1),
      smsText,
      deviceSupport,
    },
  };
}

describe('erasure, seen in the whole database', () => {
  it('leaves no trace of the e-mail, device id, IPs, numbers or SMS text, keeps the ledger provable, and touches nobody else', async () => {
    const other = await signUp(t);
    const me = await richEmailCustomer();
    const device = await deviceCustomer();
    const before = await dumpDatabase();
    // Sealed values (ADR 28) are never in the database in clear, even before erasure; the rest is.
    const sealed = new Set([
      'model',
      'phone',
      'phoneReceived',
      'phoneWaiting',
      'smsText',
      'webhookUrl',
      'other',
      'supportSubject',
      'supportBody',
      'supportAnswer',
      'deviceSupport',
    ]);
    for (const [name, value] of Object.entries({ ...me.needles, ...device.needles, other: other.email }))
      expect(before.includes(value), `${name} is ${sealed.has(name) ? 'in clear' : 'not'} in the database before erasure`).toBe(
        !sealed.has(name),
      );
    // What was sealed is there, under the accounts' keys: erasure must empty it too, not just destroy the keys.
    const sealedColumns = async () => ({
      phones: (
        await t.database.db
          .select({ phone: activations.phone })
          .from(activations)
          .where(inArray(activations.accountId, [me.accountId, device.accountId]))
      ).filter((row) => row.phone !== null).length,
      devices: (await t.database.db.select().from(devices).where(eq(devices.accountId, device.accountId))).length,
      support: (
        await t.database.db
          .select()
          .from(supportConversations)
          .where(inArray(supportConversations.accountId, [me.accountId, device.accountId]))
      ).length,
      sms:
        (
          await queryRows<{ n: number }>(
            t.database.db,
            sql`select count(*)::int as n from activation_sms s join activations a on a.id = s.activation_id where a.account_id in (${me.accountId}, ${device.accountId}) and s.text is not null`,
          )
        )[0]?.n ?? 0,
    });
    const sealedBefore = await sealedColumns();
    expect(sealedBefore.phones).toBeGreaterThanOrEqual(3);
    expect(sealedBefore.devices).toBe(1);
    expect(sealedBefore.support).toBe(2);
    expect(sealedBefore.sms).toBeGreaterThanOrEqual(2);

    const erased = await t.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/delete',
      headers: { cookie: me.cookie, ...json },
      payload: { confirm: true, password: GOOD_PASSWORD },
    });
    expect(erased.statusCode, erased.body).toBeLessThan(300);
    expect(erased.json()).toMatchObject({
      accessEnded: { sessions: 2, apiKeys: 1 },
      ordersEnded: { cancelled: 1, completed: 1, inFlight: 0 },
      webhooksStopped: { endpoints: 1 },
    });
    const deviceErased = await t.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/delete',
      headers: { authorization: `Bearer ${device.token}`, ...json },
      payload: { confirm: true },
    });
    expect(deviceErased.statusCode, deviceErased.body).toBeLessThan(300);

    // Whatever waited on the provider (the sandbox's cancellation and finish) is finished by the jobs.
    await runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());
    await completeErasures(ctxOf(t), erasureDeps(t.orders.activations, {}));
    const rows = await t.database.db.select().from(accounts).where(eq(accounts.id, me.accountId));
    expect(rows[0]).toMatchObject({ status: 'deleted', email: null, passwordHash: null, erasureCompletedAt: expect.any(Date) });
    expect(rows[0]?.pseudonym).toMatch(/^deleted:[A-Za-z0-9_-]{16}$/);

    expect(await sealedColumns()).toEqual({ phones: 0, devices: 0, sms: 0, support: 0 });
    const after = await dumpDatabase();
    // Full addresses and the device id are never stored (only prefixes and keyed hashes): absent before and after.
    const addresses = { ipSignup: '203.0.113.77', ipLogin: '198.51.100.23', ipDevice: '192.0.2.99', deviceId: device.deviceId };
    for (const [name, value] of Object.entries({ ...me.needles, ...device.needles, ...addresses }))
      expect(after.includes(value), `${name} (${value}) is still in the database`).toBe(false);

    // The transaction records stay, pseudonymous, and balance.
    expect(after).toContain(me.payment.id);
    const report = await verifyLedger(t.database.db, t.clock.now());
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const forfeits = await t.database.db.select().from(ledgerTransfers).where(eq(ledgerTransfers.reason, FORFEIT_REASON));
    expect(forfeits.map((f) => f.kind)).toContain('forfeit');
    expect(erased.json().forfeited.credits).toBeGreaterThan(0);
    expect(forfeits.map((f) => f.amount)).toContain(erased.json().forfeited.credits);
    expect(erased.json().forfeited.demoCredits).toBeGreaterThan(0);
    const demoForfeits = await t.database.db.select().from(ledgerTransfers).where(eq(ledgerTransfers.reason, DEMO_FORFEIT_REASON));
    expect(demoForfeits.map((f) => f.amount)).toContain(erased.json().forfeited.demoCredits);

    // Somebody else is untouched.
    const [untouched] = await t.database.db.select().from(accounts).where(eq(accounts.id, other.accountId));
    expect(untouched).toMatchObject({ status: 'active', emailHash: expect.any(String) });
    const me2 = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: other.cookie } });
    expect(me2.statusCode).toBe(200);
  });
});
