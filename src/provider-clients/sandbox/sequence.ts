// Deterministic choices for the sandbox: the same inputs give the same codes, prices and stock on
// every start, with no Math.random.

/** `sequence` when it is a non-negative safe integer; a RangeError otherwise (a caller's bug). */
export function checkedSequence(sequence: number): number {
  if (!Number.isSafeInteger(sequence) || sequence < 0)
    throw new RangeError(`sandbox sequence must be a non-negative integer, got ${sequence}`);
  return sequence;
}

/** 32-bit FNV-1a: the same text always gives the same seed. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** mulberry32: a small deterministic generator of 32-bit unsigned integers. */
export function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
