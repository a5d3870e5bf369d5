import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { BALANCE_CHANNEL } from '../../db/channels.ts';
import { transaction } from '../../db/tx.ts';
import { expireDue } from '../../modules/activations/index.ts';
import {
  balancesOf,
  grantCredits,
  holdCredits,
  onLocalBalanceChange,
  releaseHold,
  reverseTransfer,
  voidDemoCredits,
} from '../../modules/ledger/index.ts';
import type { AnyEvent, EventBus } from '../../runtime/event-bus.ts';

/**
 * GET /api/v1/me is answered from memory (issue 15, ADR 22), and the balance it shows is exact the
 * moment a change commits: on this instance as soon as the changing call returns, on another instance
 * as soon as the database's notification arrives.
 */
let t: TestApp;
/** What the order cache of the app hears of events announced anywhere (captured to announce by hand). */
const orderEventListeners: ((event: AnyEvent) => void)[] = [];
beforeAll(async () => {
  t = await createTestApp({
    env: { ORDER_RATE_LIMIT: '0', SANDBOX_DEMO_CREDITS: '1000' },
    wrapEvents: (bus: EventBus): EventBus => ({
      ...bus,
      onAnyEvent(listener) {
        orderEventListeners.push(listener);
        return bus.onAnyEvent(listener);
      },
    }),
  });
});
afterAll(() => t?.close());

const meOf = async (app: TestApp, user: Actor) => {
  const response = await app.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: user.bearer } });
  expect(response.statusCode).toBe(200);
  return response.json().balance as { available: number; held: number; demo: { available: number; held: number } };
};
/** The balances as the ledger has them, shown as /me shows them. */
const ledgerOf = async (user: Actor) => {
  const { credits, demo } = await balancesOf(t.database.db, user.accountId);
  return { available: credits.available, held: credits.held, demo: { available: demo.available, held: demo.held } };
};
/** /me (read just before, so a cache that missed the change would answer from memory) equals the ledger. */
const expectExact = async (app: TestApp, user: Actor) => expect(await meOf(app, user)).toEqual(await ledgerOf(user));
/** Every notification committed so far has arrived (PostgreSQL delivers them in the order of their commits). */
async function notificationsDelivered() {
  const marker = `marker-${Math.random().toString(36).slice(2)}`;
  const heard = new Promise<void>((resolve) => {
    const stop = t.orders.events.onBalanceChange((accountId) => {
      if (accountId !== marker) return;
      stop();
      resolve();
    });
  });
  await t.database.db.execute(sql`select pg_notify(${BALANCE_CHANNEL}, ${marker})`);
  await heard;
}
const topUp = (user: Actor, amount: number) =>
  t.app.inject({ method: 'POST', url: '/api/v1/sandbox/credits', headers: { authorization: user.bearer }, payload: { amount } });

describe('GET /api/v1/me on this instance', () => {
  it('shows the ledger’s balance right after every hold, capture, release, top-up and void', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    await expectExact(t, user);

    // Hold (an order placed), then capture (a code arrived).
    const captured = (await a.order()).json();
    await expectExact(t, user);
    expect((await meOf(t, user)).held).toBe(captured.price);
    await a.sms(captured.id, 'Telegram code: 31337');
    await expectExact(t, user);

    // Release by cancelling.
    const cancelled = (await a.order()).json();
    await meOf(t, user);
    t.clock.advance(200_000);
    expect((await a.action(cancelled.id, 'cancel')).statusCode).toBe(200);
    await expectExact(t, user);

    // Release by expiry (a job, not a request of the customer's).
    await a.order();
    await meOf(t, user);
    t.clock.advance(3_600_000);
    await expireDue(ctxOf(t), t.orders.activations, t.clock.now());
    await expectExact(t, user);
    expect((await meOf(t, user)).held).toBe(0);

    // Top-ups: credits granted from the command line, demo credits by the customer.
    const grant = await grantCredits(ctxOf(t, 'cli'), {
      accountId: user.accountId,
      amount: 70,
      reason: 'test',
      idempotencyKey: `g:${user.accountId}`,
    });
    await expectExact(t, user);
    await reverseTransfer(ctxOf(t, 'cli'), { transferId: grant.transfer.id, reason: 'test', idempotencyKey: `r:${user.accountId}` });
    await expectExact(t, user);
    expect((await topUp(user, 300)).statusCode).toBe(201);
    await expectExact(t, user);
    expect((await meOf(t, user)).demo.available).toBe(300);

    // Demo credits voided.
    await voidDemoCredits(ctxOf(t, 'system'), user.accountId);
    await expectExact(t, user);
    expect((await meOf(t, user)).demo.available).toBe(0);
  });

  it('a change of one account leaves the others answered from memory', async () => {
    const user = await fundedActor(t, 100);
    const other = await fundedActor(t, 100);
    // Creating and funding `other` announced it too: its cached answer must outlive only later changes.
    await notificationsDelivered();
    await meOf(t, other);
    // Behind the cache's back (no announcement): only a drop would show it.
    await t.database.db.execute(sql`update accounts set email = 'changed-behind@example.com' where id = ${other.accountId}`);
    await grantCredits(ctxOf(t, 'cli'), { accountId: user.accountId, amount: 5, reason: 'test', idempotencyKey: `o:${user.accountId}` });
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: other.bearer } });
    expect(me.json().email).toBe(other.email);
    await expectExact(t, user);
  });
});

