import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, createActor, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { webhookEndpoints } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { sealFor } from '../../keyring/index.ts';
import { isPublicAddress } from '../address-policy.ts';
import { createWebhookEndpoint } from '../create-endpoint.ts';
import { deliverDueWebhooks } from '../deliver.ts';
import { publicOnlyLookup, REFUSED_ADDRESS } from '../public-lookup.ts';
import { failureText } from '../send.ts';
import { sendTestEvent } from '../send-test-event.ts';
import { deliveriesOf } from './helpers.ts';
import { startReceiver } from './receiver.ts';

const REFUSED = [
  '127.0.0.1',
  '127.255.0.9',
  '10.0.0.8',
  '172.16.5.4',
  '172.31.255.255',
  '192.168.1.1',
  '169.254.169.254',
  '100.64.0.1',
  '100.127.255.254',
  '0.0.0.0',
  '224.0.0.251',
  '239.255.255.250',
  '255.255.255.255',
  '240.0.0.1',
  '192.0.2.10',
  '198.18.0.1',
  '::',
  '::1',
  'fe80::1',
  'fe80::1%eth0',
  'fc00::1',
  'fd12:3456::1',
  'ff02::1',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::ffff:169.254.169.254',
  '::ffff:10.1.2.3',
  '64:ff9b::a9fe:a9fe',
  '64:ff9b::192.168.0.1',
  '2001:db8::1',
  '2002:7f00:1::1',
  '2001::1',
  'not an address',
];
const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '100.128.0.1',
  '172.32.0.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
];

describe('SSRF: which addresses a webhook may reach', () => {
  it.each(REFUSED)('refuses %s', (address) => expect(isPublicAddress(address)).toBe(false));
  it.each(PUBLIC)('allows %s', (address) => expect(isPublicAddress(address)).toBe(true));

  it('the connection lookup refuses a name that resolves to loopback (both lookup forms)', async () => {
    for (const all of [true, false]) {
      const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
        publicOnlyLookup('localhost', { all }, (err) => resolve(err)),
      );
      expect(error?.code).toBe(REFUSED_ADDRESS);
      expect(error?.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is not a public internet address$/);
    }
  });
});

