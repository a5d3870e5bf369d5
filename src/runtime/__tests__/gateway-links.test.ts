import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../test/support/cli.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { baseUrlOf, type OpenStream, openStream } from '../../../test/support/sse.ts';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy.ts';
import { queryRows } from '../../db/client.ts';
import { activationSms, gatewayMessages, gateways, providerOffers, providers } from '../../db/schema/index.ts';
import { FakeSmsc } from '../../gateway-clients/smpp/__tests__/fake-smsc.ts';
import { runProviderTasks } from '../../modules/activations/index.ts';
import { type GatewayLinks, type GatewayLinksOptions, startGatewayLinks } from '../gateway-links.ts';

const LINK = { reconnectMinMs: 20, reconnectMaxMs: 50, unbindTimeoutMs: 2_000 };

/** Re-check `check` until it holds (the link and the database move on their own); the test's timeout bounds it. */
async function eventually(check: () => Promise<boolean> | boolean, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();
const udh8 = (ref: number, total: number, seq: number) => Buffer.from([0x05, 0x00, 0x03, ref, total, seq]);
const to = (number: string) => ({
  source_addr: 'Telegram',
  source_addr_ton: 5,
  destination_addr: number,
  dest_addr_ton: 1,
  dest_addr_npi: 1,
});

function linksOf(t: TestApp, retryMs = 5_000, options: Partial<GatewayLinksOptions> = {}): Promise<GatewayLinks> {
  return startGatewayLinks({
    database: t.database,
    clock: t.clock,
    config: t.config,
    keys: t.keys,
    log: t.log,
    activations: t.orders.activations,
    events: t.orders.events,
    metrics: t.metrics,
    retryMs,
    link: LINK,
    ...options,
  });
}

/** `otpbox gateways add --kind smpp` for the fake SMSC on `port`, whose system_id is `systemId` (password secret1). */
function addSmppGateway(t: TestApp, name: string, port: number, systemId: string) {
  return runOtpbox(commandContextOf(t), [
    'gateways',
    'add',
    '--kind',
    'smpp',
    '--name',
    name,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--system-id',
    systemId,
    '--password',
    'secret1',
  ]);
}

async function gatewayState(t: TestApp, name: string): Promise<string | undefined> {
  const [row] = await t.database.db.select({ state: gateways.state }).from(gateways).where(eq(gateways.name, name));
  return row?.state;
}

async function poolStock(t: TestApp): Promise<number> {
  const [row] = await t.database.db
    .select({ n: sql<number>`coalesce(sum(${providerOffers.count}), 0)::int` })
    .from(providerOffers)
    .innerJoin(providers, eq(providers.id, providerOffers.providerId))
    .where(eq(providers.name, 'pool'));
  return Number(row?.n ?? 0);
}

describe('SMPP links at run time: an aggregator SMSC, the pool and orders end to end', () => {
  let t: TestApp;
  let fake: FakeSmsc;
  let links: GatewayLinks;
  let base: string;
  let stream: OpenStream;
  let buyer: Awaited<ReturnType<typeof fundedActor>>;
  const orders: string[] = [];
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);

  beforeAll(async () => {
    fake = await new FakeSmsc({ systemId: 'otpbox', password: 'secret1' }).listen();
    t = await createTestApp({ env: { SANDBOX: 'off' } });
    base = await baseUrlOf(t);
    // Running before the gateway exists: the link starts when `gateways add` announces it.
    links = await linksOf(t);
    expect(links.held()).toEqual([]);
  });
  afterAll(async () => {
    stream?.close();
    await links?.close();
    await fake?.close();
    await t?.close();
  });

  it('`gateways add --kind smpp` starts the link at once: it binds as a receiver, the gateway is up', async () => {
    const added = await addSmppGateway(t, 'smsc', fake.port, 'otpbox');
    expect(added.code).toBe(0);
    for (const number of ['+14155550100', '+14155550101', '+14155550102'])
      expect((await otpbox('numbers', 'add', '--gateway', 'smsc', '--number', number, '--cost', '0.05')).code).toBe(0);
    await eventually(() => fake.bound !== null, 'the SMSC has a bound ESME');
    await eventually(async () => (await gatewayState(t, 'smsc')) === 'up', 'the gateway is up');
    expect(fake.binds).toEqual([{ command: 'bind_receiver', system_id: 'otpbox', password: 'secret1', interface_version: 0x34 }]);
    expect(links.held()).toEqual([{ name: 'smsc', state: 'bound' }]);
    expect(await poolStock(t)).toBeGreaterThan(0);
    expect(await t.metrics.registry.metrics()).toMatch(/otpbox_gateway_up\{gateway="smsc"[^}]*\} 1/);
  });

  it('an order on an SMPP number gets its code through a deliver_sm, live on /api/v1/events', async () => {
    await t.orders.providers.load();
    buyer = await fundedActor(t, 10_000);
    stream = await openStream(base, { authorization: buyer.bearer });
    const created = await api(t, buyer).order({ service: 'tg', country: 'US' });
    expect(created.statusCode).toBe(201);
    const order = created.json();
    orders.push(order.id);
    const status = await fake.deliver({
      ...to(order.phone.slice(1)),
      short_message: Buffer.from('Telegram code: 53127. Do not give it to anyone', 'latin1'),
    });
    expect(status).toBe(0);
    await stream.waitFor((events) => events.some((e) => e.event === 'sms.received' && e.data.activationId === order.id));
    expect(stream.events.find((e) => e.event === 'sms.received')?.data).toMatchObject({
      activationId: order.id,
      code: '53127',
      late: false,
    });
    expect((await api(t, buyer).get(order.id)).json().status).toBe('received');
  });

  it('a long UCS-2 message in UDH parts reaches its order whole', async () => {
    const created = await api(t, buyer).order({ service: 'tg', country: 'US' });
    expect(created.statusCode).toBe(201);
    const order = created.json();
    orders.push(order.id);
    const text = 'Ваш код подтверждения Telegram: 77341. Никому не сообщайте этот код, даже если его просят сотрудники Telegram.';
    const bytes = ucs2(text);
    const cuts = [bytes.subarray(0, 134), bytes.subarray(134)];
    const statuses: number[] = [];
    for (const [i, cut] of cuts.entries())
      statuses.push(
        await fake.deliver({
          ...to(order.phone.slice(1)),
          esm_class: 0x40,
          data_coding: 0x08,
          short_message: Buffer.concat([udh8(0x2a, 2, i + 1), cut]),
        }),
      );
    expect(statuses).toEqual([0, 0]);
    await stream.waitFor((events) => events.some((e) => e.event === 'sms.received' && e.data.activationId === order.id));
    const after = (await api(t, buyer).get(order.id)).json();
    expect(after.sms).toEqual([expect.objectContaining({ code: '77341' })]);
  });

  it('a redelivered deliver_sm (no message id, no time) is answered and recorded once', async () => {
    const orderId = orders[0] as string;
    const [{ phone }] = [(await api(t, buyer).get(orderId)).json()];
    const again = await fake.deliver({
      ...to(phone.slice(1)),
      short_message: Buffer.from('Telegram code: 53127. Do not give it to anyone', 'latin1'),
    });
    expect(again).toBe(0);
    const rows = await t.database.db.select().from(activationSms).where(eq(activationSms.activationId, orderId));
    expect(rows).toHaveLength(1);
    const kept = await t.database.db.select({ id: gatewayMessages.id }).from(gatewayMessages);
    expect(kept).toHaveLength(2);
    expect(stream.events.filter((e) => e.event === 'sms.received' && e.data.activationId === orderId)).toHaveLength(1);
  });

  it('the SMSC drops the link and refuses binds: the gateway goes down, its numbers out of stock; it binds again: up and in stock', async () => {
    const binds = fake.binds.length;
    // The SMSC restarts: the session is cut and binds are refused for a while.
    Object.assign(fake, { password: 'changing' });
    fake.dropAll();
    await eventually(async () => (await gatewayState(t, 'smsc')) === 'down', 'the gateway is down');
    expect(await poolStock(t)).toBe(0);
    expect(await t.metrics.registry.metrics()).toMatch(/otpbox_gateway_up\{gateway="smsc"[^}]*\} 0/);
    await t.orders.providers.load();
    expect((await api(t, buyer).order({ service: 'wa', country: 'US' })).statusCode).not.toBe(201);

    Object.assign(fake, { password: 'secret1' });
    await eventually(async () => (await gatewayState(t, 'smsc')) === 'up', 'the gateway is up again');
    expect(fake.binds.length).toBeGreaterThan(binds);
    expect(await poolStock(t)).toBeGreaterThan(0);
    expect(links.held()).toEqual([{ name: 'smsc', state: 'bound' }]);
  });

  it('`gateways remove` unbinds the link', async () => {
    for (const id of orders) expect((await api(t, buyer).action(id, 'finish')).statusCode).toBe(200);
    // The pool hears of the finish through the provider task: the numbers cool down, nothing is rented.
    await runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());
    const removed = await otpbox('gateways', 'remove', 'smsc');
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    // The SMSC counts the unbind when it reads it, and forgets the session only once the link has
    // closed the connection after unbind_resp: wait for both.
    await eventually(() => fake.unbinds === 1 && links.held().length === 0 && fake.bound === null, 'the link unbound and closed');
    expect(fake.unbinds).toBe(1);
  });
});

