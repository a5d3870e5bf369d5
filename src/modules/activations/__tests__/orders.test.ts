import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { baseUrlOf, openStream } from '../../../../test/support/sse.ts';
import { queryRows } from '../../../db/client.ts';
import { idempotencyKeys } from '../../../db/schema/index.ts';
import { fail, ok, type ProviderPort, type Result } from '../../../provider-clients/port.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
});
afterAll(() => t?.close());

describe('Idempotency-Key', () => {
  it('returns the original order for the same key and body, and holds only once', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const first = await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'order-1' });
    expect(first.statusCode).toBe(201);
    const again = await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'order-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect((await a.list()).json().activations).toHaveLength(1);
    expect((await a.balance()).held).toBe(first.json().price);
  });

  it('refuses the same key with another body (422), and a key still in flight (409)', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'order-2' });
    const other = await a.order({ service: 'wa', country: 'ID' }, { 'idempotency-key': 'order-2' });
    expect(other.statusCode).toBe(422);
    expect(code(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    // The first request with this key is still running (its row says in_flight, for the same body).
    const hash = createHash('sha256')
      .update(JSON.stringify(['tg', 'ID', null]))
      .digest('hex');
    await t.database.db
      .insert(idempotencyKeys)
      .values({ accountId: user.accountId, key: 'order-3', requestHash: hash, status: 'in_flight', createdAt: t.clock.now() });
    const inFlight = await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'order-3' });
    expect(inFlight.statusCode).toBe(409);
    expect(code(inFlight)).toBe('IDEMPOTENCY_KEY_IN_USE');
  });

  it('frees the key when nothing happened, so the same request succeeds after a top-up', async () => {
    const user = await fundedActor(t, 0);
    const a = api(t, user);
    expect((await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'after-top-up' })).statusCode).toBe(402);
    const { grantCredits } = await import('../../ledger/index.ts');
    const { ctxOf } = await import('../../../../test/support/actors.ts');
    await grantCredits(ctxOf(t, 'cli'), {
      accountId: user.accountId,
      amount: 500,
      reason: 'top-up',
      idempotencyKey: `topup:${user.accountId}`,
    });
    expect((await a.order({ service: 'tg', country: 'ID' }, { 'idempotency-key': 'after-top-up' })).statusCode).toBe(201);
  });
});

describe('abuse limits', () => {
  it(`answers 429 TOO_MANY_ACTIVE past MAX_ACTIVE_ACTIVATIONS open orders`, async () => {
    const limited = await createTestApp({ env: { MAX_ACTIVE_ACTIVATIONS: '2', ORDER_RATE_LIMIT: '0' }, database: t.database });
    try {
      const user = await fundedActor(limited, 1000);
      const a = api(limited, user);
      expect((await a.order()).statusCode).toBe(201);
      expect((await a.order()).statusCode).toBe(201);
      const third = await a.order();
      expect(third.statusCode).toBe(429);
      expect(code(third)).toBe('TOO_MANY_ACTIVE');
      const price = limited.orders.activations.catalog.offers('tg', 'ID')[0]?.price ?? 0;
      expect(await a.balance()).toEqual({ available: 1000 - 2 * price, held: 2 * price });
    } finally {
      await limited.app.close();
      await limited.orders.close();
    }
  });

  it('stops a runaway script: orders per minute, then a pause after mostly-cancelled orders', async () => {
    const limited = await createTestApp({
      env: { ORDER_RATE_LIMIT: '3', CANCEL_THROTTLE_MIN_ORDERS: '3', CANCEL_THROTTLE_PERCENT: '75' },
      database: t.database,
    });
    try {
      const user = await fundedActor(limited, 10_000);
      const a = api(limited, user);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await a.order()).json().id);
      const fourth = await a.order();
      expect(fourth.statusCode).toBe(429);
      expect(code(fourth)).toBe('ORDER_RATE_LIMITED');
      expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
      limited.clock.advance(121_000);
      for (const id of ids) expect((await a.action(id, 'cancel')).statusCode).toBe(200);
      const paused = await a.order();
      expect(paused.statusCode).toBe(429);
      expect(paused.json().error.message).toMatch(/cancelled 3 of your last 3 orders/);
    } finally {
      await limited.app.close();
      await limited.orders.close();
    }
  });
});

describe('ephemeral SMS storage', () => {
  it('never writes the SMS text to the database, shows it live, and keeps that an SMS arrived', async () => {
    const eph = await createTestApp({ env: { SMS_STORAGE: 'ephemeral', ORDER_RATE_LIMIT: '0' }, database: t.database });
    try {
      const user = await fundedActor(eph, 1000);
      const a = api(eph, user);
      const order = (await a.order()).json();
      const secret = 'Telegram code: 90817 — UNIQUE-EPHEMERAL-MARKER';
      expect((await a.sms(order.id, secret)).json()).toEqual({ outcome: 'charged' });
      const live = (await a.get(order.id)).json();
      expect(live.sms).toMatchObject([{ code: '90817', text: secret }]);
      await a.action(order.id, 'finish');
      eph.clock.advance(120_000);
      eph.orders.activations.ephemeral.sweep(eph.clock.now().getTime());
      const ended = (await a.get(order.id)).json();
      expect(ended.sms).toMatchObject([{ code: '90817', text: null, receivedAt: expect.any(String) }]);

      const tables = await queryRows<{ table_name: string }>(
        eph.database.db,
        sql`select table_name from information_schema.tables where table_schema = 'public'`,
      );
      for (const { table_name } of tables) {
        const rows = await queryRows<{ row: string }>(eph.database.db, sql`select t::text as row from ${sql.identifier(table_name)} t`);
        expect(
          rows.some((r) => r.row.includes('UNIQUE-EPHEMERAL-MARKER')),
          table_name,
        ).toBe(false);
      }
    } finally {
      await eph.app.close();
      await eph.orders.close();
    }
  });
});

