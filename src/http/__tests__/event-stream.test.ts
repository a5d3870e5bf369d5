import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ctxOf, signUp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { baseUrlOf, endsWithin, type OpenStream, openStream } from '../../../test/support/sse.ts';
import { queryRows } from '../../db/client.ts';
import { createSession, listApiKeys, revokeAllSessions, revokeApiKey, suspendAccount } from '../../modules/accounts/index.ts';
import type { EventBus } from '../../runtime/event-bus.ts';

/**
 * The live event stream (issue 14): every committed event reaches every open stream of its account
 * exactly once and in order — whatever the commit order, the listener's reconnects or the instance —
 * numbered per account; heartbeats never query; and a stream ends when the access that opened it ends.
 */
const reads = { since: 0, head: 0 };
let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp({
    env: { ORDER_RATE_LIMIT: '0', API_RATE_LIMIT: '0', MAX_ACTIVE_ACTIVATIONS: '10000', SESSION_IDLE_MINUTES: '5' },
    eventHeartbeatMs: 25,
    wrapEvents: (bus: EventBus): EventBus => ({
      ...bus,
      since: (...args) => {
        reads.since++;
        return bus.since(...args);
      },
      head: (...args) => {
        reads.head++;
        return bus.head(...args);
      },
    }),
  });
  base = await baseUrlOf(t);
});
afterAll(() => t?.close());

const streams: OpenStream[] = [];
const open = async (headers: Record<string, string>) => {
  const stream = await openStream(base, headers);
  streams.push(stream);
  return stream;
};
afterAll(() => {
  for (const stream of streams) stream.close();
});

async function storedSeqs(accountId: string): Promise<{ seq: number; type: string }[]> {
  const rows = await queryRows<{ seq: string; type: string }>(
    t.database.db,
    sql`select e.seq::text as seq, e.type from account_events e where e.account_id = ${accountId} order by e.seq`,
  );
  return rows.map((row) => ({ seq: Number(row.seq), type: row.type }));
}

describe('events numbered per account', () => {
  it('start at 1 for every account, and resume after Last-Event-ID', async () => {
    const first = await fundedActor(t, 1000);
    const second = await fundedActor(t, 1000);
    const stream = await open({ authorization: first.bearer });
    await api(t, first).order();
    await api(t, second).order();
    await stream.waitFor((events) => events.length >= 2);
    expect(stream.events.map((e) => [e.id, e.event])).toEqual([
      [1, 'activation.updated'],
      [2, 'balance.updated'],
    ]);
    expect((await storedSeqs(second.accountId)).map((e) => e.seq)).toEqual([1, 2]);

    const resumed = await open({ authorization: first.bearer, 'last-event-id': '1' });
    await resumed.waitFor((events) => events.length >= 1);
    expect(resumed.events.map((e) => e.id)).toEqual([2]);
  });

  it('every committed event reaches an open stream exactly once, in order, while the account writes concurrently', async () => {
    const user = await fundedActor(t, 1_000_000);
    const stream = await open({ authorization: user.bearer });
    const a = api(t, user);
    const loops = 8;
    const perLoop = onPostgres() ? 30 : 8;
    await Promise.all(
      Array.from({ length: loops }, async () => {
        for (let i = 0; i < perLoop; i++) expect((await a.order()).statusCode).toBe(201);
      }),
    );
    const stored = await storedSeqs(user.accountId);
    expect(stored).toHaveLength(loops * perLoop * 2);
    await stream.waitFor((events) => events.length >= stored.length);
    expect(stream.events.map((e) => ({ seq: e.id, type: e.event }))).toEqual(stored);
  });

  it('heartbeats keep an idle stream open without asking the database anything', async () => {
    const user = await fundedActor(t, 1000);
    const stream = await open({ authorization: user.bearer });
    await api(t, user).order();
    await stream.waitFor((events) => events.length >= 2);
    const before = { ...reads };
    // Twenty heartbeats or so.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reads).toEqual(before);
    expect(stream.isEnded()).toBe(false);
  });
});

