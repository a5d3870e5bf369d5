/**
 * Time-to-code as a fixed histogram (ADR 33): each rollup row counts its orders' times to code in
 * these buckets, and percentiles are read from the counts. The buckets widen roughly by half each
 * step (finer where codes usually arrive, in the first minute), so an estimate is never further from
 * the exact percentile than the width of the bucket holding it. Imports nothing: the schema and the
 * migration's SQL (`otpbox_ttc_bucket`, whose thresholds a test keeps equal to these) share it.
 */

/** The lower bound of each bucket, in seconds; the last bucket has no upper bound. */
export const TTC_BUCKET_STARTS_S = [0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900] as const;
export const TTC_BUCKETS = TTC_BUCKET_STARTS_S.length;

/** The bucket of a time to code (what the SQL function computes). */
export function ttcBucket(seconds: number): number {
  let bucket = 0;
  for (let i = 1; i < TTC_BUCKETS; i++) if (seconds >= (TTC_BUCKET_STARTS_S[i] as number)) bucket = i;
  return bucket;
}

/** Where a bucket ends: the next one's start; the open last bucket is read as ending where it starts. */
const bucketEnd = (i: number): number => (TTC_BUCKET_STARTS_S[i + 1] ?? TTC_BUCKET_STARTS_S[i]) as number;

/**
 * The `p`-th percentile (0 < p ≤ 1) of the times counted in `counts`, in whole seconds: the bucket
 * holding the nearest-rank element, interpolated linearly inside it. Null when nothing was counted.
 */
export function percentile(counts: readonly number[], p: number): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (below + n >= rank) {
      const start = TTC_BUCKET_STARTS_S[i] as number;
      const within = (rank - below) / n;
      return Math.round(start + (bucketEnd(i) - start) * within);
    }
    below += n;
  }
  return null;
}

export interface TimeToCode {
  p50: number;
  p90: number;
  p99: number;
}

export function timeToCode(counts: readonly number[]): TimeToCode | null {
  const [p50, p90, p99] = [0.5, 0.9, 0.99].map((p) => percentile(counts, p));
  return p50 === null || p90 === null || p99 === null || p50 === undefined || p90 === undefined || p99 === undefined
    ? null
    : { p50, p90, p99 };
}