describe('providers that fail', () => {
  const stub = (name: string, buy: () => Promise<Result<{ upstreamId: string; phone: string }>>): ProviderPort => ({
    name,
    kind: 'sms-activate',
    fetchOffers: async () => ok({ currency: 'USD', offers: [{ service: 'tg', country: 'FR', cost: 500_000, count: 10 }] }),
    buyNumber: buy,
    checkStatus: async () => ok({ state: 'waiting', sms: [] }),
    requestAnotherSms: async () => ok(undefined),
    finish: async () => ok(undefined),
    cancel: async () => fail('early_cancel', 'too early'),
    getBalance: async () => ok({ currency: 'USD', amount: 0 }),
  });

  it('fails over to the next provider with the same price, and fails cleanly when none can sell', async () => {
    const app = await createTestApp({ env: { SANDBOX: 'off', ORDER_RATE_LIMIT: '0' }, database: t.database });
    try {
      let calls = 0;
      app.orders.activations.catalog
        .register(
          stub('first', async () => {
            calls++;
            return fail('no_numbers', 'sold out just now');
          }),
          { priority: 1 },
        )
        .register(
          stub('second', async () => {
            calls++;
            return ok({ upstreamId: '777', phone: '+33612345678' });
          }),
          { priority: 2 },
        );
      await app.orders.activations.catalog.refresh(app.clock.now());
      const user = await fundedActor(app, 1000);
      const order = await api(app, user).order({ service: 'tg', country: 'FR' });
      expect(order.statusCode).toBe(201);
      expect(order.json()).toMatchObject({ phone: '+33612345678', sandbox: false, price: 50 });
      expect(calls).toBe(2);
    } finally {
      await app.app.close();
      await app.orders.close();
    }
  });

  it('answers 503 PROVIDER_UNAVAILABLE and charges nothing when providers are down', async () => {
    const app = await createTestApp({ env: { SANDBOX: 'off', ORDER_RATE_LIMIT: '0' }, database: t.database });
    try {
      app.orders.activations.catalog.register(
        stub('down', async () => fail('unavailable', 'connection refused')),
        { priority: 1 },
      );
      await app.orders.activations.catalog.refresh(app.clock.now());
      const user = await fundedActor(app, 1000);
      const a = api(app, user);
      const response = await a.order({ service: 'tg', country: 'FR' });
      expect(response.statusCode).toBe(503);
      expect(code(response)).toBe('PROVIDER_UNAVAILABLE');
      expect(await a.balance()).toEqual({ available: 1000, held: 0 });
      const failed = (await a.list('?status=failed')).json().activations;
      expect(failed).toHaveLength(1);
    } finally {
      await app.app.close();
      await app.orders.close();
    }
  });
});

describe('live events (SSE)', () => {
  it('push the code the moment it arrives, and resume from Last-Event-ID', async () => {
    const base = await baseUrlOf(t);
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const order = (await a.order()).json();

    const stream = await openStream(base, { authorization: user.bearer });
    await a.sms(order.id, 'Telegram code: 61234');
    await stream.waitFor((events) => events.some((e) => e.event === 'sms.received'));
    const received = stream.events;
    expect(received.find((e) => e.event === 'sms.received')?.data).toMatchObject({ activationId: order.id, code: '61234', late: false });
    await stream.waitFor(
      (events) => events.some((e) => e.event === 'balance.updated') && events.some((e) => e.event === 'activation.updated'),
    );
    stream.close();
    // The balance the event carries is the one the capture left, read by the statement that emitted it.
    const balanceEvent = received.find((e) => e.event === 'balance.updated');
    expect(balanceEvent?.data).toMatchObject(await a.balance());
    expect(balanceEvent?.data).toMatchObject({ available: 1000 - order.price, held: 0 });

    // Reconnect from the first event: everything after it is replayed, in order.
    const firstId = Math.min(...received.map((e) => e.id));
    const resumed = await openStream(base, { authorization: user.bearer, 'last-event-id': String(firstId) });
    await resumed.waitFor((events) => events.length >= received.length - 1);
    resumed.close();
    expect(resumed.events.map((e) => e.id)).toEqual(
      received
        .map((e) => e.id)
        .filter((id) => id > firstId)
        .sort((x, y) => x - y),
    );
    expect((await fetch(`${base}/api/v1/events`)).status).toBe(401);
  });
});
