import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../../test/support/cli.ts';
import { auditLog, gatewayMessages, gateways, poolNumbers, poolServiceUses, providerOffers, providers } from '../../../db/schema/index.ts';
import type { ProviderPort } from '../../../provider-clients/port.ts';
import { receiveGatewaySms } from '../../inbound-sms/index.ts';
import { checkGatewayHeartbeats, markGatewayState } from '../index.ts';
import { leaseForMessage, noteLeaseSms } from '../leases.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('the number pool: gateways and numbers from the CLI, sold through the provider port', () => {
  let t: TestApp;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
  const pool = () => t.orders.providers.port('pool') as ProviderPort;
  const offer = async (service: string, country: string) => {
    const fetched = await pool().fetchOffers();
    return fetched.ok ? fetched.value.offers.find((o) => o.service === service && o.country === country) : undefined;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off' } });
  });
  afterAll(() => t?.close());

  it('gateways add (android) prints the webhook URL and the signing key, creates the provider "pool", and never lists the key', async () => {
    const added = await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'phone-1');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`${t.config.publicUrl}/webhooks/gateways/phone-1`);
    expect(added.stdout).toContain('sms:received');
    expect(added.stdout).toContain('system:ping');
    expect(added.stdout).toContain('Created the provider "pool"');
    const key = /Signing Key: set it to this key[^\n]*\n\s+(\S+)/.exec(added.stdout)?.[1] as string;
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const [row] = await t.database.db.select().from(gateways).where(eq(gateways.name, 'phone-1'));
    expect(row?.secretSealed).not.toContain(key);
    expect(row?.state).toBe('unknown');

    const listed = await otpbox('gateways', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'phone-1', kind: 'android-sms-gateway', state: 'unknown', lastSeenAt: null, numbers: 0 }),
    ]);
    expect(listed.stdout).not.toContain(key);
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'gateway.add'));
    expect(JSON.stringify(audit)).not.toContain(key);

    const providersListed = JSON.parse((await otpbox('providers', 'list', '--json')).stdout) as { name: string; kind: string }[];
    expect(providersListed).toEqual([expect.objectContaining({ name: 'pool', kind: 'pool' })]);
    // A second gateway does not make a second pool.
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'phone-2')).stdout).not.toContain(
      'Created the provider',
    );
    expect(await t.database.db.select().from(providers)).toHaveLength(1);
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'phone-1')).stderr).toContain('already exists');
  });

  it('twilio and smpp gateways take their options; the secret is never printed back', async () => {
    const twilio = await otpbox(
      'gateways',
      'add',
      '--kind',
      'twilio',
      '--name',
      'tw',
      '--account-sid',
      `AC${'a'.repeat(32)}`,
      '--auth-token',
      'f'.repeat(32),
    );
    expect(twilio.code).toBe(0);
    expect(twilio.stdout).toContain('A message comes in');
    expect(twilio.stdout).not.toContain('f'.repeat(32));
    const smpp = await otpbox(
      'gateways',
      'add',
      '--kind',
      'smpp',
      '--name',
      'smsc',
      '--host',
      '127.0.0.1',
      '--port',
      '2775',
      '--system-id',
      'otpbox',
      '--password',
      'secret1',
    );
    expect(smpp.code).toBe(0);
    expect(smpp.stdout).not.toContain('webhooks/gateways');
    const listed = JSON.parse((await otpbox('gateways', 'list', '--json')).stdout) as { name: string; state: string; settings: object }[];
    expect(listed.find((g) => g.name === 'tw')?.state).toBe('up');
    expect(listed.find((g) => g.name === 'smsc')?.settings).toEqual({
      host: '127.0.0.1',
      port: 2775,
      systemId: 'otpbox',
      bindAs: 'receiver',
      tls: false,
      alphabet: 'gsm',
    });
    expect(JSON.stringify(listed)).not.toContain('secret1');
    const bad = await otpbox('gateways', 'add', '--kind', 'twilio', '--name', 'tw2', '--account-sid', 'nope', '--auth-token', 'x');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--account-sid');
    expect((await otpbox('gateways', 'add', '--kind', 'carrier-pigeon', '--name', 'x')).stderr).toContain('--kind must be one of');
  });

  it('numbers add validates the number, the country, the services and the gateway, and nothing is half-added', async () => {
    const refused = [
      [['--number', '+1555'], '--number must be a valid phone number'],
      [['--number', '+14155550100', '--country', 'GB'], 'is a US number, not GB'],
      [['--number', '+14155550100', '--services', 'tg,nosuch'], 'unknown service code(s): nosuch'],
      [['--number', '+14155550100', '--sim', '1'], '--sim needs --device'],
      [['--number', '+14155550100', '--cost', '1e-2'], '--cost must be a decimal amount'],
    ] as const;
    for (const [args, message] of refused) {
      const run = await otpbox('numbers', 'add', '--gateway', 'phone-1', ...args);
      expect(run.code, message).toBe(64);
      expect(run.stderr).toContain(message);
    }
    expect((await otpbox('numbers', 'add', '--gateway', 'nosuch', '--number', '+14155550100')).stderr).toContain('No gateway named');
    expect((await otpbox('numbers', 'add', '--gateway', 'tw', '--number', '+14155550100', '--device', 'd1')).stderr).toContain(
      'Android gateways only',
    );
    expect(JSON.parse((await otpbox('numbers', 'list', '--json')).stdout)).toEqual([]);

    const ok = await otpbox(
      'numbers',
      'add',
      '--gateway',
      'phone-1',
      '--number',
      '+1 415 555 0100',
      '--device',
      'dev-a',
      '--sim',
      '1',
      '--services',
      'tg,wa',
      '--cost',
      '0.05',
    );
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('Added +14155550100 (US) for tg, wa on device dev-a SIM 1, cost 0.05 USD');
    expect((await otpbox('numbers', 'add', '--gateway', 'phone-1', '--number', '+14155550100')).stderr).toContain('already in the pool');
    expect(
      (await otpbox('numbers', 'add', '--gateway', 'phone-1', '--number', '+14155550101', '--device', 'dev-a', '--sim', '1')).stderr,
    ).toContain('already receive +14155550100');
    expect(
      (
        await otpbox(
          'numbers',
          'add',
          '--gateway',
          'phone-1',
          '--number',
          '+14155550101',
          '--device',
          'dev-a',
          '--sim',
          '2',
          '--cost',
          '0.04',
        )
      ).code,
    ).toBe(0);
    // Every service, dearer.
    expect(
      (
        await otpbox(
          'numbers',
          'add',
          '--gateway',
          'phone-2',
          '--number',
          '+14155550102',
          '--device',
          'dev-b',
          '--sim',
          '1',
          '--cost',
          '0.10',
        )
      ).code,
    ).toBe(0);
    const listed = JSON.parse((await otpbox('numbers', 'list', '--json', '--gateway', 'phone-1')).stdout);
    expect(listed).toEqual([
      expect.objectContaining({
        number: '+14155550100',
        gateway: 'phone-1',
        country: 'US',
        services: ['tg', 'wa'],
        device: 'dev-a',
        sim: 1,
        cost: 0.05,
        state: 'free',
        lastSoldAt: null,
      }),
      expect.objectContaining({ number: '+14155550101', services: null, sim: 2, cost: 0.04, state: 'free' }),
    ]);
    expect((await otpbox('numbers', 'list')).stdout).toContain('+14155550102');
  });

  it('the stock is written for the catalog as numbers are added: per service and country, count and cheapest cost', async () => {
    const [row] = await t.database.db.select().from(providers).where(eq(providers.name, 'pool'));
    const offers = await t.database.db
      .select()
      .from(providerOffers)
      .where(eq(providerOffers.providerId, row?.id as string));
    expect(offers.find((o) => o.service === 'tg' && o.country === 'US')).toMatchObject({ count: 3, cost: 40_000 });
    expect(offers.find((o) => o.service === 'fb' && o.country === 'US')).toMatchObject({ count: 2, cost: 40_000 });
    expect(await offer('tg', 'US')).toEqual({ service: 'tg', country: 'US', cost: 40_000, count: 3 });
    await t.orders.providers.load();
    expect(t.orders.activations.catalog.offers('tg', 'US').map((o) => [o.provider.name, o.count])).toEqual([['pool', 3]]);
  });

  it('sells the cheapest number first, then the least recently sold; above the limit it says so; none left: no_numbers', async () => {
    const above = await pool().buyNumber({ service: 'tg', country: 'US', maxCost: 30_000 });
    expect(above).toEqual({ ok: false, failure: expect.objectContaining({ kind: 'price_above_max', minCost: 40_000 }) });
    const first = await pool().buyNumber({ service: 'tg', country: 'US', maxCost: 100_000 });
    expect(first).toEqual({ ok: true, value: { upstreamId: expect.stringMatching(/^lease_/), phone: '+14155550101', cost: 40_000 } });
    const second = await pool().buyNumber({ service: 'tg', country: 'US' });
    expect(second.ok && second.value.phone).toBe('+14155550100');
    const third = await pool().buyNumber({ service: 'tg', country: 'US' });
    expect(third.ok && third.value.phone).toBe('+14155550102');
    expect(await pool().buyNumber({ service: 'tg', country: 'US' })).toEqual({
      ok: false,
      failure: expect.objectContaining({ kind: 'no_numbers' }),
    });
    expect(await offer('tg', 'US')).toBeUndefined();
    const listed = JSON.parse((await otpbox('numbers', 'list', '--json')).stdout) as { state: string }[];
    expect(listed.map((n) => n.state)).toEqual(['rented', 'rented', 'rented']);
    const active = await pool().listActive?.();
    expect(active?.ok && active.value.map((a) => a.phone).sort()).toEqual(['+14155550100', '+14155550101', '+14155550102']);

    // A rented number cannot be removed, nor its gateway.
    const removal = await otpbox('numbers', 'remove', '+14155550100');
    expect(removal.code).toBe(1);
    expect(removal.stderr).toContain('rented by an open order');
    expect((await otpbox('gateways', 'remove', 'phone-1')).stderr).toContain(
      'rented (by an open order or a long-term rental); nothing was removed',
    );

    // The order that got no SMS gives the service back once the number has cooled down.
    const leaseId = (first as { value: { upstreamId: string } }).value.upstreamId;
    expect(await pool().checkStatus(leaseId)).toEqual({ ok: true, value: { state: 'waiting', sms: [] } });
    expect(await pool().cancel(leaseId)).toEqual({ ok: true, value: undefined });
    expect(await pool().cancel(leaseId)).toEqual({ ok: true, value: undefined });
    expect(await pool().checkStatus(leaseId)).toEqual({ ok: true, value: { state: 'cancelled', sms: [] } });
    expect(await t.database.db.select().from(poolServiceUses).where(eq(poolServiceUses.leaseId, leaseId))).toEqual([]);
    const cooling = JSON.parse((await otpbox('numbers', 'list', '--json')).stdout) as { number: string; state: string }[];
    expect(cooling.find((n) => n.number === '+14155550101')?.state).toBe('cooling');
    expect(await pool().buyNumber({ service: 'tg', country: 'US' })).toEqual({
      ok: false,
      failure: expect.objectContaining({ kind: 'no_numbers' }),
    });
    t.clock.advance(10 * MINUTE);
    const again = await pool().buyNumber({ service: 'tg', country: 'US' });
    expect(again.ok && again.value.phone).toBe('+14155550101');
  });

  it('a number sold for a service is not sold for it again within POOL_REUSE_DAYS, but is for another service', async () => {
    // Every open lease gets its SMS (the use stands) and finishes.
    const active = await pool().listActive?.();
    expect(active?.ok && active.value).toHaveLength(3);
    for (const lease of active?.ok ? active.value : []) {
      const number = await idOf(lease.phone as string);
      expect(await leaseForMessage(t.database.db, t.config, number, t.clock.now())).toEqual({
        id: lease.upstreamId,
        kind: 'order',
        open: true,
      });
      await noteLeaseSms(t.database.db, lease.upstreamId, t.clock.now());
      expect(await pool().checkStatus(lease.upstreamId)).toEqual({ ok: true, value: { state: 'received', sms: [] } });
      expect(await pool().finish(lease.upstreamId)).toEqual({ ok: true, value: undefined });
      // Cooling: a late SMS still belongs to the ended lease, until the cooldown is over.
      expect(await leaseForMessage(t.database.db, t.config, number, new Date(t.clock.now().getTime() + 9 * MINUTE))).toMatchObject({
        open: false,
      });
      expect(await leaseForMessage(t.database.db, t.config, number, new Date(t.clock.now().getTime() + 11 * MINUTE))).toBeUndefined();
    }
    t.clock.advance(11 * MINUTE);
    expect(await pool().buyNumber({ service: 'tg', country: 'US' })).toEqual({
      ok: false,
      failure: expect.objectContaining({ kind: 'no_numbers' }),
    });
    const wa = await pool().buyNumber({ service: 'wa', country: 'US' });
    expect(wa.ok).toBe(true);
    await pool().finish((wa as { value: { upstreamId: string } }).value.upstreamId);
    t.clock.advance(89 * DAY);
    expect((await pool().buyNumber({ service: 'tg', country: 'US' })).ok).toBe(false);
    t.clock.advance(1 * DAY + MINUTE);
    const later = await pool().buyNumber({ service: 'tg', country: 'US' });
    expect(later.ok).toBe(true);
    await pool().cancel((later as { value: { upstreamId: string } }).value.upstreamId);
  });

  it('an Android gateway not heard from for GATEWAY_HEARTBEAT_MINUTES goes down and its numbers leave the stock; markGatewayState sets it', async () => {
    t.clock.advance(11 * MINUTE);
    expect((await offer('fb', 'US'))?.count).toBe(2);
    const result = await checkGatewayHeartbeats(ctxOf(t), t.clock.now());
    expect(result.down).toBe(2);
    expect(await offer('fb', 'US')).toBeUndefined();
    const listed = JSON.parse((await otpbox('gateways', 'list', '--json')).stdout) as { name: string; state: string }[];
    expect(Object.fromEntries(listed.map((g) => [g.name, g.state]))).toEqual({
      'phone-1': 'down',
      'phone-2': 'down',
      smsc: 'unknown',
      tw: 'up',
    });
    expect(await markGatewayState(ctxOf(t), 'phone-2', 'up')).toBe(true);
    expect(await markGatewayState(ctxOf(t), 'phone-2', 'up')).toBe(false);
    expect((await offer('fb', 'US'))?.count).toBe(1);
    // Provider-wide stock written too.
    const [row] = await t.database.db.select().from(providers).where(eq(providers.name, 'pool'));
    const offers = await t.database.db
      .select()
      .from(providerOffers)
      .where(eq(providerOffers.providerId, row?.id as string));
    expect(offers.find((o) => o.service === 'fb')).toMatchObject({ count: 1, cost: 100_000 });
  });

  it('numbers remove and gateways remove, once nothing is rented', async () => {
    const active = await pool().listActive?.();
    for (const lease of active?.ok ? active.value : []) await pool().finish(lease.upstreamId);
    const removed = await otpbox('numbers', 'remove', '+14155550102');
    expect(removed.stdout).toContain('Removed +14155550102');
    expect((await otpbox('numbers', 'remove', '+14155550102')).stderr).toContain('is not in the pool');
    const gone = await otpbox('gateways', 'remove', 'phone-1');
    expect(gone.stdout).toContain('Removed gateway "phone-1" and its 2 number(s)');
    expect(JSON.parse((await otpbox('numbers', 'list', '--json')).stdout)).toEqual([]);
    expect((await otpbox('gateways', 'list', '--json')).stdout).not.toContain('phone-1');
  });

  async function idOf(phone: string): Promise<string> {
    const [row] = await t.database.db
      .select({ id: poolNumbers.id })
      .from(poolNumbers)
      .where(and(eq(poolNumbers.number, phone), isNull(poolNumbers.removedAt)));
    return row?.id as string;
  }
});

