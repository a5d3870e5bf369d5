import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { onPostgres } from '../../../../test/support/database.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { activations } from '../../../db/schema/index.ts';
import { verifyLedger } from '../../ledger/index.ts';
import { expireDue } from '../expire.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
});
afterAll(() => t?.close());

function capturedLog() {
  const lines: { level: number; msg: string; activationId?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

const holdOf = async (id: string) =>
  (await t.database.db.select({ holdId: activations.holdId }).from(activations).where(eq(activations.id, id)))[0]?.holdId ?? null;
const setHold = (id: string, holdId: string | null) => t.database.db.update(activations).set({ holdId }).where(eq(activations.id, id));

describe('the expiry sweep ends each order in a transaction of its own', () => {
  it('an order whose release fails is logged and left for the next run; the others expire and are refunded', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const orders = [(await a.order()).json(), (await a.order()).json(), (await a.order()).json()];
    const price = orders[0].price as number;
    const broken = orders[1].id as string;
    // Its release cannot succeed: the hold it names does not exist.
    const holdId = await holdOf(broken);
    await setHold(broken, 'txn_no_such_hold');
    t.clock.advance(1200_000);

    const { log, lines } = capturedLog();
    expect(await expireDue({ ...ctxOf(t), log }, t.orders.activations, t.clock.now())).toEqual({
      expired: 2,
      completed: 0,
      failed: 0,
      skipped: 1,
    });
    expect(lines).toEqual([expect.objectContaining({ level: 50, activationId: broken, msg: expect.stringContaining('could not end') })]);
    const statuses = await Promise.all(orders.map(async (order) => (await a.get(order.id)).json().status));
    expect(statuses).toEqual(['expired', 'waiting', 'expired']);
    expect(await a.balance()).toEqual({ available: 1000 - price, held: price });

    // The next run tries it again: once its release can succeed, it expires too.
    await setHold(broken, holdId);
    expect(await expireDue(ctxOf(t), t.orders.activations, t.clock.now())).toEqual({ expired: 1, completed: 0, failed: 0, skipped: 0 });
    expect((await a.get(broken)).json().status).toBe('expired');
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
    expect((await verifyLedger(t.database.db, t.clock.now())).violations).toEqual([]);
  });

  it('more due orders than one batch are all ended in one run, past one that fails', async () => {
    const user = await fundedActor(t, 100_000);
    const a = api(t, user);
    const capped = await createTestApp({
      env: { ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '150' },
      database: t.database,
      clock: t.clock,
    });
    try {
      const b = api(capped, user);
      const ids: string[] = [];
      for (let i = 0; i < 105; i++) ids.push((await b.order()).json().id);
      const broken = ids[0] as string;
      const holdId = await holdOf(broken);
      await setHold(broken, 'txn_no_such_hold');
      t.clock.advance(1200_000);
      const counts = await expireDue({ ...ctxOf(t), log: pino({ level: 'silent' }) }, t.orders.activations, t.clock.now());
      expect(counts).toEqual({ expired: 104, completed: 0, failed: 0, skipped: 1 });
      const [open] = await queryRows<{ n: number }>(
        t.database.db,
        sql`select count(*)::int as n from activations where account_id = ${user.accountId} and status = 'waiting'`,
      );
      expect(open?.n).toBe(1);
      expect((await a.get(broken)).json().status).toBe('waiting');
      await setHold(broken, holdId);
      expect((await expireDue(ctxOf(t), t.orders.activations, t.clock.now())).expired).toBe(1);
      expect(await a.balance()).toEqual({ available: 100_000, held: 0 });
    } finally {
      await capped.app.close();
      await capped.orders.close();
    }
  });
});

/** Two sweeps, or a sweep and a customer, never end one order twice (PGlite runs one statement at a time). */
describe.skipIf(!onPostgres())('the expiry sweep beside other transactions (PostgreSQL)', () => {
  it('skips an order another transaction holds, ends the rest, and ends it on the next run', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const held = (await a.order()).json().id as string;
    const free = (await a.order()).json().id as string;
    t.clock.advance(1200_000);
    let release: () => void = () => {};
    const locked = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lockTaken: () => void = () => {};
    const taken = new Promise<void>((resolve) => {
      lockTaken = resolve;
    });
    const holder = t.database.db.transaction(async (tx) => {
      await tx.select().from(activations).where(eq(activations.id, held)).for('update');
      lockTaken();
      await locked;
    });
    await taken;
    const first = await expireDue(ctxOf(t), t.orders.activations, t.clock.now());
    release();
    await holder;
    expect(first).toEqual({ expired: 1, completed: 0, failed: 0, skipped: 0 });
    expect((await a.get(free)).json().status).toBe('expired');
    expect((await a.get(held)).json().status).toBe('waiting');
    expect(await expireDue(ctxOf(t), t.orders.activations, t.clock.now())).toEqual({ expired: 1, completed: 0, failed: 0, skipped: 0 });
    expect((await a.get(held)).json().status).toBe('expired');
  });
});
