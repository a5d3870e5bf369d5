import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, RETRY_SCHEDULE_MS, retryDelayMs } from '../retry-schedule.ts';

describe('webhook retry schedule', () => {
  it('backs off exponentially over about three days: 12 attempts, then none', () => {
    expect(MAX_ATTEMPTS).toBe(12);
    expect(RETRY_SCHEDULE_MS.map((ms) => ms / 1000)).toEqual([5, 30, 120, 600, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 86_400]);
    const hours = RETRY_SCHEDULE_MS.reduce((sum, ms) => sum + ms, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(70);
    expect(hours * 1.1).toBeLessThan(78);
    expect(retryDelayMs(MAX_ATTEMPTS)).toBeNull();
  });

  it('stretches each wait by up to 10 % (jitter), never shortens it', () => {
    expect(retryDelayMs(1, null, () => 0)).toBe(5_000);
    expect(retryDelayMs(1, null, () => 0.999)).toBe(5_500);
    expect(retryDelayMs(10, null, () => 0.5)).toBe(86_400_000 * 1.05);
  });

  it("honours a receiver's Retry-After when longer than the schedule, up to a day", () => {
    expect(retryDelayMs(1, 3_600_000, () => 0)).toBe(3_600_000);
    expect(retryDelayMs(5, 1_000, () => 0)).toBe(1_800_000);
    expect(retryDelayMs(1, 7 * 86_400_000, () => 0)).toBe(86_400_000);
    expect(retryDelayMs(MAX_ATTEMPTS, 1_000)).toBeNull();
  });
});
