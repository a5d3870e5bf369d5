import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../test/support/cli.ts';
import { api, code, fundedActor } from '../../../test/support/orders.ts';
import { baseUrlOf, type OpenStream, openStream } from '../../../test/support/sse.ts';
import { activationSms, gatewayMessages } from '../../db/schema/index.ts';
import type { GatewayWebhookRequest } from '../../gateway-clients/port.ts';
import { type FakeTwilio, signedTwilioWebhook, startFakeTwilio } from '../../gateway-clients/twilio/__tests__/fake-twilio.ts';
import { EMPTY_TWIML } from '../../gateway-clients/twilio/index.ts';
import { runProviderTasks } from '../../modules/activations/index.ts';
import { checkGatewayHeartbeats } from '../../modules/pool/index.ts';

const MINUTE = 60_000;
const PUBLIC_URL = 'https://otp.example.com';
/** What Twilio was told to call, and so signs: PUBLIC_URL's, not the address the test server listens on. */
const WEBHOOK_URL = `${PUBLIC_URL}/webhooks/gateways/tw`;
const POOL_NUMBER = '+14155550100';

/**
 * A fake Twilio: the test signs and POSTs what Twilio's inbound-message webhook sends (a form body and
 * `X-Twilio-Signature` over the configured URL and every param) to the running app, over real HTTP;
 * the account's numbers come from a fake of Twilio's REST API on 127.0.0.1.
 */
