import { createHash } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { eventsOutsideTheTable } from '../../../../test/support/order-trail.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { accountEvents, activationEvents, activationSms, activations, providerTasks } from '../../../db/schema/index.ts';
import type { ProviderPort } from '../../../provider-clients/port.ts';
import { verifyLedger } from '../../ledger/index.ts';
import { expireDue } from '../expire.ts';
import { runProviderTasks } from '../provider-tasks.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
});
afterAll(() => t?.close());

const offer = () => t.orders.activations.catalog.offers('tg', 'ID')[0];
const sweep = () => expireDue(ctxOf(t), t.orders.activations, t.clock.now());

describe('creating an order', () => {
  it('holds the price, rents a fictional sandbox number, and shows it waiting with its deadlines', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const price = offer()?.price ?? 0;
    const response = await a.order();
    expect(response.statusCode).toBe(201);
    const order = response.json();
    expect(order).toMatchObject({
      id: expect.stringMatching(/^act_/),
      phone: expect.stringMatching(/^\+62\d+$/),
      service: 'tg',
      country: 'ID',
      price,
      status: 'waiting',
      sandbox: true,
      sms: [],
      receivedAt: null,
      endedAt: null,
    });
    const now = t.clock.now().getTime();
    expect(Date.parse(order.expiresAt) - now).toBe(1200_000);
    expect(Date.parse(order.cancellableAt) - now).toBe(120_000);
    expect(await a.balance()).toEqual({ available: 1000 - price, held: price });
    expect((await a.get(order.id)).json()).toEqual(order);
    const [created] = await t.database.db.select().from(activationEvents).where(eq(activationEvents.activationId, order.id));
    expect(created).toMatchObject({ type: 'created', fromStatus: 'requesting', toStatus: 'requesting', actor: 'customer' });
    expect(created?.details).toEqual({ price, held: price });
  });

  it('refuses unknown services and countries, and orders above maxPrice, without charging', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    expect(code(await a.order({ service: 'zz', country: 'ID' }))).toBe('UNKNOWN_SERVICE');
    expect(code(await a.order({ service: 'tg', country: 'XX' }))).toBe('UNKNOWN_COUNTRY');
    const above = await a.order({ service: 'tg', country: 'ID', maxPrice: 1 });
    expect(above.statusCode).toBe(409);
    expect(above.json().error).toMatchObject({ code: 'PRICE_ABOVE_MAX', details: { price: offer()?.price, maxPrice: 1 } });
    const invalid = await a.order({ service: 'tg' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.message).toContain('body.country');
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
  });

  it('refuses without enough credits (402), also a customer who never had any (a wallet is made on the way), and holds nothing', async () => {
    for (const credits of [1, 0]) {
      const user = await fundedActor(t, credits);
      const response = await api(t, user).order();
      expect(response.statusCode).toBe(402);
      expect(response.json().error).toMatchObject({
        code: 'INSUFFICIENT_CREDITS',
        details: { needed: offer()?.price, available: credits },
      });
      expect((await api(t, user).list()).json().activations).toEqual([]);
      const wallets = await queryRows<{ pending: string }>(
        t.database.db,
        sql`select pending::text from ledger_accounts where owner_account_id = ${user.accountId}`,
      );
      expect(wallets).toEqual([{ pending: '0' }]);
    }
  });

  it('refuses a restricted wallet (403) before any order limit, and holds nothing', async () => {
    const limited = await createTestApp({ env: { MAX_ACTIVE_ACTIVATIONS: '1', ORDER_RATE_LIMIT: '0' }, database: t.database });
    try {
      const user = await fundedActor(limited, 1000);
      const a = api(limited, user);
      expect((await a.order()).statusCode).toBe(201);
      expect(code(await a.order())).toBe('TOO_MANY_ACTIVE');
      await limited.database.db.execute(sql`update ledger_accounts set restricted_at = now() where owner_account_id = ${user.accountId}`);
      const refused = await a.order();
      expect(refused.statusCode).toBe(403);
      expect(code(refused)).toBe('ACCOUNT_RESTRICTED');
      expect((await a.list()).json().activations).toHaveLength(1);
      const price = offer()?.price ?? 0;
      expect(await a.balance()).toEqual({ available: 1000 - price, held: price });
    } finally {
      await limited.app.close();
      await limited.orders.close();
    }
  });

  it('says "no numbers" in words when the country has no stock, and charges nothing', async () => {
    const empty = t.orders.activations.catalog
      .all()
      .find((o) => o.count === 0 && t.orders.activations.catalog.offers(o.service, o.country).every((x) => x.count === 0));
    expect(empty, 'the sandbox catalog has an out-of-stock pair').toBeDefined();
    const user = await fundedActor(t, 10_000);
    const response = await api(t, user).order({ service: empty?.service, country: empty?.country });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('NO_NUMBERS');
    expect(response.json().error.message).toMatch(/^No numbers for .+ in .+ right now — try another country\. Nothing was charged\.$/);
    expect(await api(t, user).balance()).toEqual({ available: 10_000, held: 0 });
  });
});

