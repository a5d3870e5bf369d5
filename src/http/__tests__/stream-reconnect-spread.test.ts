import { describe, expect, it } from 'vitest';
import { createActor } from '../../../test/support/actors.ts';
import { createTestApp } from '../../../test/support/app.ts';
import { baseUrlOf, openStream } from '../../../test/support/sse.ts';
import { RECONNECT_MS, RECONNECT_SPREAD_MAX_MS, RESUMES_PER_SECOND, reconnectDelayMs } from '../sse.ts';

// ADR 53's addendum: an instance that closes tells each of its streams a reconnect delay of its own, so
// that their clients' resumes (a credential read and an events read each) do not all arrive in one second.
describe('reconnect delays of streams closed together', () => {
  it('spreads them over a second per thousand streams, at most thirty seconds more than the usual delay', () => {
    expect([RECONNECT_MS, RESUMES_PER_SECOND, RECONNECT_SPREAD_MAX_MS]).toEqual([3_000, 1_000, 30_000]);
    expect(reconnectDelayMs(1, 0.999)).toBe(3_000);
    expect(reconnectDelayMs(10, 0.999)).toBe(3_009);
    expect(reconnectDelayMs(10_000, 0)).toBe(3_000);
    expect(reconnectDelayMs(10_000, 0.5)).toBe(8_000);
    expect(reconnectDelayMs(10_000, 0.9999)).toBe(12_999);
    expect(reconnectDelayMs(100_000, 0.5)).toBe(18_000);
    expect(reconnectDelayMs(100_000, 0.9999)).toBe(32_997);
  });

  it('tells every open stream, customer and staff, a delay as the server closes, after the usual one at the start', async () => {
    const t = await createTestApp({ env: { API_RATE_LIMIT: '0' } });
    const base = await baseUrlOf(t);
    const customers = [await createActor(t), await createActor(t)];
    const admin = await createActor(t, 'admin');
    const streams = [
      ...(await Promise.all(
        customers.flatMap((c) => [openStream(base, c.auth as Record<string, string>), openStream(base, c.auth as Record<string, string>)]),
      )),
      await openStream(base, admin.auth as Record<string, string>, '/api/v1/admin/events'),
    ];
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    for (const stream of streams) await waitUntil(() => stream.retries.length === 1);
    expect(streams.map((s) => s.retries)).toEqual(streams.map(() => [RECONNECT_MS]));

    await t.close();
    await Promise.all(streams.map((s) => s.ended));
    for (const stream of streams) {
      expect(stream.retries).toHaveLength(2);
      // Four customer streams closing together: a window of 4 ms; the staff stream alone: 1 ms.
      expect(stream.retries[1]).toBeGreaterThanOrEqual(RECONNECT_MS);
      expect(stream.retries[1]).toBeLessThan(RECONNECT_MS + 4);
    }
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!done()) throw new Error('not in time');
}