describe('SSRF: endpoints (WEBHOOK_ALLOW_PRIVATE_NETWORKS unset)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it.each([
    ['http://hooks.example.com/otpbox', 'https://'],
    ['https://127.0.0.1/hook', '127.0.0.1 is not a public'],
    ['https://10.0.0.8/hook', '10.0.0.8 is not a public'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254 is not a public'],
    ['https://[::1]:8443/hook', '::1 is not a public'],
    ['https://[::ffff:192.168.0.1]/hook', 'is not a public'],
    ['https://0x7f.1/hook', '127.0.0.1 is not a public'],
    ['https://localhost/hook', 'localhost is not a public'],
    ['https://api.localhost/hook', 'api.localhost is not a public'],
    ['https://user:password@hooks.example.com/', 'user name or password'],
    ['ftp://hooks.example.com/', 'https://'],
    ['hooks.example.com/otpbox', 'not an absolute URL'],
    ['https://hooks.example.com:22/hook', 'port 22 is not allowed (use 80, 443, or a port from 1024 up)'],
    ['https://hooks.example.com:25/hook', 'port 25 is not allowed'],
    ['https://hooks.example.com:1023/hook', 'port 1023 is not allowed'],
    ['https://hooks.example.com:0/hook', 'port 0 is not allowed'],
  ])('refuses to register %s', async (url, reason) => {
    const actor = await createActor(t);
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/webhook-endpoints', headers: asBearer(actor), payload: { url } });
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().error.code).toBe('WEBHOOK_URL_REFUSED');
    expect(response.json().error.message).toContain(reason);
  });

  it('registers a public https URL (names are checked on what they resolve to, at each attempt)', async () => {
    const actor = await createActor(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: asBearer(actor),
      payload: { url: 'https://hooks.example.com/otpbox#ignored', description: 'prod' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ url: 'https://hooks.example.com/otpbox', events: ['*'], status: 'enabled' });
  });

  it('refuses at registration a name that resolves now to an address that is not public; accepts one that does not resolve yet', async () => {
    const actor = await createActor(t);
    const resolver = (answers: Record<string, string[]>) => async (name: string) => {
      const found = answers[name];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address }));
    };
    const names = resolver({
      'hooks.internal.example': ['10.0.0.8'],
      'mixed.example': ['93.184.215.14', '127.0.0.1'],
      'rebind.example': ['169.254.169.254'],
      'public.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    });
    for (const [host, address] of [
      ['hooks.internal.example', '10.0.0.8'],
      ['mixed.example', '127.0.0.1'],
      ['rebind.example', '169.254.169.254'],
    ]) {
      const refused = createWebhookEndpoint(ctxOf(t), actor.accountId, { url: `https://${host}/hook` }, names);
      await expect(refused).rejects.toMatchObject({
        code: 'WEBHOOK_URL_REFUSED',
        message: `This webhook URL is refused: ${host} resolves to ${address}, which is not a public internet address.`,
      });
    }
    await expect(createWebhookEndpoint(ctxOf(t), actor.accountId, { url: 'https://public.example/hook' }, names)).resolves.toMatchObject({
      status: 'enabled',
    });
    // Not resolvable yet (a name being set up), or too slow to answer: accepted, and checked at each attempt.
    await expect(createWebhookEndpoint(ctxOf(t), actor.accountId, { url: 'https://soon.example/hook' }, names)).resolves.toBeDefined();
    const never = () => new Promise<{ address: string }[]>(() => {});
    const { privateResolution } = await import('../public-lookup.ts');
    expect(await privateResolution('slow.example', never, 20)).toBeNull();
    // With private networks allowed (development), names are not looked up at all.
    const permissive: Ctx = { ...ctxOf(t), config: { ...t.config, webhookAllowPrivateNetworks: true } };
    await expect(
      createWebhookEndpoint(permissive, actor.accountId, { url: 'https://hooks.internal.example/hook' }, names),
    ).resolves.toBeDefined();
  });

  it('registers the web ports: the default, 80, 443, and 1024 and up', async () => {
    const actor = await createActor(t);
    for (const [url, stored] of [
      ['https://hooks.example.com:443/a', 'https://hooks.example.com/a'],
      ['https://hooks.example.com:80/b', 'https://hooks.example.com:80/b'],
      ['https://hooks.example.com:1024/c', 'https://hooks.example.com:1024/c'],
      ['https://hooks.example.com:8443/d', 'https://hooks.example.com:8443/d'],
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/webhook-endpoints', headers: asBearer(actor), payload: { url } });
      expect(response.statusCode, url).toBe(201);
      expect(response.json().url).toBe(stored);
    }
  });

  it('refuses a port other than a web port at delivery time too, before connecting', async () => {
    const actor = await createActor(t);
    const endpoint = await createWebhookEndpoint(ctxOf(t), actor.accountId, { url: 'https://hooks.example.com/hook' });
    // Registered before the rule existed.
    await t.database.db
      .update(webhookEndpoints)
      .set({ url: await sealFor(ctxOf(t), actor.accountId, 'webhook_endpoints.url', endpoint.id, 'https://hooks.example.com:22/hook') })
      .where(eq(webhookEndpoints.id, endpoint.id));
    await sendTestEvent(ctxOf(t), actor.accountId, endpoint.id);
    await deliverDueWebhooks(ctxOf(t), t.clock.now());
    const [delivery] = await deliveriesOf(t, endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: null });
    expect(delivery?.lastError).toBe('refused: port 22 is not allowed (use 80, 443, or a port from 1024 up)');
  });

  it('refuses at delivery time, before connecting: loopback by name (DNS), literal private addresses, and http', async () => {
    const actor = await createActor(t);
    const listener = await startReceiver(t.clock);
    // Registered while private networks were allowed (or the rules were different): each attempt checks again.
    const permissive: Ctx = { ...ctxOf(t), config: { ...t.config, webhookAllowPrivateNetworks: true } };
    const targets = [
      [
        `https://localhost:${listener.port}/hook`,
        // The host's name is the customer's and the URL is sealed: the log says "<endpoint host>" (ADR 28).
        /^refused: <endpoint host> resolves to (127\.0\.0\.1|::1), which is not a public internet address$/,
      ],
      [`https://127.0.0.1:${listener.port}/hook`, /^refused: 127\.0\.0\.1 is not a public internet address$/],
      [`https://[::ffff:127.0.0.1]:${listener.port}/hook`, /^refused: ::ffff:7f00:1 is not a public internet address$/],
      ['https://169.254.169.254/latest/meta-data/', /^refused: 169\.254\.169\.254 is not a public internet address$/],
      [`http://127.0.0.1:${listener.port}/hook`, /^refused: the URL must use https:\/\/$/],
    ] as const;
    try {
      const endpoints = [];
      for (const [url] of targets) {
        const endpoint = await createWebhookEndpoint(permissive, actor.accountId, { url });
        await sendTestEvent(ctxOf(t), actor.accountId, endpoint.id);
        endpoints.push(endpoint);
      }
      expect(t.config.webhookAllowPrivateNetworks).toBe(false);
      await deliverDueWebhooks(ctxOf(t), t.clock.now());
      for (const [i, [, reason]] of targets.entries()) {
        const [delivery] = await deliveriesOf(t, endpoints[i]?.id ?? '');
        expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: null });
        expect(delivery?.lastError).toMatch(reason);
      }
      expect(listener.connections).toBe(0);
    } finally {
      await listener.close();
    }
  });
});

