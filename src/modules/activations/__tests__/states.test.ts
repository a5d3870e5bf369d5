import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { eventsOutsideTheTable } from '../../../../test/support/order-trail.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { activationEvents, activations } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { DomainError } from '../../../lib/errors.ts';
import {
  ACTIVATION_STATUSES,
  type ActivationStatus,
  allows,
  IN_PLACE_EVENTS,
  INITIAL_STATUS,
  isOpen,
  isTerminal,
  OPEN_STATUSES,
  OPEN_WITH_NUMBER,
  publicStatus,
  TRANSITIONS,
} from '../states.ts';
import { lockActivationRow } from '../store.ts';
import { recordTransition, recordTransitionIfUnchanged } from '../transition.ts';

const exits = (status: ActivationStatus) => Object.keys(TRANSITIONS[status]) as ActivationStatus[];

describe('the order state table', () => {
  it('reaches every status from the initial one', () => {
    const reached = new Set<ActivationStatus>([INITIAL_STATUS]);
    const queue: ActivationStatus[] = [INITIAL_STATUS];
    for (let status = queue.shift(); status; status = queue.shift()) {
      for (const next of exits(status)) {
        if (reached.has(next)) continue;
        reached.add(next);
        queue.push(next);
      }
    }
    expect([...reached].sort()).toEqual([...ACTIVATION_STATUSES].sort());
  });

  it('has exactly the open statuses with exits: an ended order never changes status again', () => {
    for (const status of ACTIVATION_STATUSES)
      expect({ status, terminal: isTerminal(status) }).toEqual({ status, terminal: !isOpen(status) });
    expect(ACTIVATION_STATUSES.filter(isTerminal)).toEqual(['completed', 'cancelled', 'expired', 'failed']);
    for (const status of ACTIVATION_STATUSES.filter(isTerminal)) {
      for (const to of ACTIVATION_STATUSES) if (to !== status) expect(allows(status, to, 'anything')).toBe(false);
    }
  });

  it('gives every move at least one event, never to the same status, and no status an exit back to the initial one', () => {
    for (const from of ACTIVATION_STATUSES) {
      for (const [to, events] of Object.entries(TRANSITIONS[from]) as [ActivationStatus, readonly string[]][]) {
        expect(to).not.toBe(from);
        expect(to).not.toBe(INITIAL_STATUS);
        expect(events.length).toBeGreaterThan(0);
        for (const event of events) expect(allows(from, to, event)).toBe(true);
      }
    }
  });

  it('allows what the code does, and refuses the rest', () => {
    expect(allows('requesting', 'waiting', 'number_assigned')).toBe(true);
    expect(allows('waiting', 'cancelled', 'ended_by_provider')).toBe(true);
    expect(allows('waiting', 'expired', 'ended_by_provider')).toBe(true);
    expect(allows('received', 'completed', 'finished')).toBe(true);
    expect(allows('received', 'received', 'retry_requested')).toBe(true);
    expect(allows('failed', 'failed', 'upstream_reconciled')).toBe(true);
    // A move the table has, made by another event; an event in place where the table has none.
    expect(allows('received', 'completed', 'cancelled')).toBe(false);
    expect(allows('waiting', 'completed', 'finished')).toBe(false);
    expect(allows('waiting', 'waiting', 'retry_requested')).toBe(false);
    expect(allows('requesting', 'requesting', 'sms_received')).toBe(false);
    expect(IN_PLACE_EVENTS.requesting).toEqual([]);
  });

  it('names the open orders that have a number, and shows `requesting` as `waiting`', () => {
    expect(OPEN_WITH_NUMBER.every((status) => isOpen(status))).toBe(true);
    expect(OPEN_STATUSES.filter((status) => !(OPEN_WITH_NUMBER as readonly string[]).includes(status))).toEqual([INITIAL_STATUS]);
    expect(ACTIVATION_STATUSES.map(publicStatus)).toEqual([
      'waiting',
      'waiting',
      'received',
      'completed',
      'cancelled',
      'expired',
      'failed',
    ]);
  });
});

describe('the database spells the same sets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
  });
  afterAll(() => t?.close());

  /** Every list of quoted words in a piece of SQL: `in ('a', 'b')` as written, `ANY (ARRAY['a'::text, …])` as PostgreSQL shows it. */
  const quotedLists = (text: string) =>
    [...text.matchAll(/(?:\bin\s*\(|ARRAY\[)([^)\]]*)[)\]]/gi)].map((match) =>
      [...(match[1] ?? '').matchAll(/'([a-z_]+)'/g)].map((word) => word[1]).sort(),
    );

  it("migration 0010's open-order count counts the open statuses, in its function and in each of its triggers", async () => {
    const [fn] = await queryRows<{ src: string }>(
      t.database.db,
      sql`select prosrc as src from pg_proc where proname = 'otpbox_count_open_orders'`,
    );
    const triggers = await queryRows<{ name: string; def: string }>(
      t.database.db,
      sql`select tgname as name, pg_get_triggerdef(oid) as def from pg_trigger
          where tgrelid = 'activations'::regclass and tgname like 'activations_open_count_%' order by tgname`,
    );
    expect(triggers.map((trigger) => trigger.name)).toEqual([
      'activations_open_count_delete',
      'activations_open_count_insert',
      'activations_open_count_update',
    ]);
    const lists = [...quotedLists(fn?.src ?? ''), ...triggers.flatMap((trigger) => quotedLists(trigger.def))];
    // Two in the function; one in the insert and delete triggers, two in the update trigger.
    expect(lists).toHaveLength(6);
    for (const list of lists) expect(list).toEqual([...OPEN_STATUSES].sort());
  });

  it('the partial indexes of open orders and of polled orders cover the same sets', async () => {
    const indexes = await queryRows<{ name: string; def: string }>(
      t.database.db,
      sql`select indexname as name, indexdef as def from pg_indexes
          where tablename = 'activations' and indexname in ('activations_open_expiry_idx', 'activations_poll_idx') order by indexname`,
    );
    expect(indexes.map((index) => [index.name, quotedLists(index.def)])).toEqual([
      ['activations_open_expiry_idx', [[...OPEN_STATUSES].sort()]],
      ['activations_poll_idx', [[...OPEN_WITH_NUMBER].sort()]],
    ]);
  });

  it('refuses a move the table does not have, before writing anything', async () => {
    const user = await fundedActor(t, 1000);
    const a = api(t, user);
    const order = (await a.order()).json();
    const events = async () =>
      (await t.database.db.select().from(activationEvents).where(eq(activationEvents.activationId, order.id))).length;
    const before = await events();
    const refused = transaction(t.database.db, async (tx) => {
      const row = await lockActivationRow(tx, order.id);
      if (!row) throw new Error('the order is gone');
      return recordTransition(tx, t.clock.now(), row, { type: 'finished', to: 'completed', actor: 'customer' });
    });
    await expect(refused).rejects.toThrow(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', details: { from: 'waiting', to: 'completed', event: 'finished' } });
    const [row] = await t.database.db.select().from(activations).where(eq(activations.id, order.id));
    if (!row) throw new Error('the order is gone');
    await expect(
      recordTransitionIfUnchanged(t.database.db, t.clock.now(), row, { type: 'number_assigned', to: 'waiting', actor: 'provider' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      recordTransitionIfUnchanged(t.database.db, t.clock.now(), row, { type: 'retry_requested', actor: 'customer' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await events()).toBe(before);
    expect((await a.get(order.id)).json().status).toBe('waiting');
    expect(await eventsOutsideTheTable(t.database.db)).toEqual([]);
  });
});
