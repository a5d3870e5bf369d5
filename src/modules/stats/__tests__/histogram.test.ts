import { describe, expect, it } from 'vitest';
import { TTC_COLUMNS } from '../../../db/schema/index.ts';
import { percentile, TTC_BUCKET_STARTS_S, TTC_BUCKETS, timeToCode, ttcBucket } from '../histogram.ts';

/** A deterministic pseudo-random sequence (the test must fail the same way every time). */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const exact = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;

describe('time-to-code percentiles from the histogram', () => {
  it('lands in the bucket of the exact percentile (or on its boundary) for skewed, uniform and one-bucket data', () => {
    const next = random(42);
    const sets = [
      Array.from({ length: 5000 }, () => Math.exp(next() * Math.log(1200))), // log-uniform 1 s … 20 min
      Array.from({ length: 777 }, () => next() * 300),
      Array.from({ length: 50 }, () => 12 + next() * 2),
      [3],
    ];
    for (const times of sets) {
      const counts = TTC_BUCKET_STARTS_S.map(() => 0);
      for (const s of times) counts[ttcBucket(s)] = (counts[ttcBucket(s)] ?? 0) + 1;
      const sorted = [...times].sort((a, b) => a - b);
      for (const p of [0.5, 0.9, 0.99]) {
        const estimate = percentile(counts, p) as number;
        const truth = exact(sorted, p);
        const bucket = ttcBucket(truth);
        const start = TTC_BUCKET_STARTS_S[bucket] as number;
        const end = TTC_BUCKET_STARTS_S[bucket + 1] ?? start;
        expect(estimate, `p${p * 100} of ${times.length}: exact ${truth}`).toBeGreaterThanOrEqual(Math.floor(start));
        expect(estimate, `p${p * 100} of ${times.length}: exact ${truth}`).toBeLessThanOrEqual(Math.ceil(end));
      }
    }
  });

  it('has no percentile without codes, and orders p50 ≤ p90 ≤ p99', () => {
    expect(timeToCode(TTC_BUCKET_STARTS_S.map(() => 0))).toBeNull();
    const counts = TTC_BUCKET_STARTS_S.map((_, i) => (i + 1) * 3);
    const ttc = timeToCode(counts);
    expect(ttc).not.toBeNull();
    expect(ttc?.p50).toBeLessThanOrEqual(ttc?.p90 ?? 0);
    expect(ttc?.p90).toBeLessThanOrEqual(ttc?.p99 ?? 0);
  });

  it('has one rollup column per bucket', () => {
    expect(TTC_COLUMNS).toHaveLength(TTC_BUCKETS);
  });

  it('puts each time in the bucket that starts at or below it', () => {
    expect(ttcBucket(0)).toBe(0);
    expect(ttcBucket(4.999)).toBe(0);
    expect(ttcBucket(5)).toBe(1);
    expect(ttcBucket(899)).toBe(14);
    expect(ttcBucket(10_000)).toBe(15);
  });
});