describe.runIf(onPostgres())('SMPP links across instances (PostgreSQL)', () => {
  let t: TestApp;
  let fake: FakeSmsc;
  const running: GatewayLinks[] = [];

  beforeAll(async () => {
    fake = await new FakeSmsc({ systemId: 'shared', password: 'secret1' }).listen();
    t = await createTestApp({ env: { SANDBOX: 'off' } });
  });
  afterAll(async () => {
    for (const links of running) await links.close();
    await fake?.close();
    await t?.close();
  });

  it('one instance binds; when it stops, another takes the link over', async () => {
    const one = await linksOf(t, 100);
    const two = await linksOf(t, 100);
    running.push(one, two);
    const added = await addSmppGateway(t, 'shared', fake.port, 'shared');
    expect(added.code).toBe(0);
    await eventually(() => fake.bound !== null, 'one instance bound');
    // Both have tried since: still one bind, one holder.
    for (let i = 0; i < 3; i++) {
      await one.refresh();
      await two.refresh();
    }
    expect(fake.binds).toHaveLength(1);
    const holders = [one, two].filter((links) => links.held().length > 0);
    expect(holders).toHaveLength(1);
    const holder = holders[0] as GatewayLinks;
    const other = holder === one ? two : one;

    await holder.close();
    expect(fake.unbinds).toBe(1);
    await eventually(
      () => other.held().some((link) => link.name === 'shared' && link.state === 'bound'),
      'the other instance holds the link',
    );
    expect(fake.binds).toHaveLength(2);
    await eventually(async () => (await gatewayState(t, 'shared')) === 'up', 'the gateway is up');
    const [row] = await t.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(gateways)
      .where(and(eq(gateways.name, 'shared'), eq(gateways.state, 'up')));
    expect(Number(row?.n)).toBe(1);
  });

  it('an instance whose lock connection dies stops its link; an instance binds again, one only', async () => {
    const holder = running.find((links) => links.held().length > 0) as GatewayLinks;
    const third = await linksOf(t, 100);
    running.push(third);
    const unbinds = fake.unbinds;
    // Only the holder's lock connection holds an advisory lock in this database: end that session, as a network cut would.
    await t.database.db.execute(
      sql`select pg_terminate_backend(l.pid) from pg_locks l where l.locktype = 'advisory' and l.database = (select oid from pg_database where datname = current_database())`,
    );
    // The holder unbinds at once (another may take the lock now); then whoever takes it binds.
    await eventually(() => fake.unbinds > unbinds, 'the holder unbound');
    await eventually(
      () => fake.bound !== null && [holder, third].some((links) => links.held().some((link) => link.state === 'bound')),
      'bound again',
    );
    for (let i = 0; i < 3; i++) for (const links of [holder, third]) await links.refresh();
    expect([holder, third].filter((links) => links.held().length > 0)).toHaveLength(1);
  });
});