describe('codes', () => {
  it('captures the hold when the first code arrives, shows it at once, and later SMS are free', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const order = (await a.order()).json();
    const delivered = await a.sms(order.id, 'Telegram code: 48213. Do not give this code to anyone.');
    expect(delivered.json()).toEqual({ outcome: 'charged' });
    const after = (await a.get(order.id)).json();
    expect(after).toMatchObject({
      status: 'received',
      sms: [{ code: '48213', text: 'Telegram code: 48213. Do not give this code to anyone.', late: false }],
    });
    expect(await a.balance()).toEqual({ available: 1000 - order.price, held: 0 });

    expect((await a.sms(order.id, 'Telegram code: 48213. Do not give this code to anyone.')).json()).toEqual({ outcome: 'duplicate' });
    expect((await a.action(order.id, 'retry')).json()).toMatchObject({ status: 'received' });
    expect((await a.sms(order.id, 'Telegram code: 77001')).json()).toEqual({ outcome: 'recorded' });
    expect((await a.get(order.id)).json().sms.map((s: { code: string }) => s.code)).toEqual(['48213', '77001']);
    expect(await a.balance()).toEqual({ available: 1000 - order.price, held: 0 });
  });

  it('withholds an SMS that arrives after an unpaid end (expiry, cancel): never charged, its code neither kept nor shown', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const expired = (await a.order()).json();
    t.clock.advance(1200_000);
    expect((await sweep()).expired).toBeGreaterThanOrEqual(1);
    expect((await a.get(expired.id)).json().status).toBe('expired');
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
    expect((await a.sms(expired.id, 'Your code is 55512')).json()).toEqual({ outcome: 'late' });
    expect((await a.get(expired.id)).json()).toMatchObject({
      status: 'expired',
      sms: [{ code: null, text: null, late: true, withheld: true }],
    });

    // Cancel as soon as it is allowed, then have the service send its code: no code for nothing.
    const cancelled = (await a.order()).json();
    t.clock.advance(t.config.cancelMinS * 1000);
    expect((await a.action(cancelled.id, 'cancel')).statusCode).toBe(200);
    expect((await a.sms(cancelled.id, 'Your Telegram code is 77123')).json()).toEqual({ outcome: 'late' });
    expect((await a.get(cancelled.id)).json()).toMatchObject({ status: 'cancelled', sms: [{ code: null, text: null, withheld: true }] });
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
    // Nor is it in the database, where an export or a later view could read it.
    const stored = await t.database.db
      .select()
      .from(activationSms)
      .where(inArray(activationSms.activationId, [expired.id, cancelled.id]));
    expect(stored.map((m) => [m.code, m.text, m.late])).toEqual([
      [null, null, true],
      [null, null, true],
    ]);
    expect(JSON.stringify(stored)).not.toMatch(/55512|77123/);
    // Its dedupe key is no plain hash of the code either (a 5-digit code is undone in a second).
    const plain = (c: string) => `wh:${createHash('sha256').update(`code:${c}`).digest('hex').slice(0, 32)}`;
    expect(stored.map((m) => m.dedupeKey)).not.toContain(plain('55512'));
    expect(stored.map((m) => m.dedupeKey)).not.toContain(plain('77123'));
    // The live event says an SMS came, not what it said.
    const events = await t.database.db.select().from(accountEvents).where(eq(accountEvents.accountId, user.accountId));
    const late = events.filter((e) => e.type === 'sms.received').map((e) => e.payload as Record<string, unknown>);
    expect(late.filter((p) => p.late)).toEqual([
      expect.objectContaining({ code: null, late: true, withheld: true }),
      expect.objectContaining({ code: null, late: true, withheld: true }),
    ]);
  });

  it('shows an SMS that arrives after a paid order was finished, and does not charge it again', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const order = (await a.order()).json();
    expect((await a.sms(order.id, 'Your code is 31337')).json()).toEqual({ outcome: 'charged' });
    expect((await a.action(order.id, 'finish')).statusCode).toBe(200);
    expect((await a.sms(order.id, 'Your code is 42424')).json()).toEqual({ outcome: 'late' });
    expect((await a.get(order.id)).json()).toMatchObject({
      status: 'completed',
      sms: [
        { code: '31337', late: false, withheld: false },
        { code: '42424', late: true, withheld: false },
      ],
    });
    expect(await a.balance()).toEqual({ available: 1000 - order.price, held: 0 });
  });

  it('a message without a code read in it is shown and charged as any first SMS: it cannot be cancelled for a refund after', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const order = (await a.order()).json();
    // A code the reader misses is still a code: a probe read "Your PIN: 12 34 56", then cancelled for its credits.
    expect((await a.sms(order.id, 'Your PIN: 12 34 56')).json()).toEqual({ outcome: 'charged' });
    expect((await a.get(order.id)).json()).toMatchObject({ status: 'received', sms: [{ code: null, text: 'Your PIN: 12 34 56' }] });
    expect(await a.balance()).toEqual({ available: 1000 - order.price, held: 0 });
    t.clock.advance(t.config.cancelMinS * 1000);
    expect((await a.action(order.id, 'cancel')).statusCode).toBe(409);
    expect(await a.balance()).toEqual({ available: 1000 - order.price, held: 0 });
  });
});

