/**
 * A random identifier (128 bits, hex). crypto.getRandomValues, unlike crypto.randomUUID, also works
 * when the app is opened over plain http on a local network (not a secure context).
 */
export function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
