import { describe, expect, it } from 'vitest';
import type { GatewayRow } from '../../modules/pool/index.ts';
import { type CachedGateway, GatewayCache } from '../gateway-cache.ts';

const row = (lastSeenAt: Date | null, state: GatewayRow['state'] = 'up'): GatewayRow => ({
  id: 'gw_1',
  name: 'phone',
  kind: 'android-sms-gateway',
  secretSealed: 'v1.sealed',
  settings: {},
  state,
  lastSeenAt,
  createdAt: new Date('2026-06-01T00:00:00Z'),
  removedAt: null,
});

/** A cache on a hand-moved real-time clock, and a loader that counts its calls. */
function setup(found: CachedGateway | null = { row: row(null, 'unknown'), secret: 'key-1' }) {
  let now = 1_000_000;
  const cache = new GatewayCache(1_000, () => now);
  const loads = { count: 0 };
  const load = async () => {
    loads.count++;
    return found ?? undefined;
  };
  return { cache, load, loads, advance: (ms: number) => (now += ms) };
}

describe('GatewayCache', () => {
  it('reads a gateway once per second at most, and again after its TTL', async () => {
    const { cache, load, loads, advance } = setup();
    expect((await cache.get('phone', load))?.secret).toBe('key-1');
    await cache.get('phone', load);
    advance(999);
    await cache.get('phone', load);
    expect(loads.count).toBe(1);
    advance(1);
    await cache.get('phone', load);
    expect(loads.count).toBe(2);
  });

  it('keeps no miss: a gateway added just now is found at once', async () => {
    const { cache, load, loads } = setup(null);
    expect(await cache.get('phone', load)).toBeUndefined();
    expect(await cache.get('phone', load)).toBeUndefined();
    expect(loads.count).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('forgets one gateway, or every one, when told', async () => {
    const { cache, load, loads } = setup();
    await cache.get('phone', load);
    await cache.get('other', load);
    cache.forget('phone');
    await cache.get('phone', load);
    await cache.get('other', load);
    expect(loads.count).toBe(3);
    cache.forget('*');
    expect(cache.size).toBe(0);
  });

  it('does not keep what a lookup read before a change was announced', async () => {
    const { cache, loads } = setup();
    let release: () => void = () => {};
    const slow = cache.get('phone', async () => {
      loads.count++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return { row: row(null), secret: 'old-key' };
    });
    cache.forget('phone');
    release();
    expect((await slow)?.secret).toBe('old-key');
    expect(cache.size).toBe(0);
  });

  it('notes a delivery’s write of `seen` only when the entry did not already say it (its time stays the row’s)', async () => {
    const seenAt = new Date('2026-06-01T12:00:00Z');
    const { cache, load } = setup({ row: row(seenAt), secret: 'key-1' });
    await cache.get('phone', load);
    cache.seen('phone', new Date(seenAt.getTime() + 10_000));
    expect((await cache.get('phone', load))?.row.lastSeenAt).toEqual(seenAt);
    const later = new Date(seenAt.getTime() + 31_000);
    cache.seen('phone', later);
    expect((await cache.get('phone', load))?.row).toMatchObject({ state: 'up', lastSeenAt: later });
  });
});
