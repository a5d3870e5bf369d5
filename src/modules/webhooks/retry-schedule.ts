const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The wait after each failed attempt: exponential, then daily, spanning about three days (70.7 h
 * before jitter) — 12 attempts in all. Each wait is stretched by up to 10 % at random, so endpoints
 * that recover from an outage are not hit by every retry at the same instant.
 */
export const RETRY_SCHEDULE_MS = [
  5 * SECOND,
  30 * SECOND,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
  24 * HOUR,
] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
const JITTER = 0.1;
/** A receiver's Retry-After is honoured up to this long. */
const MAX_RETRY_AFTER_MS = 24 * HOUR;

/** How long to wait after failed attempt number `attempts` (1-based), or null when it was the last. */
export function retryDelayMs(attempts: number, retryAfterMs: number | null = null, random: () => number = Math.random): number | null {
  const base = RETRY_SCHEDULE_MS[attempts - 1];
  if (base === undefined) return null;
  const scheduled = Math.round(base * (1 + JITTER * random()));
  return retryAfterMs === null ? scheduled : Math.max(scheduled, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}