describe.runIf(onPostgres())('an instance whose lock connection goes silent without being closed (PostgreSQL)', () => {
  let t: TestApp;
  let fake: FakeSmsc;
  let proxy: TcpProxy;
  let links: GatewayLinks | undefined;

  beforeAll(async () => {
    fake = await new FakeSmsc({ systemId: 'quiet', password: 'secret1' }).listen();
    t = await createTestApp({ env: { SANDBOX: 'off' } });
    const server = new URL(process.env.TEST_DATABASE_URL as string);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
  });
  afterAll(async () => {
    proxy?.restore();
    await links?.close();
    await fake?.close();
    await t?.close();
    await proxy?.close();
  });

  const advisoryLocks = async () => {
    const [row] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and a.application_name = 'otpbox-gateway-links' and a.datname = current_database()`,
    );
    return row?.n ?? 0;
  };

  it('asks the connection while it holds a link, unbinds when it does not answer, and binds again once the network is back', async () => {
    // The pool goes straight to the server; the lock connection through the relay.
    links = await linksOf(t, 100, { database: proxy.ownConnectionsVia(t.database), lockAnswerMs: 300 });
    const added = await addSmppGateway(t, 'quiet', fake.port, 'quiet');
    expect(added.code).toBe(0);
    await eventually(() => links?.held().some((link) => link.state === 'bound') === true, 'bound');
    expect(await advisoryLocks()).toBe(1);

    // The network between this instance and PostgreSQL drops everything; the SMSC is still reachable.
    proxy.silence('both');
    // Another instance may bind once PostgreSQL gives the lock up: this one unbinds first.
    await eventually(() => fake.unbinds === 1 && links?.held().length === 0, 'the holder unbound');
    // Its reset reached the relay, which closed the server's side: the lock is free.
    await eventually(async () => (await advisoryLocks()) === 0, 'the lock freed');

    proxy.restore();
    await eventually(() => links?.held().some((link) => link.state === 'bound') === true, 'bound again');
    expect(fake.binds).toHaveLength(2);
    expect(await advisoryLocks()).toBe(1);
  });
});
