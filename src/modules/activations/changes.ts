/**
 * Raised by this process whenever an order changes (before its transaction commits), so caches on this
 * instance drop it at once; other instances hear of it through the account event's NOTIFY.
 */
type Listener = (activationId: string) => void;
const local = new Set<Listener>();

export function onLocalOrderChange(listener: Listener): () => void {
  local.add(listener);
  return () => local.delete(listener);
}

export function announceOrderChange(activationId: string): void {
  for (const listener of local) listener(activationId);
}