describe.skipIf(!onPostgres())('events across a listener reconnect (PostgreSQL)', () => {
  it('loses nothing committed while the listener was disconnected', async () => {
    const user = await fundedActor(t, 100_000);
    const stream = await open({ authorization: user.bearer });
    const a = api(t, user);
    expect((await a.order()).statusCode).toBe(201);
    await stream.waitFor((events) => events.length >= 2);
    await t.database.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'otpbox-events' and datname = current_database()`,
    );
    // Committed at once, while the listener waits to reconnect: their notifications go nowhere.
    for (let i = 0; i < 10; i++) expect((await a.order()).statusCode).toBe(201);
    const stored = await storedSeqs(user.accountId);
    // Heartbeats come every 25 ms here and never read: only the reconnect can bring these back.
    await stream.waitFor((events) => events.length >= stored.length, 8_000);
    expect(stream.events.map((e) => ({ seq: e.id, type: e.event }))).toEqual(stored);
  });
});

describe('a stream ends when the access that opened it ends', () => {
  it('an API key revoked', async () => {
    const user = await createActor(t);
    const stream = await open({ authorization: user.bearer });
    expect(stream.status).toBe(200);
    const [key] = await listApiKeys(ctxOf(t), user.accountId);
    await revokeApiKey(ctxOf(t, user.accountId), user.accountId, key?.id ?? '');
    expect(await endsWithin(stream, 5_000)).toBe(true);
  });

  it('a logout', async () => {
    const { cookie } = await signUp(t);
    const stream = await open({ cookie });
    expect(stream.status).toBe(200);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'content-type': 'application/json' },
      payload: {},
    });
    expect(logout.statusCode).toBeLessThan(300);
    expect(await endsWithin(stream, 5_000)).toBe(true);
  });

  it("a device's session revoked", async () => {
    const user = await createActor(t);
    const session = await createSession(ctxOf(t), { accountId: user.accountId, kind: 'device' });
    const stream = await open({ authorization: `Bearer ${session.token}` });
    expect(stream.status).toBe(200);
    await revokeAllSessions(ctxOf(t), user.accountId, 'test');
    expect(await endsWithin(stream, 5_000)).toBe(true);
  });

  it('a suspension', async () => {
    const user = await createActor(t);
    const stream = await open({ authorization: user.bearer });
    await suspendAccount(ctxOf(t, 'cli'), user.accountId, 'test suspension');
    expect(await endsWithin(stream, 5_000)).toBe(true);
  });

  it('a session that goes idle', async () => {
    const { cookie } = await signUp(t);
    const stream = await open({ cookie });
    expect(stream.status).toBe(200);
    t.clock.advance(6 * 60_000);
    expect(await endsWithin(stream, 5_000)).toBe(true);
  });

  it('but not while the access lasts', async () => {
    const user = await createActor(t);
    const other = await createActor(t);
    const stream = await open({ authorization: user.bearer });
    // Another account's access changes; this one's stream stays.
    await suspendAccount(ctxOf(t, 'cli'), other.accountId, 'test suspension');
    expect(await endsWithin(stream, 300)).toBe(false);
  });
});

describe.skipIf(!onPostgres())('on every instance (PostgreSQL)', () => {
  it('a key revoked on one instance ends its stream on another', async () => {
    const other = await createTestApp({ database: t.database, clock: t.clock });
    try {
      const user = await createActor(t);
      const stream = await openStream(await baseUrlOf(other), { authorization: user.bearer });
      streams.push(stream);
      expect(stream.status).toBe(200);
      const [key] = await listApiKeys(ctxOf(t), user.accountId);
      await revokeApiKey(ctxOf(t, user.accountId), user.accountId, key?.id ?? '');
      expect(await endsWithin(stream, 5_000)).toBe(true);
    } finally {
      await other.app.close();
      await other.orders.close();
    }
  });
});
