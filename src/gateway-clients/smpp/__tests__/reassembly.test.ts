import { describe, expect, it } from 'vitest';
import { type AddResult, type Part, Reassembler } from '../reassembly.ts';

const part = (seq: number, body: string, overrides: Partial<Part> = {}): Part => ({
  source: 'Bank',
  destination: '+447700900123',
  dataCoding: 0,
  body: Buffer.from(body),
  concatenation: { ref: 7, total: 3, seq },
  ...overrides,
});

function complete(result: AddResult) {
  if (result.kind !== 'complete') throw new Error(`expected complete, got ${result.kind}`);
  return result;
}

describe('Reassembler', () => {
  it('joins the parts in sequence order, whatever order they came in', () => {
    const reassembler = new Reassembler({ timeoutMs: 60_000 });
    expect(reassembler.add(part(3, 'C'), 0).kind).toBe('stored');
    expect(reassembler.add(part(1, 'A'), 1).kind).toBe('stored');
    const whole = complete(reassembler.add(part(2, 'B'), 2));
    expect(whole.bytes.toString()).toBe('ABC');
    expect(whole.seq).toBe(2);
    reassembler.delivered(whole.key, 3);
    expect(reassembler.pending).toBe(0);
  });

  it('keeps messages apart by source, destination, reference and total', () => {
    const reassembler = new Reassembler({ timeoutMs: 60_000 });
    const two = { ref: 7, total: 2 };
    reassembler.add(part(1, 'a', { concatenation: { ...two, seq: 1 } }), 0);
    reassembler.add(part(1, 'x', { source: 'Other', concatenation: { ...two, seq: 1 } }), 0);
    reassembler.add(part(1, 'y', { destination: '+447700900999', concatenation: { ...two, seq: 1 } }), 0);
    reassembler.add(part(1, 'z', { concatenation: { ref: 8, total: 2, seq: 1 } }), 0);
    reassembler.add(part(1, 'w', { concatenation: { ref: 7, total: 3, seq: 1 } }), 0);
    expect(reassembler.pending).toBe(5);
    expect(complete(reassembler.add(part(2, 'b', { concatenation: { ...two, seq: 2 } }), 1)).bytes.toString()).toBe('ab');
  });

  it('ignores a part seen twice, and a redelivered part of a message already delivered', () => {
    const reassembler = new Reassembler({ timeoutMs: 60_000 });
    reassembler.add(part(1, 'A'), 0);
    expect(reassembler.add(part(1, 'A'), 1).kind).toBe('duplicate');
    reassembler.add(part(2, 'B'), 2);
    const whole = complete(reassembler.add(part(3, 'C'), 3));
    reassembler.delivered(whole.key, 4);
    expect(reassembler.add(part(3, 'C'), 5).kind).toBe('duplicate');
    expect(reassembler.pending).toBe(0);
    // A new message under the same reference (other bytes) is a new message.
    expect(reassembler.add(part(1, 'X'), 6).kind).toBe('stored');
  });

  it('answers busy while the whole message is being handed over, and keeps the other parts when it is refused', () => {
    const reassembler = new Reassembler({ timeoutMs: 60_000 });
    reassembler.add(part(1, 'A'), 0);
    reassembler.add(part(3, 'C'), 0);
    const whole = complete(reassembler.add(part(2, 'B'), 1));
    expect(reassembler.add(part(2, 'B'), 2).kind).toBe('busy');
    reassembler.failed(whole.key, whole.seq);
    // The SMSC delivers the refused part again: the message completes again, with the kept parts.
    expect(complete(reassembler.add(part(2, 'B'), 3)).bytes.toString()).toBe('ABC');
  });

  it('gives up on a message whose parts did not all come within the timeout, and counts it', () => {
    const reassembler = new Reassembler({ timeoutMs: 60_000 });
    reassembler.add(part(1, 'A'), 0);
    reassembler.add(part(2, 'B'), 30_000);
    expect(reassembler.sweep(59_999)).toBe(0);
    expect(reassembler.sweep(60_000)).toBe(1);
    expect(reassembler.expired).toBe(1);
    expect(reassembler.pending).toBe(0);
    // Its last part, late, starts a new message that will never complete: nothing is delivered.
    expect(reassembler.add(part(3, 'C'), 61_000).kind).toBe('stored');
  });

  it('gives up on the oldest message beyond maxGroups', () => {
    const reassembler = new Reassembler({ timeoutMs: 60_000, maxGroups: 2 });
    for (const ref of [1, 2, 3]) reassembler.add(part(1, 'A', { concatenation: { ref, total: 2, seq: 1 } }), ref);
    expect(reassembler.pending).toBe(2);
    expect(reassembler.expired).toBe(1);
    expect(reassembler.add(part(2, 'B', { concatenation: { ref: 1, total: 2, seq: 2 } }), 10).kind).toBe('stored');
    expect(reassembler.add(part(2, 'B', { concatenation: { ref: 3, total: 2, seq: 2 } }), 10).kind).toBe('complete');
  });
});
