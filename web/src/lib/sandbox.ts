// Whether this server's sandbox sells its fictional numbers, and the demo credits an account may hold
// (GET /api/v1/sandbox, public, asked once per page load). Demo credits pay for sandbox numbers only.

import { useEffect, useState } from 'react';
import { api } from './api.ts';

export interface SandboxInfo {
  sells: boolean;
  demoCredits: { cap: number };
}

const NONE: SandboxInfo = { sells: false, demoCredits: { cap: 0 } };

let probe: Promise<SandboxInfo> | undefined;
const listeners = new Set<(info: SandboxInfo) => void>();

export function sandboxInfo(): Promise<SandboxInfo> {
  probe ??= api<SandboxInfo>('/sandbox').then(
    (info) => info,
    () => {
      probe = undefined; // offline, or an older server: ask again next time
      return NONE;
    },
  );
  return probe;
}

/** The server refused demo credits after all (a real provider was added): stop offering them. */
export function demoCreditsRefused(): void {
  probe = Promise.resolve(NONE);
  for (const listener of listeners) listener(NONE);
}

export function useSandbox(): SandboxInfo {
  const [info, setInfo] = useState<SandboxInfo>(NONE);
  useEffect(() => {
    let live = true;
    void sandboxInfo().then((value) => {
      if (live) setInfo(value);
    });
    listeners.add(setInfo);
    return () => {
      live = false;
      listeners.delete(setInfo);
    };
  }, []);
  return info;
}

/** Whether demo credits are handed out here: the sandbox sells, and accounts may hold some. */
export function useDemoCredits(): boolean {
  const { sells, demoCredits } = useSandbox();
  return sells && demoCredits.cap > 0;
}

export function resetSandboxForTests(): void {
  probe = undefined;
}
