import { eq } from 'drizzle-orm';
import { WebhookVerificationError } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, createActor, ctxOf, newDeviceCredentials } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { queuedMail } from '../../../../test/support/mail.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { emailOutbox, webhookEndpoints } from '../../../db/schema/index.ts';
import { setProcessingRestriction, suspendAccount } from '../../accounts/index.ts';
import { sealFor } from '../../keyring/index.ts';
import { deliverDueWebhooks } from '../deliver.ts';
import { MAX_ATTEMPTS, RETRY_SCHEDULE_MS } from '../retry-schedule.ts';
import { deliveriesOf, endpointRow, register, runDeliveries, runUntilSettled, sendTest } from './helpers.ts';
import { type Receiver, startReceiver, verifyAt } from './receiver.ts';

let t: TestApp;
const receivers: Receiver[] = [];
const receiver = async (answer?: Parameters<typeof startReceiver>[1]) => {
  const started = await startReceiver(t.clock, answer);
  receivers.push(started);
  return started;
};

beforeAll(async () => {
  t = await createTestApp({
    env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_TIMEOUT_MS: '15000', ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '100' },
  });
});
afterEach(async () => {
  for (const started of receivers.splice(0)) await started.close();
});
afterAll(() => t?.close());

describe('outbound webhooks: delivery', () => {
  it('sends nothing to the endpoints of a suspended account', async () => {
    const user = await fundedActor(t, 1000);
    const mine = await receiver();
    const endpoint = await register(t, user, mine);
    const order = (await api(t, user).order()).json();
    expect((await api(t, user).sms(order.id, 'Your Telegram code: 12345')).statusCode).toBe(202);
    await suspendAccount(ctxOf(t, 'cli'), user.accountId, 'test suspension');

    const counts = await runDeliveries(t);
    expect(mine.received).toEqual([]);
    expect(counts.delivered).toBe(0);
    const deliveries = await deliveriesOf(t, endpoint.id);
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries)
      expect(delivery).toMatchObject({ status: 'failed', lastError: 'not sent: the account is suspended' });
  });

  it('holds the deliveries of a processing-restricted account, attempts untouched, and sends them once it is lifted', async () => {
    const user = await fundedActor(t, 1000);
    const mine = await receiver();
    const endpoint = await register(t, user, mine);
    const order = (await api(t, user).order()).json();
    expect((await api(t, user).sms(order.id, 'Your Telegram code: 12345')).statusCode).toBe(202);
    expect(await setProcessingRestriction(ctxOf(t, 'cli'), user.accountId, true, 'test restriction')).toBe(true);

    const held = await runDeliveries(t);
    expect(held.held).toBeGreaterThan(0);
    expect(held.delivered).toBe(0);
    expect(mine.received).toEqual([]);
    for (const delivery of await deliveriesOf(t, endpoint.id)) expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });

    expect(await setProcessingRestriction(ctxOf(t, 'cli'), user.accountId, false, 'lifted')).toBe(true);
    t.clock.advance(61_000);
    const sent = await runDeliveries(t);
    expect(sent.delivered).toBe(held.held);
    expect(mine.received).toHaveLength(held.held);
  });

  it("delivers an order's events and its code, signed (Standard Webhooks), to the account's endpoint only", async () => {
    const user = await fundedActor(t, 1000);
    const other = await fundedActor(t, 1000);
    const mine = await receiver();
    const theirs = await receiver();
    const endpoint = await register(t, user, mine);
    await register(t, other, theirs);

    const order = (await api(t, user).order()).json();
    expect((await api(t, user).sms(order.id, 'Your Telegram code: 12345')).statusCode).toBe(202);
    const otherOrder = (await api(t, other).order()).json();
    expect((await api(t, other).sms(otherOrder.id, 'Telegram code 67890, do not share')).statusCode).toBe(202);
    const sentAt = t.clock.now();

    const counts = await runDeliveries(t);
    expect(mine.rejected).toEqual([]);
    expect(theirs.rejected).toEqual([]);
    expect(counts.retrying + counts.failed).toBe(0);

    const types = new Set(mine.received.map((d) => d.payload.type));
    expect(types).toEqual(new Set(['activation.updated', 'balance.updated', 'sms.received']));
    const sms = mine.received.find((d) => d.payload.type === 'sms.received');
    expect(sms?.payload.data).toMatchObject({ activationId: order.id, code: '12345', text: 'Your Telegram code: 12345', late: false });
    for (const delivery of mine.received) {
      expect(delivery.id).toMatch(/^msg_[0-9a-z]{26}$/);
      expect(delivery.timestamp).toBe(String(Math.floor(sentAt.getTime() / 1000)));
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Object.keys(delivery.payload).sort()).toEqual(['data', 'timestamp', 'type']);
      expect(JSON.stringify(delivery.payload)).not.toContain(otherOrder.id);
    }
    expect(new Set(mine.received.map((d) => d.id)).size).toBe(mine.received.length);
    // The other account's events (and its SMS text) went to its own endpoint, never to mine.
    expect(theirs.received.some((d) => d.payload.data.text === 'Telegram code 67890, do not share')).toBe(true);
    expect(theirs.received.every((d) => !JSON.stringify(d.payload).includes(order.id))).toBe(true);

    const log = await t.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, headers: asBearer(user) });
    expect(log.statusCode).toBe(200);
    const lines = log.json().deliveries as Record<string, unknown>[];
    expect(lines).toHaveLength(mine.received.length);
    for (const line of lines) {
      expect(line).toMatchObject({ status: 'delivered', attempts: 1, lastResponseStatus: 200, lastError: null, nextAttemptAt: null });
      expect(line).not.toHaveProperty('payload');
    }
    // A second run sends nothing again.
    expect(await runDeliveries(t)).toEqual({ delivered: 0, retrying: 0, failed: 0, deferred: 0, held: 0, endpointsDisabled: 0 });
    expect(mine.received).toHaveLength(lines.length);
  });

  it('sends only the event types an endpoint subscribed to', async () => {
    const user = await fundedActor(t, 1000);
    const codesOnly = await receiver();
    await register(t, user, codesOnly, { events: ['sms.received'] });
    const order = (await api(t, user).order()).json();
    await api(t, user).sms(order.id, 'Telegram code: 55555');
    await runDeliveries(t);
    expect(codesOnly.received.map((d) => d.payload.type)).toEqual(['sms.received']);
    expect(codesOnly.received[0]?.payload.data.code).toBe('55555');
  });

  it('retries a failing endpoint with exponential back-off, then delivers (same webhook-id, fresh timestamp)', async () => {
    const user = await createActor(t);
    const flaky = await receiver((_delivery, index) => (index < 2 ? 500 : 204));
    const endpoint = await register(t, user, flaky);
    expect((await sendTest(t, user, endpoint.id)).statusCode).toBe(202);

    const start = t.clock.now();
    await runDeliveries(t);
    let [delivery] = await deliveriesOf(t, endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: 500, lastError: 'HTTP 500' });
    const firstWait = (delivery?.nextAttemptAt.getTime() ?? 0) - start.getTime();
    expect(firstWait).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[0]);
    expect(firstWait).toBeLessThanOrEqual(RETRY_SCHEDULE_MS[0] * 1.1);
    expect((await endpointRow(t, endpoint.id)).consecutiveFailures).toBe(1);

    // Not due yet: nothing is sent.
    t.clock.advance(RETRY_SCHEDULE_MS[0] - 1);
    await runDeliveries(t);
    expect(flaky.received).toHaveLength(1);

    const attempts = await runUntilSettled(t, endpoint.id);
    expect(attempts).toHaveLength(2);
    const [second, third] = attempts;
    expect((third?.getTime() ?? 0) - (second?.getTime() ?? 0)).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[1]);
    expect((third?.getTime() ?? 0) - (second?.getTime() ?? 0)).toBeLessThanOrEqual(RETRY_SCHEDULE_MS[1] * 1.1);
    [delivery] = await deliveriesOf(t, endpoint.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastResponseStatus: 204, lastError: null });
    expect(flaky.rejected).toEqual([]);
    expect(new Set(flaky.received.map((d) => d.id)).size).toBe(1);
    expect(new Set(flaky.received.map((d) => d.timestamp)).size).toBe(3);
    expect(flaky.received[0]?.body).toBe(flaky.received[2]?.body);
    expect(await endpointRow(t, endpoint.id)).toMatchObject({ consecutiveFailures: 0, failingSince: null, status: 'enabled' });
  });

  it("waits as long as a receiver's Retry-After asks when that is longer than the schedule", async () => {
    const user = await createActor(t);
    const busy = await receiver(() => ({ status: 503, headers: { 'retry-after': '600' } }));
    const endpoint = await register(t, user, busy);
    await sendTest(t, user, endpoint.id);
    await runDeliveries(t);
    const [delivery] = await deliveriesOf(t, endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: 503, lastError: 'HTTP 503' });
    expect((delivery?.nextAttemptAt.getTime() ?? 0) - t.clock.now().getTime()).toBe(600_000);
  });

  it('counts a receiver that does not answer within WEBHOOK_TIMEOUT_MS as a failed attempt', async () => {
    const user = await createActor(t);
    const silent = await receiver(() => 'hang');
    const endpoint = await register(t, user, silent);
    await sendTest(t, user, endpoint.id);
    await runDeliveries(t, { timeoutMs: 300 });
    const [delivery] = await deliveriesOf(t, endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: null, lastError: 'timed out after 300 ms' });
    expect(silent.received).toHaveLength(1);
  });

  it('does not hold every sender for an unreachable endpoint: its backlog waits for the next run', async () => {
    const user = await createActor(t);
    const silent = await receiver(() => 'hang');
    const healthy = await receiver();
    const dead = await register(t, user, silent);
    const alive = await register(t, user, healthy);
    for (let i = 0; i < 25; i++) await sendTest(t, user, dead.id);
    // Due last, so it is claimed after the dead endpoint's whole backlog.
    t.clock.advance(1);
    await sendTest(t, user, alive.id);
    // Long enough for the healthy receiver on a loaded machine, short enough for the test.
    const counts = await runDeliveries(t, { timeoutMs: 2_000 });
    // The first wave (one attempt per sender) times out; the rest of that endpoint's backlog is deferred, uncounted.
    expect(silent.received).toHaveLength(10);
    expect(counts).toMatchObject({ retrying: 10, deferred: 15, delivered: 1 });
    const deferred = (await deliveriesOf(t, dead.id)).filter((d) => d.attempts === 0);
    expect(deferred).toHaveLength(15);
    for (const d of deferred)
      expect(d).toMatchObject({ status: 'pending', nextAttemptAt: new Date(t.clock.now().getTime() + RETRY_SCHEDULE_MS[0]) });
    expect(healthy.received).toHaveLength(1);
  });

  it('never follows a redirect: a 3xx is a failed attempt and the other server hears nothing', async () => {
    const user = await createActor(t);
    const elsewhere = await receiver();
    const redirecting = await receiver(() => ({ status: 307, headers: { location: elsewhere.url } }));
    const endpoint = await register(t, user, redirecting);
    elsewhere.secret = redirecting.secret;
    await sendTest(t, user, endpoint.id);
    await runDeliveries(t);
    const [delivery] = await deliveriesOf(t, endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: 307 });
    expect(delivery?.lastError).toContain('redirects are not followed');
    expect(redirecting.received).toHaveLength(1);
    expect(elsewhere.connections).toBe(0);
  });

  it('gives up after the ~3-day schedule, disables the endpoint, tells the account (API and e-mail); enabling resumes', async () => {
    const user = await fundedActor(t, 1000);
    const broken = await receiver(() => 500);
    const endpoint = await register(t, user, broken);
    await sendTest(t, user, endpoint.id);
    const start = t.clock.now();

    const attempts = await runUntilSettled(t, endpoint.id);
    expect(attempts).toHaveLength(MAX_ATTEMPTS);
    attempts.slice(1).forEach((at, i) => {
      const wait = at.getTime() - (attempts[i]?.getTime() ?? 0);
      expect(wait).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[i] ?? 0);
      expect(wait).toBeLessThanOrEqual((RETRY_SCHEDULE_MS[i] ?? 0) * 1.1);
    });
    const spanHours = (t.clock.now().getTime() - start.getTime()) / 3_600_000;
    expect(spanHours).toBeGreaterThan(70);
    expect(spanHours).toBeLessThan(78);
    const [delivery] = await deliveriesOf(t, endpoint.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, lastError: 'HTTP 500' });
    expect(broken.rejected).toEqual([]);

    const shown = await t.app.inject({ method: 'GET', url: '/api/v1/webhook-endpoints', headers: asBearer(user) });
    const [listed] = shown.json().endpoints;
    expect(listed).toMatchObject({ id: endpoint.id, status: 'disabled', consecutiveFailures: MAX_ATTEMPTS });
    expect(listed.disabledReason).toMatch(/no delivery succeeded for 7\d hours \(12 attempts of one event; last error: HTTP 500\)/);
    const mail = await queuedMail(t, { accountId: user.accountId });
    const notice = mail.find((m) => m.template === 'webhook_endpoint_disabled');
    expect(notice).toMatchObject({ toAddress: user.email, status: 'pending' });
    expect(notice?.bodyText).toContain(broken.url);
    expect(notice?.bodyText).toContain(`/api/v1/webhook-endpoints/${endpoint.id}/enable`);

    // While disabled: events are not queued for it, and a test is refused.
    const order = (await api(t, user).order()).json();
    expect(await deliveriesOf(t, endpoint.id)).toHaveLength(1);
    expect((await sendTest(t, user, endpoint.id)).statusCode).toBe(409);

    const enabled = await t.app.inject({ method: 'POST', url: `/api/v1/webhook-endpoints/${endpoint.id}/enable`, headers: asBearer(user) });
    expect(enabled.json()).toMatchObject({ status: 'enabled', disabledReason: null, consecutiveFailures: 0, failingSince: null });
    const fixed = await receiver();
    const url = await sealFor(ctxOf(t), user.accountId, 'webhook_endpoints.url', endpoint.id, fixed.url);
    await t.database.db.update(webhookEndpoints).set({ url }).where(eq(webhookEndpoints.id, endpoint.id));
    fixed.secret = broken.secret;
    await api(t, user).sms(order.id, 'Telegram code: 24680');
    await runDeliveries(t);
    expect(fixed.received.find((d) => d.payload.type === 'sms.received')?.payload.data.code).toBe('24680');
  });

  it('does not disable an endpoint that succeeded while one event kept failing', async () => {
    const user = await fundedActor(t, 1000);
    const picky = await receiver((delivery) => (delivery.payload.type === 'webhook.test' ? 500 : 200));
    const endpoint = await register(t, user, picky);
    await sendTest(t, user, endpoint.id);
    await runDeliveries(t);
    t.clock.advance(3_600_000);
    const order = (await api(t, user).order()).json();
    await api(t, user).sms(order.id, 'Telegram code: 11223');
    await runUntilSettled(t, endpoint.id);
    const deliveries = await deliveriesOf(t, endpoint.id);
    expect(deliveries.find((d) => d.type === 'webhook.test')).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(deliveries.filter((d) => d.type !== 'webhook.test').every((d) => d.status === 'delivered')).toBe(true);
    expect((await endpointRow(t, endpoint.id)).status).toBe('enabled');
  });

  it('disables at once an endpoint answering 410 Gone; an account without e-mail still sees why', async () => {
    const { deviceSignIn } = await import('../../accounts/index.ts');
    const { createWebhookEndpoint } = await import('../create-endpoint.ts');
    const device = await deviceSignIn(ctxOf(t), t.policy, {
      ...newDeviceCredentials(),
      platform: 'android',
      osVersion: '15',
      model: 'Pixel 9',
      appVersion: '1.0.0',
      ageConfirmed: true,
      policyVersion: t.policy.version,
    });
    const gone = await receiver(() => 410);
    const created = await createWebhookEndpoint(ctxOf(t), device.accountId, { url: gone.url });
    gone.secret = created.secret;
    const test = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook-endpoints/${created.id}/test`,
      headers: { authorization: `Bearer ${device.token}` },
    });
    expect(test.statusCode).toBe(202);
    expect(await runDeliveries(t)).toMatchObject({ endpointsDisabled: 1 });
    const shown = await t.app.inject({
      method: 'GET',
      url: `/api/v1/webhook-endpoints/${created.id}`,
      headers: { authorization: `Bearer ${device.token}` },
    });
    expect(shown.json()).toMatchObject({ status: 'disabled', disabledReason: 'the endpoint answered 410 Gone' });
    const [delivery] = await deliveriesOf(t, created.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastResponseStatus: 410 });
    const mail = await t.database.db.select().from(emailOutbox).where(eq(emailOutbox.accountId, device.accountId));
    expect(mail).toEqual([]);
  });

  it('rotating the secret: the new one is shown once, signs every later attempt; the old one stops verifying', async () => {
    const user = await createActor(t);
    const hook = await receiver();
    const endpoint = await register(t, user, hook);
    const oldSecret = endpoint.secret;
    expect(oldSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(oldSecret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`,
      headers: asBearer(user),
    });
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    hook.secret = newSecret;

    const shown = await t.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${endpoint.id}`, headers: asBearer(user) });
    expect(shown.body).not.toContain(newSecret);
    expect(shown.body).not.toContain(oldSecret);
    expect(JSON.stringify(await endpointRow(t, endpoint.id))).not.toContain(newSecret.slice(6));

    await sendTest(t, user, endpoint.id);
    await runDeliveries(t);
    expect(hook.rejected).toEqual([]);
    const [delivery] = hook.received;
    if (!delivery) throw new Error('nothing delivered');
    const headers = {
      'webhook-id': delivery.id,
      'webhook-timestamp': delivery.timestamp,
      'webhook-signature': String(delivery.headers['webhook-signature']),
    };
    const at = new Date(Number(delivery.timestamp) * 1000);
    expect(verifyAt(at, newSecret, delivery.body, headers)).toEqual(delivery.payload);
    expect(() => verifyAt(at, oldSecret, delivery.body, headers)).toThrow(WebhookVerificationError);
    expect(() => verifyAt(at, oldSecret, delivery.body, headers)).toThrow('No matching signature found');
  });

  it('delivers each message exactly once when two runs race (SKIP LOCKED + lease)', async () => {
    const user = await createActor(t);
    const hook = await receiver();
    const endpoint = await register(t, user, hook);
    for (let i = 0; i < 60; i++) expect((await sendTest(t, user, endpoint.id)).statusCode).toBe(202);
    const [a, b] = await Promise.all([deliverDueWebhooks(ctxOf(t), t.clock.now()), deliverDueWebhooks(ctxOf(t), t.clock.now())]);
    expect((a?.delivered ?? 0) + (b?.delivered ?? 0)).toBe(60);
    expect(hook.received).toHaveLength(60);
    expect(new Set(hook.received.map((d) => d.id)).size).toBe(60);
    expect((await deliveriesOf(t, endpoint.id)).every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  });

  it('limits an account to 10 endpoints and lists them without secrets', async () => {
    const user = await createActor(t);
    const hook = await receiver();
    for (let i = 0; i < 10; i++) await register(t, user, hook, { description: `hook ${i}` });
    const eleventh = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: asBearer(user),
      payload: { url: hook.url },
    });
    expect(eleventh.statusCode).toBe(409);
    expect(eleventh.json().error.code).toBe('CONFLICT');
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/webhook-endpoints', headers: asBearer(user) });
    expect(listed.json().endpoints).toHaveLength(10);
    expect(listed.body).not.toContain('whsec_');
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: asBearer(user),
      payload: { url: hook.url, events: ['sms.sent'] },
    });
    expect(invalid.statusCode).toBe(400);

    const [first] = listed.json().endpoints;
    await sendTest(t, user, first.id);
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/webhook-endpoints/${first.id}`, headers: asBearer(user) });
    expect(removed.statusCode).toBe(204);
    expect(await deliveriesOf(t, first.id)).toEqual([]);
    const gone = await t.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${first.id}`, headers: asBearer(user) });
    expect(gone.statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/webhook-endpoints', headers: asBearer(user), payload: { url: hook.url } }))
        .statusCode,
    ).toBe(201);
  });
});
