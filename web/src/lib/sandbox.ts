// Whether this server hands out demo credits: only while the sandbox is its only provider. Asking for
// 0 credits changes nothing — the endpoint, when it exists, refuses the amount (400); a server without
// a sandbox has no such endpoint (404).

import { useEffect, useState } from 'react';
import { ApiError, api } from './api.ts';

let probe: Promise<boolean> | undefined;
const listeners = new Set<(available: boolean) => void>();

export function demoCreditsAvailable(): Promise<boolean> {
  probe ??= api('/sandbox/credits', { method: 'POST', body: { amount: 0 } }).then(
    () => true,
    (error: unknown) => {
      if (error instanceof ApiError) return error.status === 400;
      probe = undefined; // offline: ask again next time
      return false;
    },
  );
  return probe;
}

/** The server refused demo credits after all (a real provider was added): stop offering them. */
export function demoCreditsRefused(): void {
  probe = Promise.resolve(false);
  for (const listener of listeners) listener(false);
}

export function useDemoCredits(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let live = true;
    void demoCreditsAvailable().then((value) => {
      if (live) setAvailable(value);
    });
    const listener = (value: boolean) => setAvailable(value);
    listeners.add(listener);
    return () => {
      live = false;
      listeners.delete(listener);
    };
  }, []);
  return available;
}

export function resetSandboxForTests(): void {
  probe = undefined;
}