describe('own numbers end to end: a Twilio gateway, the pool and an order', () => {
  let t: TestApp;
  let base: string;
  let twilio: FakeTwilio;
  let sids = 0;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);

  /** Twilio's params for one inbound SMS (as its docs list them), with a new MessageSid unless given. */
  const message = (body: string, options: { to?: string; sid?: string } = {}) => {
    const sid = options.sid ?? `SM${(++sids).toString(16).padStart(32, '0')}`;
    return {
      ToCountry: 'US',
      ToState: 'CA',
      SmsMessageSid: sid,
      NumMedia: '0',
      ToCity: 'SAN FRANCISCO',
      FromZip: '',
      SmsSid: sid,
      FromState: '',
      SmsStatus: 'received',
      FromCity: '',
      Body: body,
      FromCountry: 'GB',
      To: options.to ?? POOL_NUMBER,
      ToZip: '94105',
      NumSegments: '1',
      MessageSid: sid,
      AccountSid: twilio.accountSid,
      From: '+447700900123',
      ApiVersion: '2010-04-01',
    };
  };
  const post = async (request: GatewayWebhookRequest, gateway = 'tw') => {
    const response = await fetch(`${base}/webhooks/gateways/${gateway}`, {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: new Uint8Array(request.rawBody),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  };
  const signed = (params: Record<string, string>, options: { token?: string; url?: string } = {}) =>
    signedTwilioWebhook(options.token ?? twilio.authToken, options.url ?? WEBHOOK_URL, params);

  beforeAll(async () => {
    twilio = await startFakeTwilio([
      { phone_number: POOL_NUMBER, sid: 'PN0001', friendly_name: 'Pool one', sms_url: WEBHOOK_URL },
      { phone_number: '+14155550101', sid: 'PN0002', friendly_name: 'Spare', sms_url: '' },
      { phone_number: '+14155550102', sid: 'PN0003', friendly_name: 'Support line', sms_url: 'https://crm.example.com/sms' },
    ]);
    t = await createTestApp({ env: { SANDBOX: 'off', PUBLIC_URL } });
    base = await baseUrlOf(t);
    const added = await otpbox(
      'gateways',
      'add',
      '--kind',
      'twilio',
      '--name',
      'tw',
      '--account-sid',
      twilio.accountSid,
      '--auth-token',
      twilio.authToken,
      '--api-base',
      twilio.apiBase,
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Webhook, HTTP POST, ${WEBHOOK_URL}`);
    expect(added.stdout).not.toContain(twilio.authToken);
    expect((await otpbox('numbers', 'add', '--gateway', 'tw', '--number', POOL_NUMBER, '--cost', '0.05')).code).toBe(0);
    await t.orders.providers.load();
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.close();
  });

  it('`gateways numbers` lists the account’s numbers: which are in the pool, which send their SMS here', async () => {
    const listed = await otpbox('gateways', 'numbers', 'tw', '--json');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        number: POOL_NUMBER,
        sid: 'PN0001',
        friendlyName: 'Pool one',
        inPool: true,
        otherGateway: null,
        smsUrl: WEBHOOK_URL,
        smsUrlIsOurs: true,
      },
      {
        number: '+14155550101',
        sid: 'PN0002',
        friendlyName: 'Spare',
        inPool: false,
        otherGateway: null,
        smsUrl: null,
        smsUrlIsOurs: false,
      },
      {
        number: '+14155550102',
        sid: 'PN0003',
        friendlyName: 'Support line',
        inPool: false,
        otherGateway: null,
        smsUrl: 'https://crm.example.com/sms',
        smsUrlIsOurs: false,
      },
    ]);
    // Two pages of the fake (page size 2), each with the account's credentials.
    const expected = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`;
    expect(twilio.requests.map((r) => r.authorization)).toEqual([expected, expected]);

    const table = await otpbox('gateways', 'numbers', 'tw');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\+14155550100\s+Pool one\s+yes\s+otpbox/);
    expect(table.stdout).toMatch(/\+14155550101\s+Spare\s+no\s+not set/);
    expect(table.stdout).toMatch(/\+14155550102\s+Support line\s+no\s+elsewhere: https:\/\/crm\.example\.com\/sms/);
  });

  it('`gateways numbers` says so clearly for wrong credentials, an unreachable API and a gateway of another kind', async () => {
    const wrongToken = 'not-the-auth-token-0123456789';
    const add = (name: string, token: string, apiBase: string) =>
      otpbox(
        'gateways',
        'add',
        '--kind',
        'twilio',
        '--name',
        name,
        '--account-sid',
        twilio.accountSid,
        '--auth-token',
        token,
        '--api-base',
        apiBase,
      );
    expect((await add('tw-wrong', wrongToken, twilio.apiBase)).code).toBe(0);
    const refused = await otpbox('gateways', 'numbers', 'tw-wrong');
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain('Cannot list the numbers of "tw-wrong" (bad_credentials): Twilio IncomingPhoneNumbers: HTTP 401');
    expect(refused.stderr).toContain('primary Auth Token');
    expect(refused.stderr).not.toContain(wrongToken);

    // A port nothing listens on.
    expect((await add('tw-away', twilio.authToken, 'http://127.0.0.1:9')).code).toBe(0);
    const away = await otpbox('gateways', 'numbers', 'tw-away');
    expect(away.code).toBe(69);
    expect(away.stderr).toContain('(unavailable): Twilio IncomingPhoneNumbers: cannot reach 127.0.0.1:9');
    expect(away.stderr).not.toContain(twilio.authToken);

    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'phone')).code).toBe(0);
    const other = await otpbox('gateways', 'numbers', 'phone');
    expect(other.code).toBe(64);
    expect(other.stderr).toContain('"phone" is a android-sms-gateway gateway: only a Twilio gateway has an account');
    const missing = await otpbox('gateways', 'numbers', 'nosuch');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No gateway named "nosuch"');
    for (const name of ['tw-wrong', 'tw-away', 'phone']) expect((await otpbox('gateways', 'remove', name)).code).toBe(0);
  });

  let stream: OpenStream;
  let orderId: string;
  let buyer: Awaited<ReturnType<typeof fundedActor>>;
  let first: GatewayWebhookRequest;

  it('an order on the Twilio number gets its code through a signed Twilio POST, live; the answer is empty TwiML', async () => {
    buyer = await fundedActor(t, 10_000);
    stream = await openStream(base, { authorization: buyer.bearer });
    const created = await api(t, buyer).order({ service: 'tg', country: 'US' });
    expect(created.statusCode).toBe(201);
    expect(created.json().phone).toBe(POOL_NUMBER);
    orderId = created.json().id;

    first = signed(message('Telegram code: 53127. Do not give this code to anyone'));
    const delivered = await post(first);
    expect(delivered).toEqual({ status: 200, type: 'text/xml', body: EMPTY_TWIML });
    await stream.waitFor((events) => events.some((e) => e.event === 'sms.received'));
    expect(stream.events.find((e) => e.event === 'sms.received')?.data).toMatchObject({
      activationId: orderId,
      code: '53127',
      late: false,
    });
    const after = (await api(t, buyer).get(orderId)).json();
    expect(after.status).toBe('received');
    expect(after.sms).toEqual([expect.objectContaining({ code: '53127' })]);
  });

  it('a forged signature, or one over another URL, is 403 and records nothing; the same MessageSid again is answered and recorded once', async () => {
    const before = await t.database.db.select().from(gatewayMessages);
    const forged = await post(signed(message('Telegram code: 11111'), { token: 'a-forger-s-guess-0123456789' }));
    expect(forged.status).toBe(403);
    expect(forged.type).toMatch(/^text\/plain/);
    expect(forged.body).toContain('Twilio signature check failed');
    expect(forged.body).not.toContain(twilio.authToken);
    // Signed over the address the server listens on: what a PUBLIC_URL that is not Twilio's URL looks like.
    expect((await post(signed(message('Telegram code: 22222'), { url: `${base}/webhooks/gateways/tw` }))).status).toBe(403);
    // The body changed after signing.
    const tampered = signed(message('Telegram code: 33333'));
    expect((await post({ ...tampered, rawBody: Buffer.from(tampered.rawBody.toString().replace('33333', '44444')) })).status).toBe(403);
    // Genuine, but not an inbound message.
    const unreadable = await post(signed({ AccountSid: twilio.accountSid }));
    expect(unreadable).toMatchObject({ status: 400, body: 'Not a Twilio messaging webhook.\n' });
    expect(await t.database.db.select().from(gatewayMessages)).toEqual(before);

    // Twilio retries a message it had no answer for: the same answer, nothing recorded again.
    expect(await post(first)).toEqual({ status: 200, type: 'text/xml', body: EMPTY_TWIML });
    // A status callback (the number's status URL pointing here) is acknowledged, with no message.
    const status = await post(
      signed({ MessageSid: 'SM0000000000000000000000000000status', MessageStatus: 'delivered', AccountSid: twilio.accountSid }),
    );
    expect(status).toEqual({ status: 200, type: 'text/xml', body: EMPTY_TWIML });
    expect(await t.database.db.select().from(gatewayMessages)).toEqual(before);
    expect(await t.database.db.select().from(activationSms).where(eq(activationSms.activationId, orderId))).toHaveLength(1);
    expect((await post(first, 'nosuch')).status).toBe(404);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/otpbox_gateway_deliveries_total\{[^}]*gateway="tw"[^}]*outcome="replay"[^}]*\} 1/);
    expect(metrics).toMatch(/otpbox_gateway_deliveries_total\{[^}]*gateway="tw"[^}]*outcome="bad_signature"[^}]*\} 3/);
  });

  it('the order finishes and the number cools down: a late SMS is marked late; the service cannot have the number again', async () => {
    expect((await api(t, buyer).action(orderId, 'finish')).statusCode).toBe(200);
    await runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());
    const numbers = JSON.parse((await otpbox('numbers', 'list', '--json')).stdout) as { number: string; state: string }[];
    expect(numbers.find((n) => n.number === POOL_NUMBER)?.state).toBe('cooling');

    t.clock.advance(2 * MINUTE);
    expect((await post(signed(message('Telegram code: 90001')))).status).toBe(200);
    await stream.waitFor((events) => events.some((e) => e.event === 'sms.received' && e.data.late === true));
    const other = await fundedActor(t, 10_000);
    expect(code(await api(t, other).order({ service: 'wa', country: 'US' }))).toBe('NO_NUMBERS');

    // Cooled down: free again, but never for tg within the reuse period.
    t.clock.advance(14 * MINUTE);
    const health = await checkGatewayHeartbeats(ctxOf(t), t.clock.now());
    expect(health).toMatchObject({ cooled: 1, down: 0 });
    await t.orders.providers.load();
    expect(code(await api(t, other).order({ service: 'tg', country: 'US' }))).toBe('NO_NUMBERS');
    // Twilio's retry of the first message, now that its replay key is forgotten: still recorded once.
    expect(health.replaysPurged).toBeGreaterThan(0);
    expect((await post(first)).status).toBe(200);
    const rows = await t.database.db.select().from(activationSms).where(eq(activationSms.activationId, orderId));
    expect(rows.map((r) => r.code).sort()).toEqual(['53127', '90001']);
    stream.close();
  });
});
