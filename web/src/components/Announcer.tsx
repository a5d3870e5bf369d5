// One polite live region for the whole app: what happens without the reader's focus being there
// (a code arrives, an order ends) is read out by screen readers.

import { useSyncExternalStore } from 'react';

let message = '';
let count = 0;
const listeners = new Set<() => void>();

export function announce(text: string): void {
  // The same words twice in a row must still be read: the counter changes the node's key.
  message = text;
  count += 1;
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export function Announcer() {
  const current = useSyncExternalStore(
    subscribe,
    () => `${count}\n${message}`,
    () => '',
  );
  const [key, text] = current.split('\n');
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true">
      <span key={key}>{text}</span>
    </div>
  );
}
