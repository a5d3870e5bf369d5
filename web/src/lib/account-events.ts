// The account's live events for pages other than the orders': the one event stream (opened by
// OrdersProvider) hands each event here too, and says when it (re)connects, since events may have
// been missed meanwhile and a page should read its state again.

type EventListener = (type: string, data: unknown) => void;

const eventListeners = new Set<EventListener>();
const openListeners = new Set<() => void>();

/** Called with every event of the stream; returns the way to stop. */
export function onAccountEvent(listener: EventListener): () => void {
  eventListeners.add(listener);
  return () => eventListeners.delete(listener);
}

/** Called each time the stream (re)connects. */
export function onLiveOpen(listener: () => void): () => void {
  openListeners.add(listener);
  return () => openListeners.delete(listener);
}

export function publishAccountEvent(type: string, data: unknown): void {
  for (const listener of eventListeners) listener(type, data);
}

export function publishLiveOpen(): void {
  for (const listener of openListeners) listener();
}
