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
