// Countdowns (expiry, the early-cancel window) compare the server's timestamps with this device's
// clock. Phones can be minutes off, so the offset is learnt from the Date header of API answers; it
// has one-second precision, so offsets under two seconds are taken as noise and ignored.

let offsetMs = 0;

export function noteServerDate(header: string | null, receivedAt = Date.now()): void {
  if (!header) return;
  const server = Date.parse(header);
  if (Number.isNaN(server)) return;
  const offset = receivedAt - server;
  offsetMs = Math.abs(offset) < 2_000 ? 0 : offset;
}

/** What time it is on the server, as far as we can tell. */
export function serverNow(localNow = Date.now()): number {
  return localNow - offsetMs;
}