describe('a number removed and added again keeps its past', () => {
  let t: TestApp;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
  const pool = () => t.orders.providers.port('pool') as ProviderPort;

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off', POOL_COOLDOWN_MINUTES: '10' } });
    for (const name of ['farm', 'other'])
      expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', name)).code).toBe(0);
    expect((await otpbox('numbers', 'add', '--gateway', 'farm', '--number', '+14155550170', '--cost', '0.05')).code).toBe(0);
  });
  afterAll(() => t?.close());

  it('its cooling and its sales within POOL_REUSE_DAYS, moved to another gateway too: never sold again for the same service at once', async () => {
    const sold = await pool().buyNumber({ service: 'tg', country: 'US' });
    if (!sold.ok) throw new Error('not sold');
    await noteLeaseSms(t.database.db, sold.value.upstreamId, t.clock.now());
    await pool().finish(sold.value.upstreamId);
    // Removed while cooling and added again elsewhere ("remove it first to move it").
    expect((await otpbox('numbers', 'remove', '+14155550170')).code).toBe(0);
    expect((await otpbox('numbers', 'add', '--gateway', 'other', '--number', '+14155550170', '--cost', '0.05')).code).toBe(0);
    const [listed] = JSON.parse((await otpbox('numbers', 'list', '--json')).stdout) as { state: string }[];
    expect(listed?.state).toBe('cooling');
    expect((await pool().buyNumber({ service: 'wa', country: 'US' })).ok).toBe(false);
    t.clock.advance(11 * MINUTE);
    // Cooled: sold for another service, never for the one it was sold for.
    expect(await pool().buyNumber({ service: 'tg', country: 'US' })).toEqual({
      ok: false,
      failure: expect.objectContaining({ kind: 'no_numbers' }),
    });
    expect((await pool().buyNumber({ service: 'wa', country: 'US' })).ok).toBe(true);
  });
});

