import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED_BYTES, writeUnderCap } from '../sse.ts';

/**
 * The cap on what an event stream queues for its client (ADR 45), on real Node streams: one whose
 * consumer never takes anything (every byte written stays queued, as for a client that stopped
 * reading once the kernel's buffers are full), and one that takes everything at once.
 */
const stalled = () =>
  new Writable({
    write(_chunk, _encoding, _done) {
      // Never done: the consumer does not read.
    },
  });
const reading = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
const event = (bytes: number) => `data: ${'x'.repeat(bytes - 8)}\n\n`;

describe('writeUnderCap', () => {
  it('writes while the queue stays under the cap, then refuses the write that would pass it and writes nothing', () => {
    const out = stalled();
    const cap = 10_000;
    let written = 0;
    while (writeUnderCap(out, event(1000), cap)) written++;
    // The consumer never finishes a write: every byte written stays queued.
    expect(written).toBe(9);
    const queued = out.writableLength;
    expect(queued).toBe(9 * 1000);
    expect(writeUnderCap(out, event(1000), cap)).toBe(false);
    expect(out.writableLength).toBe(queued);
    // Counting the chunk framing, one more event of 900 bytes would still pass the cap; a smaller one fits.
    expect(writeUnderCap(out, event(990), cap)).toBe(false);
    expect(writeUnderCap(out, event(900), cap)).toBe(true);
    expect(out.writableLength).toBeLessThanOrEqual(cap);
    out.destroy();
  });

  it('counts bytes, not characters', () => {
    const out = stalled();
    const cap = 1000;
    expect(writeUnderCap(out, 'a', cap)).toBe(true);
    // 400 two-byte characters: 800 bytes of 400 characters.
    expect(writeUnderCap(out, 'é'.repeat(400), cap)).toBe(true);
    expect(writeUnderCap(out, 'é'.repeat(100), cap)).toBe(false);
    expect(out.writableLength).toBe(801);
    out.destroy();
  });

  it('lets one event larger than the cap out when nothing waits before it, and nothing after it', () => {
    const out = stalled();
    expect(writeUnderCap(out, event(3 * MAX_QUEUED_BYTES), MAX_QUEUED_BYTES)).toBe(true);
    expect(writeUnderCap(out, event(100), MAX_QUEUED_BYTES)).toBe(false);
    out.destroy();
  });

  it('never refuses a consumer that reads, however much goes through it', () => {
    const out = reading();
    for (let i = 0; i < 1000; i++) expect(writeUnderCap(out, event(1000), MAX_QUEUED_BYTES)).toBe(true);
    expect(out.writableLength).toBe(0);
    out.destroy();
  });
});