describe('cancel, finish, retry', () => {
  it('cancel is refused in the first CANCEL_MIN_S seconds with the seconds left, then gives the credits back', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const order = (await a.order()).json();
    t.clock.advance(30_000);
    const early = await a.action(order.id, 'cancel');
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toMatchObject({ code: 'EARLY_CANCEL', details: { secondsLeft: 90 } });
    expect(early.json().error.message).toMatch(/You can cancel in 90 s/);
    expect(early.headers['retry-after']).toBe('90');
    t.clock.advance(90_000);
    const cancelled = await a.action(order.id, 'cancel');
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', endedAt: expect.any(String) });
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
    expect((await a.action(order.id, 'cancel')).json().status).toBe('cancelled');
    expect(code(await a.action(order.id, 'finish'))).toBe('ACTIVATION_ENDED');
    expect(code(await a.action(order.id, 'retry'))).toBe('ACTIVATION_ENDED');
  });

  it('cancel is refused after a code; finish completes; finish and retry need a code first', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const order = (await a.order()).json();
    expect(code(await a.action(order.id, 'finish'))).toBe('NO_CODE_YET');
    expect(code(await a.action(order.id, 'retry'))).toBe('NO_CODE_YET');
    await a.sms(order.id, 'G-123456 is your Google verification code.');
    t.clock.advance(200_000);
    expect(code(await a.action(order.id, 'cancel'))).toBe('CODE_RECEIVED');
    expect((await a.action(order.id, 'finish')).json()).toMatchObject({ status: 'completed' });
    expect((await a.action(order.id, 'finish')).json()).toMatchObject({ status: 'completed' });
    expect(await a.balance()).toEqual({ available: 1000 - order.price, held: 0 });
  });

  it('tells the provider: finish and cancel tasks are queued and acknowledged by the job', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const first = (await a.order()).json();
    const second = (await a.order()).json();
    await a.sms(first.id, 'Telegram code: 11111');
    await a.action(first.id, 'finish');
    t.clock.advance(121_000);
    await a.action(second.id, 'cancel');
    const tasks = await t.database.db.select().from(providerTasks);
    expect(
      tasks
        .filter((task) => [first.id, second.id].includes(task.activationId))
        .map((task) => [task.action, task.status])
        .sort(),
    ).toEqual([
      ['cancel', 'pending'],
      ['finish', 'pending'],
    ]);
    await runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());
    const after = await t.database.db.select().from(providerTasks).where(eq(providerTasks.activationId, second.id));
    expect(after.map((task) => task.status)).toEqual(['done']);
  });

  it("another account's order is 404 for every action", async () => {
    const owner = await fundedActor(t, 1000);
    const stranger = await fundedActor(t, 1000);
    const order = (await api(t, owner).order()).json();
    for (const action of ['cancel', 'finish', 'retry'] as const)
      expect((await api(t, stranger).action(order.id, action)).statusCode).toBe(404);
    expect((await api(t, stranger).get(order.id)).statusCode).toBe(404);
    expect((await api(t, stranger).sms(order.id, 'code 12345')).statusCode).toBe(404);
  });

  it('one order is read from memory by its owner only; an unknown id is 404, a malformed one 400', async () => {
    const owner = await fundedActor(t, 1000);
    const stranger = await fundedActor(t, 1000);
    const order = (await api(t, owner).order()).json();
    // The first read fills the cache; the second is answered from it, the stranger's read must not be.
    for (let i = 0; i < 2; i++) expect((await api(t, owner).get(order.id)).json()).toMatchObject({ id: order.id, status: 'waiting' });
    expect((await api(t, stranger).get(order.id)).json().error.code).toBe('NOT_FOUND');
    expect((await api(t, owner).get(`act_${'0'.repeat(26)}`)).json().error.code).toBe('NOT_FOUND');
    const malformed = await api(t, owner).get('a'.repeat(65));
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('params.id') });
  });
});

