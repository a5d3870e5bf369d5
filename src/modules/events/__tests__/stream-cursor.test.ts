import { describe, expect, it } from 'vitest';
import type { AccountEvent } from '../emit.ts';
import { StreamCursor } from '../stream-cursor.ts';

const event = (seq: number): AccountEvent => ({
  id: 1000 + seq,
  seq,
  accountId: 'acc_1',
  type: 'activation.updated',
  payload: { n: seq },
  createdAt: '2026-06-01T12:00:00.000Z',
});

/** A cursor over a store of committed events (1..stored), recording what it sent and what it read. */
function harness(lastSent: number, stored: number, options: { failReads?: boolean } = {}) {
  const sent: number[] = [];
  const reads: number[] = [];
  const failures: unknown[] = [];
  let store = stored;
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const cursor = new StreamCursor(lastSent, {
    read: async (afterSeq) => {
      reads.push(afterSeq);
      if (gate) await gate;
      if (options.failReads) throw new Error('database unreachable');
      return Array.from({ length: Math.max(0, store - afterSeq) }, (_, i) => event(afterSeq + i + 1));
    },
    send: (e) => sent.push(e.seq),
    fail: (error) => failures.push(error),
  });
  return {
    cursor,
    sent,
    reads,
    failures,
    commit: (n: number) => {
      store = n;
    },
    holdReads: () => {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    releaseReads: () => {
      gate = undefined;
      release?.();
    },
  };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('StreamCursor', () => {
  it('sends the next event at once, without reading, and ignores repeats', () => {
    const h = harness(0, 2);
    h.cursor.offer({ seq: 1, event: event(1) });
    h.cursor.offer({ seq: 1, event: event(1) });
    h.cursor.offer({ seq: 2, event: event(2) });
    expect(h.sent).toEqual([1, 2]);
    expect(h.reads).toEqual([]);
  });

  it('a number beyond the next (a later commit announced first): reads the gap, sends each once, in order', async () => {
    const h = harness(0, 3);
    h.cursor.offer({ seq: 3, event: event(3) });
    await settle();
    h.cursor.offer({ seq: 1, event: event(1) });
    h.cursor.offer({ seq: 2, event: event(2) });
    expect(h.sent).toEqual([1, 2, 3]);
    expect(h.reads).toEqual([0]);
  });

  it('a number announced without its event (too large to travel, or a reconnect): reads it', async () => {
    const h = harness(4, 6);
    h.cursor.offer({ seq: 6 });
    await settle();
    expect(h.sent).toEqual([5, 6]);
  });

  it('announcements during a read wait, then are sent in order without reading again when they follow on', async () => {
    const h = harness(0, 2);
    h.holdReads();
    h.cursor.offer({ seq: 2, event: event(2) });
    h.commit(4);
    h.cursor.offer({ seq: 3, event: event(3) });
    h.cursor.offer({ seq: 4, event: event(4) });
    h.releaseReads();
    await settle();
    await settle();
    expect(h.sent).toEqual([1, 2, 3, 4]);
    expect(h.reads.length).toBeGreaterThanOrEqual(1);
  });

  it('an announcement of an old number (a resync behind the stream) changes nothing', async () => {
    const h = harness(7, 7);
    h.cursor.offer({ seq: 5 });
    h.cursor.offer({ seq: 7 });
    await settle();
    expect(h.sent).toEqual([]);
    expect(h.reads).toEqual([]);
  });

  it('a read that fails ends the stream (the client resumes from its Last-Event-ID)', async () => {
    const h = harness(0, 2, { failReads: true });
    h.cursor.offer({ seq: 2, event: event(2) });
    await settle();
    expect(h.failures).toHaveLength(1);
    h.cursor.offer({ seq: 1, event: event(1) });
    expect(h.sent).toEqual([]);
  });

  it('events purged meanwhile are skipped, not waited for forever', async () => {
    const h = harness(0, 0);
    h.cursor.offer({ seq: 3 });
    await settle();
    expect(h.cursor.lastSent).toBe(3);
    h.cursor.offer({ seq: 4, event: event(4) });
    expect(h.sent).toEqual([4]);
  });
});

/**
 * A cursor whose client falls behind after `takes` events (the socket's high-water mark, as http/sse.ts
 * reports it) and catches up when told, over a store of committed events 1..stored.
 */
function slowClient(stored: number, takes: number) {
  const sent: number[] = [];
  const reads: number[] = [];
  let room = takes;
  let behind: { caughtUp: Promise<void>; settle: () => void } | undefined;
  const cursor = new StreamCursor(0, {
    read: async (afterSeq) => {
      reads.push(afterSeq);
      return Array.from({ length: Math.max(0, stored - afterSeq) }, (_, i) => event(afterSeq + i + 1));
    },
    send: (e) => {
      sent.push(e.seq);
      if (--room > 0 || behind) return;
      let settle = () => {};
      const caughtUp = new Promise<void>((resolve) => {
        settle = resolve;
      });
      behind = { caughtUp, settle };
    },
    fail: (error) => {
      throw error;
    },
    backlog: () => behind?.caughtUp,
  });
  return {
    cursor,
    sent,
    reads,
    /** The client took everything; it falls behind again after `next` more. */
    catchUp: (next: number) => {
      room = next;
      const was = behind;
      behind = undefined;
      was?.settle();
    },
  };
}

describe('StreamCursor with a client that falls behind', () => {
  it('sends nothing while the client is behind and keeps no event, then reads the rest once it caught up', async () => {
    const h = slowClient(6, 2);
    h.cursor.offer({ seq: 1, event: event(1) });
    h.cursor.offer({ seq: 2, event: event(2) });
    expect(h.sent).toEqual([1, 2]);
    // Behind: the live events are neither sent nor held; only their number is remembered.
    for (let seq = 3; seq <= 6; seq++) h.cursor.offer({ seq, event: event(seq) });
    await settle();
    expect(h.sent).toEqual([1, 2]);
    expect(h.reads).toEqual([]);
    h.catchUp(10);
    await settle();
    await settle();
    expect(h.sent).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.reads).toEqual([2]);
  });

  it('stops a replay where the client falls behind, and reads on from there once it caught up, sending each event once', async () => {
    const h = slowClient(10, 3);
    h.cursor.offer({ seq: 10 });
    await settle();
    expect(h.sent).toEqual([1, 2, 3]);
    h.catchUp(4);
    await settle();
    await settle();
    expect(h.sent).toEqual([1, 2, 3, 4, 5, 6, 7]);
    h.catchUp(100);
    await settle();
    await settle();
    expect(h.sent).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(h.reads).toEqual([0, 3, 7]);
  });

  it('ends its wait when the stream ends behind', async () => {
    const h = slowClient(5, 1);
    h.cursor.offer({ seq: 5 });
    await settle();
    expect(h.sent).toEqual([1]);
    h.cursor.end();
    h.catchUp(10);
    await settle();
    expect(h.sent).toEqual([1]);
    expect(h.reads).toEqual([0]);
  });
});
