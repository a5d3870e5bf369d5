import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createActor, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { onPostgres } from '../../../../test/support/database.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { connectSmsActivate } from '../../../../test/support/providers.ts';
import { grantDemoCredits, liftRestriction, restrictWallet, verifyLedger } from '../../ledger/index.ts';

/**
 * Demo credits (issue 14): the sandbox's play money is kept apart from credits in the ledger, pays for
 * sandbox numbers only, is capped per account, shown apart, and voided when the sandbox stops selling.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', SANDBOX_DEMO_CREDITS: '1000' } });
});
afterAll(() => t?.close());

const topUp = (user: Actor, amount?: number, app = t) =>
  app.app.inject({
    method: 'POST',
    url: '/api/v1/sandbox/credits',
    headers: { authorization: user.bearer },
    payload: amount === undefined ? {} : { amount },
  });
const statement = async (user: Actor) =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/ledger/statement', headers: { authorization: user.bearer } })).json().lines as {
    purse: string;
    kind: string;
    reason: string;
    change: { available: number; held: number };
  }[];

async function runVoidJob(app: TestApp) {
  const job = app.orders.jobs.find((definition) => definition.id === 'demo-credits-void');
  if (!job) throw new Error('no demo-credits-void job');
  const now = app.clock.now();
  return job.run({
    db: app.database.db,
    now,
    clock: app.clock,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    runId: 'test',
  });
}

describe('demo credits while the sandbox sells', () => {
  it('GET /api/v1/sandbox says so, publicly, with the cap', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/sandbox' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sells: true, demoCredits: { cap: 1000 } });
  });

  it('go to a demo wallet of their own, shown apart in the balance and the statement', async () => {
    const user = await createActor(t);
    const added = await topUp(user);
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ available: 0, held: 0, demo: { available: 500, held: 0 } });
    expect(await api(t, user).balances()).toEqual({ credits: { available: 0, held: 0 }, demo: { available: 500, held: 0 } });
    const [line] = await statement(user);
    expect(line).toMatchObject({ purse: 'demo', kind: 'grant', reason: 'Demo credits added (sandbox numbers only)' });
    expect(line?.change).toEqual({ available: 500, held: 0 });
  });

  it('are capped per account: a top-up beyond the cap is refused, saying how much room is left', async () => {
    const user = await createActor(t);
    expect((await topUp(user, 700)).statusCode).toBe(201);
    const over = await topUp(user, 400);
    expect(over.statusCode).toBe(409);
    expect(code(over)).toBe('DEMO_CREDITS_LIMIT');
    expect(over.json().error.details).toEqual({ cap: 1000, room: 300 });
    expect((await topUp(user, 5000)).statusCode).toBe(400);
    expect((await topUp(user, 300)).statusCode).toBe(201);
    expect(code(await topUp(user, 1))).toBe('DEMO_CREDITS_LIMIT');
    expect((await api(t, user).balances()).demo).toEqual({ available: 1000, held: 0 });
  });

  it('pay for sandbox numbers before credits, and the code spends them', async () => {
    const user = await fundedActor(t, 1000);
    await topUp(user, 100);
    const a = api(t, user);
    const order = await a.order();
    expect(order.statusCode).toBe(201);
    expect(order.json().sandbox).toBe(true);
    const price = order.json().price as number;
    expect(await a.balances()).toEqual({ credits: { available: 1000, held: 0 }, demo: { available: 100 - price, held: price } });
    expect((await a.sms(order.json().id, 'Telegram code: 12345')).json().outcome).toBe('charged');
    expect(await a.balances()).toEqual({ credits: { available: 1000, held: 0 }, demo: { available: 100 - price, held: 0 } });
    const lines = await statement(user);
    expect(lines.map((line) => [line.purse, line.kind])).toEqual([
      ['demo', 'capture'],
      ['demo', 'hold'],
      ['demo', 'grant'],
      ['credits', 'grant'],
    ]);
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });

  it('a restricted account (a staff hold, a dispute) cannot spend them either', async () => {
    const user = await createActor(t);
    expect((await topUp(user, 100)).statusCode).toBe(201);
    await restrictWallet(ctxOf(t, 'cli'), user.accountId, 'a fraud hold', { byStaff: true });
    const a = api(t, user);
    const refused = await a.order();
    expect([refused.statusCode, code(refused)]).toEqual([403, 'ACCOUNT_RESTRICTED']);
    expect(await a.balances()).toEqual({ credits: { available: 0, held: 0 }, demo: { available: 100, held: 0 } });
    await liftRestriction(ctxOf(t, 'cli'), user.accountId, 'cleared');
    expect((await a.order()).statusCode).toBe(201);
  });

  it('too few demo credits: the credits pay instead', async () => {
    const user = await fundedActor(t, 1000);
    await topUp(user, 1);
    const a = api(t, user);
    const order = await a.order();
    expect(order.statusCode).toBe(201);
    const price = order.json().price as number;
    expect(await a.balances()).toEqual({ credits: { available: 1000 - price, held: price }, demo: { available: 1, held: 0 } });
  });
});

describe('demo credits once a real provider sells', () => {
  it('never buy a real number, cannot be topped up, and are voided by a transfer that says why', async () => {
    const app = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
    const upstream = await connectSmsActivate(app, 'real-upstream').catch(async (error) => {
      await app.close();
      throw error;
    });
    try {
      // The reproduction: demo credits from while the sandbox sold, then a real provider connected.
      await app.orders.providers.reload('providers');
      const user = await createActor(app);
      const a = api(app, user);
      // Arrange demo credits as if added while the sandbox sold (it no longer does).
      await grantDemoCredits(ctxOf(app, user.accountId), {
        accountId: user.accountId,
        amount: 500,
        cap: 5000,
        idempotencyKey: 'demo-before',
      });
      expect(app.orders.activations.catalog.sandboxSells).toBe(false);

      const order = await a.order({ service: 'tg', country: 'US' });
      expect(order.statusCode).toBe(402);
      expect(code(order)).toBe('INSUFFICIENT_CREDITS');
      expect(upstream.fake.requests.filter((r) => /getNumber/.test(r.params.action ?? ''))).toEqual([]);

      const refused = await topUp(user, 100, app);
      expect(refused.statusCode).toBe(403);
      expect((await app.app.inject({ method: 'GET', url: '/api/v1/sandbox' })).json().sells).toBe(false);

      expect(await runVoidJob(app)).toEqual({ voided: 1 });
      expect(await a.balances()).toEqual({ credits: { available: 0, held: 0 }, demo: { available: 0, held: 0 } });
      const lines = (
        await app.app.inject({ method: 'GET', url: '/api/v1/ledger/statement', headers: { authorization: user.bearer } })
      ).json().lines;
      expect(lines[0]).toMatchObject({
        purse: 'demo',
        kind: 'void',
        reason: 'Demo credits voided: the sandbox no longer sells numbers here',
        change: { available: -500, held: 0 },
      });
      expect(await runVoidJob(app)).toEqual({ voided: 0 });
      expect((await verifyLedger(app.database.db, app.clock.now())).violations).toEqual([]);
    } finally {
      await upstream.close();
      await app.close();
    }
  });

  it('held by an open sandbox order when the sandbox stops: voided once the order ends', async () => {
    const app = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
    try {
      const user = await createActor(app);
      const a = api(app, user);
      await topUp(user, 200, app);
      const order = await a.order();
      expect(order.statusCode).toBe(201);
      const price = order.json().price as number;
      const upstream = await connectSmsActivate(app, 'late-upstream');
      try {
        expect(app.orders.activations.catalog.sandboxSells).toBe(false);
        await runVoidJob(app);
        expect((await a.balances()).demo).toEqual({ available: 0, held: price });
        // The order ends (cancelled after the window): its credits come back to the demo wallet, then go.
        app.clock.advance(app.config.cancelMinS * 1000);
        expect((await a.action(order.json().id, 'cancel')).statusCode).toBe(200);
        expect((await a.balances()).demo).toEqual({ available: price, held: 0 });
        expect(await runVoidJob(app)).toEqual({ voided: 1 });
        expect((await a.balances()).demo).toEqual({ available: 0, held: 0 });
      } finally {
        await upstream.close();
      }
      expect((await verifyLedger(app.database.db, app.clock.now())).violations).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!onPostgres())('demo credits under concurrency (PostgreSQL)', () => {
  it('concurrent top-ups never pass the cap', async () => {
    const user = await createActor(t);
    const answers = await Promise.all(Array.from({ length: 12 }, () => topUp(user, 100)));
    expect(answers.filter((answer) => answer.statusCode === 201)).toHaveLength(10);
    expect(answers.filter((answer) => code(answer) === 'DEMO_CREDITS_LIMIT')).toHaveLength(2);
    expect((await api(t, user).balances()).demo).toEqual({ available: 1000, held: 0 });
  });

  it('orders paid from both wallets, codes and cancellations at once: no deadlock, every credit accounted for', async () => {
    const user = await fundedActor(t, 100_000);
    await topUp(user, 1000);
    const a = api(t, user);
    const placed = await Promise.all(Array.from({ length: 16 }, () => a.order()));
    expect(placed.map((answer) => answer.statusCode)).toEqual(Array(16).fill(201));
    const ids = placed.map((answer) => answer.json().id as string);
    t.clock.advance(t.config.cancelMinS * 1000);
    // Codes, cancellations and new orders of the same account, all at once.
    const answers = await Promise.all([
      ...ids.map((id, i) => (i % 2 === 0 ? a.sms(id, `Telegram code: ${10_000 + i}`) : a.action(id, 'cancel'))),
      ...Array.from({ length: 8 }, () => a.order()),
    ]);
    expect(answers.filter((answer) => answer.statusCode >= 500)).toEqual([]);
    const report = await verifyLedger(t.database.db, t.clock.now());
    expect(report.violations).toEqual([]);
    const { credits, demo } = await a.balances();
    expect(credits.available + credits.held + demo.available + demo.held).toBeLessThan(101_000);
  });
});
