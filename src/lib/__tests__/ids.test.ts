import { describe, expect, it } from 'vitest';
import { idTime, isId, newId, requestIdMaker } from '../ids.ts';

describe('ids', () => {
  it('carries its prefix and a 26-character ULID body', () => {
    const id = newId('acc');
    expect(id).toMatch(/^acc_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(isId(id, 'acc')).toBe(true);
    expect(isId(id, 'act')).toBe(false);
    expect(isId('acc_not-an-id', 'acc')).toBe(false);
    expect(isId(42, 'acc')).toBe(false);
  });

  it('encodes its creation time', () => {
    const at = Date.parse('2026-03-04T05:06:07.089Z');
    expect(idTime(newId('txn', at)).toISOString()).toBe('2026-03-04T05:06:07.089Z');
  });

  it('sorts by creation time, also within one millisecond', () => {
    const ids = [newId('act', 1000), newId('act', 1000), newId('act', 1000), newId('act', 2000), newId('act', 2000)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses the time it is given (ids made on an injected clock carry that clock time)', () => {
    const later = newId('act', 5_000_000);
    const earlier = newId('act', 4_000_000);
    expect(idTime(earlier).getTime()).toBe(4_000_000);
    expect(earlier < later).toBe(true);
  });

  it('keeps creation order within a millisecond even when other times interleave', () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(newId('eml', 7_000_000));
      newId('req', 8_000_000 + i);
    }
    expect([...ids].sort()).toEqual(ids);
  });

  it('encodes the random part exactly as a big-integer base32 encoding would', () => {
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    const reference = (bytes: Uint8Array) => {
      let value = 0n;
      for (const byte of bytes) value = (value << 8n) | BigInt(byte);
      let out = '';
      for (let i = 0; i < 16; i++) {
        out = alphabet[Number(value & 31n)] + out;
        value >>= 5n;
      }
      return out;
    };
    for (let i = 0; i < 2000; i++) {
      const id = newId('req', 1);
      const body = id.slice(4 + 10);
      // Decode the 16 characters back to bytes and re-encode them with the reference.
      let value = 0n;
      for (const ch of body) value = (value << 5n) | BigInt(alphabet.indexOf(ch));
      const bytes = new Uint8Array(10);
      for (let b = 9; b >= 0; b--) {
        bytes[b] = Number(value & 255n);
        value >>= 8n;
      }
      expect(reference(bytes)).toBe(body);
    }
  });

  it('is unique across many ids', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('req')));
    expect(ids.size).toBe(10_000);
  });

  it('makes request ids shaped like every id, in order, unique per process and across processes', () => {
    let now = Date.parse('2026-03-04T05:06:07.089Z');
    const next = requestIdMaker(() => now);
    const first = Array.from({ length: 40 }, () => next());
    now += 1;
    const later = next();
    for (const id of [...first, later]) expect(isId(id, 'req')).toBe(true);
    expect(idTime(first[0] as string).toISOString()).toBe('2026-03-04T05:06:07.089Z');
    expect(idTime(later).toISOString()).toBe('2026-03-04T05:06:07.090Z');
    const all = [...first, later];
    expect([...all].sort()).toEqual(all);
    expect(new Set(all).size).toBe(all.length);
    // Another process (another maker) at the same millisecond makes other ids.
    const other = requestIdMaker(() => now);
    expect(other()).not.toBe(requestIdMaker(() => now)());
  });
});