describe('expiry sweep', () => {
  it('expires waiting orders with a refund and completes received ones, exactly once', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const waiting = (await a.order()).json();
    const received = (await a.order()).json();
    await a.sms(received.id, 'Telegram code: 22222');
    t.clock.advance(1199_000);
    await sweep();
    expect((await a.get(waiting.id)).json().status).toBe('waiting');
    expect((await a.get(received.id)).json().status).toBe('received');
    t.clock.advance(1_000);
    const due = await sweep();
    expect(due.expired).toBeGreaterThanOrEqual(1);
    expect(due.completed).toBeGreaterThanOrEqual(1);
    expect((await a.get(waiting.id)).json().status).toBe('expired');
    expect((await a.get(received.id)).json().status).toBe('completed');
    expect(await sweep()).toMatchObject({ expired: 0, completed: 0, failed: 0 });
    expect(await a.balance()).toEqual({ available: 1000 - received.price, held: 0 });
    const trail = await t.database.db.select().from(activationEvents).where(eq(activationEvents.activationId, waiting.id));
    expect(trail.map((e) => e.type)).toEqual(['created', 'number_assigned', 'expired']);
  });

  it('gives back a number bought after the sweep failed its order, and charges nothing', async () => {
    const slow = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' }, database: t.database });
    try {
      const sandbox = slow.orders.sandbox as ProviderPort;
      let upstreamId: string | undefined;
      // The buy outlives a `requesting` order: the sweep fails the order (and refunds it) meanwhile.
      const buyNumber: ProviderPort['buyNumber'] = async (request) => {
        slow.clock.advance(121_000);
        expect((await expireDue(ctxOf(slow), slow.orders.activations, slow.clock.now())).failed).toBe(1);
        const bought = await sandbox.buyNumber(request);
        if (bought.ok) upstreamId = bought.value.upstreamId;
        return bought;
      };
      const port = new Proxy(sandbox, {
        get(target, property) {
          if (property === 'name') return 'slow';
          if (property === 'buyNumber') return buyNumber;
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      slow.orders.activations.catalog.register(port, { priority: 1 });
      await slow.orders.activations.catalog.refresh(slow.clock.now());
      const user = await fundedActor(slow, 1000);
      const a = api(slow, user);

      const response = await a.order();
      expect(response.statusCode).toBe(503);
      expect(code(response)).toBe('PROVIDER_UNAVAILABLE');
      expect(await a.balance()).toEqual({ available: 1000, held: 0 });
      const [failed] = (await a.list('?status=failed')).json().activations;
      expect(failed).toMatchObject({ status: 'failed', phone: '' });
      // The number is returned to its provider, and the order's trail never shows it assigned.
      const tasks = await slow.database.db.select().from(providerTasks).where(eq(providerTasks.activationId, failed.id));
      expect(upstreamId).toBeDefined();
      expect(tasks.map((task) => [task.action, task.provider, task.upstreamId])).toEqual([['cancel', 'slow', upstreamId]]);
      const trail = await slow.database.db.select().from(activationEvents).where(eq(activationEvents.activationId, failed.id));
      expect(trail.map((e) => e.type)).toEqual(['created', 'failed']);
      expect((await verifyLedger(slow.database.db, slow.clock.now())).violations).toEqual([]);
    } finally {
      await slow.app.close();
      await slow.orders.close();
    }
  });

  it('fails and refunds an order whose process died between holding and buying', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const order = (await a.order()).json();
    // Simulate the crash: the order is back in `requesting`, as if the number never came.
    await t.database.db.update(activations).set({ status: 'requesting' }).where(eq(activations.id, order.id));
    t.clock.advance(121_000);
    expect((await sweep()).failed).toBeGreaterThanOrEqual(1);
    expect((await a.get(order.id)).statusCode).toBe(200);
    expect((await a.get(order.id)).json()).toMatchObject({ status: 'failed' });
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });
});

describe('listing', () => {
  it('lists newest first with a cursor and a status filter', async () => {
    const user = await fundedActor(t, 10_000);
    const a = api(t, user);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await a.order()).json().id);
    await a.sms(ids[1] as string, 'Telegram code: 33333');
    const page = (await a.list('?limit=2')).json();
    expect(page.activations.map((o: { id: string }) => o.id)).toEqual([ids[4], ids[3]]);
    const next = (await a.list(`?limit=2&cursor=${page.nextCursor}`)).json();
    expect(next.activations.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
    const received = (await a.list('?status=received')).json();
    expect(received.activations.map((o: { id: string }) => o.id)).toEqual([ids[1]]);
    expect((await a.list('?status=waiting,received')).json().activations).toHaveLength(5);
    const bad = await a.list('?status=paid');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('unknown status "paid"');
  });
});

