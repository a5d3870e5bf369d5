import { randomFillSync } from 'node:crypto';

/**
 * Prefixed, time-sortable ids: `acc_01jd8x…`. The prefix tells the kind of object everywhere an id
 * shows up (logs, support tickets, URLs); the body is a ULID in lower-case Crockford base32
 * (48 bits of milliseconds + 80 random bits), so ids sort by creation time and index well.
 */
export const ID_PREFIXES = {
  account: 'acc',
  activation: 'act',
  transaction: 'txn',
  request: 'req',
  instance: 'ins',
  jobRun: 'job',
  audit: 'aud',
  creditPackage: 'pkg',
  payment: 'pay',
  subscription: 'pln',
} as const;

export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES] | (string & {});
export type Id<P extends string> = `${P}_${string}`;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_BODY = /^[0-9abcdefghjkmnpqrstvwxyz]{26}$/;

/**
 * The random part of the last id made in each recent millisecond: a new id in the same millisecond
 * increments it, so ids sort in creation order even when ids on an injected clock and ids on the
 * wall clock interleave (tests, jobs). Only the last few milliseconds are remembered.
 */
const recent = new Map<number, Uint8Array>();
const RECENT_LIMIT = 64;

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters, five bits at a time (plain integers: ids are made on every request).
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  return out;
}

/** Randomness drawn in blocks: one system call per 409 ids instead of one per id. */
const pool = new Uint8Array(4096);
let poolOffset = pool.length;
function random10(): Uint8Array {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.slice(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return slice;
}

/** Increment the random part so ids made within one millisecond still sort in creation order. */
function increment(bytes: Uint8Array): Uint8Array {
  const next: Uint8Array = new Uint8Array(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] === 255) {
      next[i] = 0;
    } else {
      next[i] = (next[i] ?? 0) + 1;
      return next;
    }
  }
  return random10();
}

/** The time part of the last id made: ids come in bursts within one millisecond (every request has one). */
let lastTime = { ms: -1, encoded: '' };

export function newId<P extends IdPrefix>(prefix: P, nowMs: number = Date.now()): Id<P> {
  const previous = recent.get(nowMs);
  const random = previous ? increment(previous) : random10();
  if (previous) recent.delete(nowMs);
  recent.set(nowMs, random);
  if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value as number);
  if (lastTime.ms !== nowMs) lastTime = { ms: nowMs, encoded: encodeTime(nowMs) };
  return `${prefix}_${lastTime.encoded}${encodeRandom(random)}` as Id<P>;
}

/**
 * A maker of request ids, shaped like every id (`req_` + 26 characters: the time part, then this
 * process's own random part and a counter) but made at the cost of a counter: every request gets one,
 * and `newId`'s randomness and bookkeeping were a measurable share of a poll. Unique across instances
 * by the random part (30 bits per process), in order within a process.
 */
export function requestIdMaker(now: () => number = Date.now): () => Id<'req'> {
  const processPart = encodeRandom(random10()).slice(0, 6);
  let counter = 0;
  let ms = -1;
  let time = '';
  return () => {
    const at = now();
    if (at !== ms) {
      ms = at;
      time = encodeTime(at);
    }
    // The counter in ten base32 characters, as the time part is (50 bits: it never wraps in practice).
    return `req_${time}${processPart}${encodeTime(counter++)}` as Id<'req'>;
  };
}

export function isId<P extends string>(value: unknown, prefix: P): value is Id<P> {
  if (typeof value !== 'string' || !value.startsWith(`${prefix}_`)) return false;
  return ID_BODY.test(value.slice(prefix.length + 1));
}

/** The creation time encoded in an id. */
export function idTime(id: string): Date {
  const body = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  let ms = 0;
  for (const ch of body) ms = ms * 32 + ALPHABET.indexOf(ch);
  return new Date(ms);
}

/**
 * The smallest id of this kind made at or after `ms`: ids sort by creation time, so a date range over
 * ids is a range of their primary key (`id >= idFloor('act', from)`), read by the index.
 */
export function idFloor<P extends IdPrefix>(prefix: P, ms: number): string {
  return `${prefix}_${encodeTime(Math.max(0, Math.floor(ms)))}${'0'.repeat(16)}`;
}