describe('the ledger’s announcement on this instance', () => {
  it('comes once the transaction committed, and for the wallets a capture or release names by id', async () => {
    const user = await fundedActor(t, 1000);
    const heard: string[] = [];
    const stop = onLocalBalanceChange((accountId) => heard.push(accountId));
    try {
      await transaction(t.database.db, async (tx) => {
        await grantCredits(
          { ...ctxOf(t, 'cli'), db: tx },
          { accountId: user.accountId, amount: 1, reason: 'test', idempotencyKey: `l:${user.accountId}` },
        );
        expect(heard).toEqual([]);
      });
      expect(heard).toEqual([user.accountId]);
      const held = await holdCredits(ctxOf(t), {
        accountId: user.accountId,
        amount: 10,
        expiresAt: t.clock.now(),
        reason: 'test',
        idempotencyKey: `h:${user.accountId}`,
      });
      await releaseHold(ctxOf(t), { holdId: held.transfer.id, reason: 'test', idempotencyKey: `hr:${user.accountId}` });
      expect(heard).toEqual([user.accountId, user.accountId, user.accountId]);
    } finally {
      stop();
    }
  });
});

describe('the database’s announcement', () => {
  it('names the customer whose wallet changed, on the balance channel every instance listens to', async () => {
    const user = await fundedActor(t, 0);
    const heard: string[] = [];
    const stop = t.orders.events.onBalanceChange((accountId) => heard.push(accountId));
    try {
      await grantCredits(ctxOf(t, 'cli'), { accountId: user.accountId, amount: 3, reason: 'test', idempotencyKey: `n:${user.accountId}` });
      const deadline = Date.now() + 5_000;
      while (!heard.includes(user.accountId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(heard).toContain(user.accountId);
    } finally {
      stop();
    }
  });
});

describe('the order cache', () => {
  it('keeps an account’s orders when its balance changes, and drops only the order that changed', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const first = (await a.order()).json();
    const second = (await a.order()).json();
    // The orders' own announcements have arrived: from here on, only the ones below drop anything.
    await notificationsDelivered();
    expect((await a.get(first.id)).json().price).toBe(first.price);
    expect((await a.get(second.id)).json().price).toBe(second.price);
    // Changed behind the caches' back: a poll shows it only once the order is dropped.
    await t.database.db.execute(sql`update activations set price = 987 where account_id = ${user.accountId}`);
    const announce = (event: AnyEvent) => {
      for (const listener of orderEventListeners) listener(event);
    };

    announce({ accountId: user.accountId, type: 'balance.updated' });
    expect((await a.get(first.id)).json().price).toBe(first.price);
    expect((await a.get(second.id)).json().price).toBe(second.price);

    announce({ accountId: user.accountId, type: 'activation.updated', activationId: first.id });
    expect((await a.get(first.id)).json().price).toBe(987);
    expect((await a.get(second.id)).json().price).toBe(second.price);

    // An event too large to travel whole names no order: all of the account's are dropped.
    announce({ accountId: user.accountId });
    expect((await a.get(second.id)).json().price).toBe(987);
  });
});

describe.skipIf(!onPostgres())('GET /api/v1/me on another instance (PostgreSQL)', () => {
  it('shows the ledger’s balance as soon as the notification of each change arrives', async () => {
    const other = await createTestApp({ database: t.database, clock: t.clock });
    try {
      const user = await fundedActor(t, 1000);
      const a = api(t, user);
      /** /me on the other instance, read before the change, equals the ledger within 5 s (its cache keeps an answer 10 s). */
      const change = async (step: () => Promise<unknown>) => {
        await meOf(other, user);
        await step();
        const deadline = Date.now() + 5_000;
        let shown = await meOf(other, user);
        while (JSON.stringify(shown) !== JSON.stringify(await ledgerOf(user)) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          shown = await meOf(other, user);
        }
        expect(shown).toEqual(await ledgerOf(user));
      };
      let order = { id: '', price: 0 };
      await change(async () => {
        order = (await a.order()).json();
      });
      expect((await meOf(other, user)).held).toBe(order.price);
      await change(() => a.sms(order.id, 'Telegram code: 31337'));
      let cancelled = { id: '' };
      await change(async () => {
        cancelled = (await a.order()).json();
      });
      t.clock.advance(200_000);
      await change(() => a.action(cancelled.id, 'cancel'));
      await change(() =>
        grantCredits(ctxOf(t, 'cli'), { accountId: user.accountId, amount: 9, reason: 'test', idempotencyKey: `x:${user.accountId}` }),
      );
      await change(() => topUp(user, 200));
      await change(() => voidDemoCredits(ctxOf(t, 'system'), user.accountId));
      expect((await meOf(other, user)).demo.available).toBe(0);
    } finally {
      await other.app.close();
      await other.orders.close();
    }
  });
});