describe('the ledger and the counts stay whole', () => {
  it('verify passes after all of the above', async () => {
    const report = await verifyLedger(t.database.db, t.clock.now());
    expect(report.violations).toEqual([]);
    const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from activations`);
    expect(n).toBeGreaterThan(10);
  });

  it("every account's open-order count is its number of open orders, after every kind of transition above", async () => {
    const mismatches = await queryRows<{ account_id: string; counted: number; open: number }>(
      t.database.db,
      sql`select coalesce(o.account_id, c.account_id) as account_id, coalesce(c.open, 0) as counted, coalesce(o.open, 0)::int as open
          from (select account_id, count(*) as open from activations
                where status in ('requesting', 'waiting', 'received') group by account_id) o
          full join account_order_counts c on c.account_id = o.account_id
          where coalesce(c.open, 0) <> coalesce(o.open, 0)`,
    );
    expect(mismatches).toEqual([]);
    const statuses = await queryRows<{ status: string }>(t.database.db, sql`select distinct status from activations order by status`);
    expect(statuses.map((row) => row.status)).toEqual(['cancelled', 'completed', 'expired', 'failed', 'received', 'waiting']);
    const [{ open } = { open: 0 }] = await queryRows<{ open: number }>(
      t.database.db,
      sql`select sum(open)::int as open from account_order_counts`,
    );
    expect(open).toBeGreaterThan(0);
  });

  it('every event the transitions above wrote is a move (or an in-place event) of the order state table', async () => {
    expect(await eventsOutsideTheTable(t.database.db)).toEqual([]);
    const kinds = await t.database.db.selectDistinct({ type: activationEvents.type }).from(activationEvents);
    expect(kinds.length).toBeGreaterThanOrEqual(10);
  });
});