describe('an SMS stamped in the last seconds of a cooling', () => {
  let t: TestApp;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
  const pool = () => t.orders.providers.port('pool') as ProviderPort;

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off', POOL_COOLDOWN_MINUTES: '10' } });
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
    expect(
      (await otpbox('numbers', 'add', '--gateway', 'farm', '--number', '+14155550150', '--device', 'dev', '--sim', '1', '--cost', '0.05'))
        .code,
    ).toBe(0);
    // The pool provider is loaded now, as the running server does on the change's NOTIFY (which may not have come yet).
    await t.orders.providers.load();
  });
  afterAll(() => t?.close());

  it("goes to the previous buyer's ended lease (a late SMS), never to the lease begun seconds after the cooling", async () => {
    const first = await pool().buyNumber({ service: 'tg', country: 'US' });
    if (!first.ok) throw new Error('not sold');
    await noteLeaseSms(t.database.db, first.value.upstreamId, t.clock.now());
    await pool().finish(first.value.upstreamId);
    const ended = t.clock.now().getTime();
    t.clock.advance(10 * MINUTE + 5_000);
    const second = await pool().buyNumber({ service: 'wa', country: 'US' });
    if (!second.ok) throw new Error('not sold again');
    const [gateway] = await t.database.db.select({ id: gateways.id, name: gateways.name }).from(gateways).where(eq(gateways.name, 'farm'));
    // Stamped 10 s before the first lease's cooling ended (15 s before the second began), delivered now.
    const stamped = new Date(ended + 10 * MINUTE - 10_000);
    await receiveGatewaySms(ctxOf(t), t.orders.activations, gateway as { id: string; name: string }, {
      receiver: { device: 'dev', sim: 1 },
      sender: 'Telegram',
      text: 'Telegram code 424242',
      receivedAt: stamped,
    });
    const [message] = await t.database.db.select({ lease: gatewayMessages.leaseId }).from(gatewayMessages);
    expect(message?.lease).toBe(first.value.upstreamId);
    expect(await leaseForMessage(t.database.db, t.config, await numberIdOf(t), stamped)).toMatchObject({ id: first.value.upstreamId });
    // Stamped after the first lease's cooling, a little before the second began: the second's.
    const justBefore = new Date(t.clock.now().getTime() - 3_000);
    expect(await leaseForMessage(t.database.db, t.config, await numberIdOf(t), justBefore)).toMatchObject({ id: second.value.upstreamId });
  });
});

async function numberIdOf(t: TestApp): Promise<string> {
  const [row] = await t.database.db.select({ id: poolNumbers.id }).from(poolNumbers).where(isNull(poolNumbers.removedAt));
  return row?.id as string;
}

describe('providers add refuses the pool', () => {
  it('kind pool and the name pool are made by gateways add only', async () => {
    const t = await createTestApp();
    try {
      const run = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
      const kind = await run('providers', 'add', '--kind', 'pool', '--name', 'mine', '--base-url', 'https://x.example', '--api-key', 'k');
      expect(kind.stderr).toContain('`otpbox gateways add` creates it');
      const name = await run(
        'providers',
        'add',
        '--kind',
        'sms-activate',
        '--name',
        'pool',
        '--base-url',
        'https://x.example',
        '--api-key',
        'k',
      );
      expect(name.stderr).toContain('"pool" is reserved');
    } finally {
      await t.close();
    }
  });
});
