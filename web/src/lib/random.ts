/**
 * Random values from crypto.getRandomValues, as hex. Unlike crypto.randomUUID, getRandomValues also
 * works when the app is opened over plain http on a local network (not a secure context).
 */
export function randomHex(bytes: number): string {
  const values = new Uint8Array(bytes);
  crypto.getRandomValues(values);
  return Array.from(values, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A random identifier (128 bits, hex). */
export const randomId = (): string => randomHex(16);
