import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../../test/support/database.ts';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy.ts';
import { EVENT_CHANNEL } from '../../db/channels.ts';
import { queryRows } from '../../db/client.ts';
import { type Announcement, type EventBus, listenRetryDelayMs, startEventBus } from '../event-bus.ts';

/**
 * The listener's way back after its connection drops (issue 21: a restart of PostgreSQL). It must
 * come back within seconds every time, however often the connection dropped before, and come back
 * once: a second listener would deliver every announcement twice.
 */
describe('the listener’s retry delay', () => {
  it('grows from 250 ms and never passes 2 s', () => {
    expect([0, 1, 2, 3, 4, 10, 50].map(listenRetryDelayMs)).toEqual([250, 500, 1000, 2000, 2000, 2000, 2000]);
  });
});

describe.skipIf(!onPostgres())('a listener whose connection is cut again and again (PostgreSQL)', () => {
  let database: TestDatabase;
  let bus: EventBus;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 2 });
    bus = await startEventBus(database, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await bus?.close();
    await database?.destroy();
  });

  const listeners = async () => {
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from pg_stat_activity where application_name = 'otpbox-events' and datname = current_database()`,
    );
    return row?.n ?? 0;
  };
  const cut = () =>
    database.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'otpbox-events' and datname = current_database()`,
    );
  async function listening(timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while ((await listeners()) === 0) {
      if (Date.now() > deadline) throw new Error(`no listener ${timeoutMs} ms after the cut`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('reconnects after every cut, as quickly after the seventh as after the first, and hears each announcement once', async () => {
    const heard: Announcement[] = [];
    const unsubscribe = bus.subscribe('acc_listener_test', (announcement) => heard.push(announcement));
    try {
      await listening(5000);
      // Seven cuts: with a back-off that doubled without end and never started again, the seventh
      // reconnection would wait 16 s.
      for (let i = 0; i < 7; i++) {
        await cut();
        await new Promise((resolve) => setTimeout(resolve, 100));
        await listening(5000);
      }
      expect(await listeners()).toBe(1);
      // The connection shows before its LISTEN statements have run (one per channel): an announcement made
      // in between is not for it. Announce, with a new number each time, until one is heard.
      const deadline = Date.now() + 5000;
      for (let seq = 1; heard.length === 0 && Date.now() < deadline; seq++) {
        await database.db.execute(sql`select pg_notify(${EVENT_CHANNEL}, ${JSON.stringify({ accountId: 'acc_listener_test', seq })})`);
        const until = Date.now() + 250;
        while (heard.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Anything else in flight would have arrived with it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heard.length).toBeGreaterThan(0);
      // Each announcement heard once.
      expect(new Set(heard.map((announcement) => announcement.seq)).size).toBe(heard.length);
      expect(heard[0]).toMatchObject({ accountId: 'acc_listener_test', event: undefined });
    } finally {
      unsubscribe();
    }
  });
});

describe.skipIf(!onPostgres())('a listener whose connection goes silent without being closed (PostgreSQL)', () => {
  const PROBE_MS = 200;
  let proxy: TcpProxy;
  let database: TestDatabase;
  let bus: EventBus;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const server = new URL(process.env.TEST_DATABASE_URL as string);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    // The pool goes straight to the server; the listener's connection through the relay.
    database = await createTestDatabase({ poolMax: 2 });
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    bus = await startEventBus(proxy.ownConnectionsVia(database), log, { listenProbeMs: PROBE_MS });
  });
  afterAll(async () => {
    proxy?.restore();
    await bus?.close();
    await database?.destroy();
    await proxy?.close();
  });

  const notify = (seq: number) =>
    database.db.execute(sql`select pg_notify(${EVENT_CHANNEL}, ${JSON.stringify({ accountId: 'acc_silent_test', seq })})`);
  async function until(done: () => boolean, what: string) {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('asks a quiet connection whether it still answers, replaces it when it does not, and tells every stream and cache to catch up', async () => {
    const heard: Announcement[] = [];
    const everything: string[] = [];
    const unsubscribe = bus.subscribe('acc_silent_test', (announcement) => heard.push(announcement));
    const unsubscribeAll = bus.onAnyEvent((event) => everything.push(event.accountId));
    try {
      await notify(1);
      await until(() => heard.length === 1, 'the first announcement');

      // The network drops everything: the announcement sent now never reaches this listener.
      proxy.silence('both');
      await notify(2);
      await until(
        () => lines.some((line) => line.msg === 'PostgreSQL did not answer a statement within the deadline; resetting its connection'),
        'the probe giving up',
      );
      proxy.restore();

      // A new connection; on it, "anything may have changed" (caches start over, streams read what they missed).
      await until(() => everything.includes('*'), 'the reconnect announced');
      await notify(3);
      await until(() => heard.some((announcement) => announcement.seq === 3), 'an announcement on the new connection');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heard.map((announcement) => announcement.seq)).toEqual([1, 3]);
    } finally {
      unsubscribe();
      unsubscribeAll();
    }
  });
});
