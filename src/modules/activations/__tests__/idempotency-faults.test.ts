import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { expireDue, REQUESTING_TIMEOUT_MS } from '../expire.ts';

/**
 * Idempotency across faults (issue 14): a database fault at any point of an order leaves its key
 * either unclaimed (nothing was done: a retry places the order) or naming the order (a retry answers
 * from it). A key never stays "in progress" for a day, and an order is never placed twice.
 *
 * Faults are injected in the database itself: a trigger that raises a connection failure (SQLSTATE
 * 08006) on one statement, dropped again before the retry.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '1000' } });
  await t.database.db.execute(sql`create function otpbox_test_fault() returns trigger language plpgsql as $$
    begin raise exception 'injected fault' using errcode = '08006'; end $$`);
});
afterAll(() => t?.close());

async function withFault<T>(table: string, when: string, run: () => Promise<T>): Promise<T> {
  await t.database.db.execute(
    sql.raw(`create trigger otpbox_test_fault before ${when} on ${table} for each row execute function otpbox_test_fault()`),
  );
  try {
    return await run();
  } finally {
    await t.database.db.execute(sql.raw(`drop trigger otpbox_test_fault on ${table}`));
  }
}

const ordersOf = async (accountId: string) =>
  queryRows<{ id: string; status: string }>(t.database.db, sql`select id, status from activations where account_id = ${accountId}`);

describe('an Idempotency-Key after a database fault', () => {
  it('placing the order failed: nothing was done, and the retry places it', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const key = { 'idempotency-key': 'fault-at-placement' };
    // The database fails for the order and for anything that would clean up after it.
    const failed = await withFault('idempotency_keys', 'delete', () => withFault('activations', 'insert', () => a.order(undefined, key)));
    // The database failed: 503 SERVICE_UNAVAILABLE with Retry-After, never a 500.
    expect(failed.statusCode).toBe(503);
    expect(code(failed)).toBe('SERVICE_UNAVAILABLE');
    expect(Number(failed.headers['retry-after'])).toBeGreaterThan(0);
    expect(await ordersOf(user.accountId)).toEqual([]);
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });

    const retried = await a.order(undefined, key);
    expect(retried.statusCode).toBe(201);
    expect((await ordersOf(user.accountId)).map((o) => o.id)).toEqual([retried.json().id]);
    expect(await a.balance()).toEqual({ available: 1000 - retried.json().price, held: retried.json().price });
  });

  it('the order was placed and bought, its answer not stored: the retry answers with that order, charged once', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const key = { 'idempotency-key': 'fault-at-answer' };
    const failed = await withFault('idempotency_keys', 'update', () => a.order(undefined, key));
    // The database failed: 503 SERVICE_UNAVAILABLE with Retry-After, never a 500.
    expect(failed.statusCode).toBe(503);
    expect(code(failed)).toBe('SERVICE_UNAVAILABLE');
    expect(Number(failed.headers['retry-after'])).toBeGreaterThan(0);
    const [order] = await ordersOf(user.accountId);
    expect(order?.status).toBe('waiting');

    const retried = await a.order(undefined, key);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.json()).toMatchObject({ id: order?.id, status: 'waiting', sandbox: true });
    const again = await a.order(undefined, key);
    expect(again.json()).toEqual(retried.json());
    expect(await ordersOf(user.accountId)).toHaveLength(1);
    expect((await a.balance()).held).toBe(retried.json().price);
  });

  it('the order was placed but never got its number: in progress until the sweep fails it, then that failure', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const key = { 'idempotency-key': 'fault-at-number' };
    const failed = await withFault('activations', 'update', () => a.order(undefined, key));
    // The database failed: 503 SERVICE_UNAVAILABLE with Retry-After, never a 500.
    expect(failed.statusCode).toBe(503);
    expect(code(failed)).toBe('SERVICE_UNAVAILABLE');
    expect(Number(failed.headers['retry-after'])).toBeGreaterThan(0);
    const [order] = await ordersOf(user.accountId);
    expect(order?.status).toBe('requesting');

    const early = await a.order(undefined, key);
    expect(early.statusCode).toBe(409);
    expect(code(early)).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);

    t.clock.advance(REQUESTING_TIMEOUT_MS + 1000);
    await expireDue({ ...ctxOf(t), log: pino({ level: 'silent' }) }, t.orders.activations, t.clock.now());
    const late = await a.order(undefined, key);
    expect(late.statusCode).toBe(503);
    expect(code(late)).toBe('PROVIDER_UNAVAILABLE');
    expect(late.headers['idempotent-replayed']).toBe('true');
    expect(await a.balance()).toEqual({ available: 1000, held: 0 });
    expect(await ordersOf(user.accountId)).toHaveLength(1);
  });

  it('a key used before wins over a refusal (a retry of an order that spent the credits it needed)', async () => {
    const funded = await fundedActor(t, 1000);
    const b = api(t, funded);
    const first = await b.order(undefined, { 'idempotency-key': 'spent-it-all' });
    expect(first.statusCode).toBe(201);
    // Spend the rest, so the same order could no longer be paid: the retry still gets the original.
    const price = first.json().price as number;
    for (let i = 1; i * price <= 1000 - price; i++) expect((await b.order()).statusCode).toBe(201);
    const retried = await b.order(undefined, { 'idempotency-key': 'spent-it-all' });
    expect(retried.statusCode).toBe(201);
    expect(retried.json().id).toBe(first.json().id);
  });
});