describe('a failed delivery names no host (the URL is sealed, the delivery log is not: ADR 28)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it("a name that does not resolve: the lookup in Node's words, the name left out", async () => {
    const actor = await createActor(t);
    const endpoint = await createWebhookEndpoint(ctxOf(t), actor.accountId, { url: 'https://hooks.customer-name.invalid/hook' });
    await sendTestEvent(ctxOf(t), actor.accountId, endpoint.id);
    await deliverDueWebhooks(ctxOf(t), t.clock.now());
    const [delivery] = await deliveriesOf(t, endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: null });
    expect(delivery?.lastError).toMatch(/^(ENOTFOUND|EAI_AGAIN): getaddrinfo (ENOTFOUND|EAI_AGAIN) <endpoint host>$/);
    expect(delivery?.lastError).not.toContain('customer-name');
  });

  it('words each failure from its fields: names left out, addresses kept', () => {
    const error = (message: string, fields: Record<string, string>) => Object.assign(new Error(message), fields);
    expect(
      failureText(
        error('getaddrinfo ENOTFOUND hooks.example.com', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'hooks.example.com' }),
      ),
    ).toBe('ENOTFOUND: getaddrinfo ENOTFOUND <endpoint host>');
    expect(
      failureText(
        error(
          "Hostname/IP does not match certificate's altnames: Host: hooks.example.com. is not in the cert's altnames: DNS:other.example",
          {
            code: 'ERR_TLS_CERT_ALTNAME_INVALID',
            host: 'hooks.example.com',
          },
        ),
      ),
    ).toBe('ERR_TLS_CERT_ALTNAME_INVALID: the certificate is not for <endpoint host>');
    expect(failureText(error('some failure about hooks.example.com', { code: 'EPROTO', host: 'hooks.example.com' }))).toBe('EPROTO');
    expect(failureText(error('x resolves to 10.0.0.8', { code: REFUSED_ADDRESS, address: '10.0.0.8' }))).toBe(
      'refused: <endpoint host> resolves to 10.0.0.8, which is not a public internet address',
    );
    expect(
      failureText(error('connect ECONNREFUSED 203.0.113.7:443', { code: 'ECONNREFUSED', syscall: 'connect', address: '203.0.113.7' })),
    ).toBe('ECONNREFUSED: connect ECONNREFUSED 203.0.113.7:443');
  });
});
