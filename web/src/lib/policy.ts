import { api } from './api.ts';
import { useLoad } from './hooks.ts';
import type { Policy } from './types.ts';

let loading: Promise<Policy> | undefined;

/** The current privacy policy: its version is what sign-up and consent send back. Read once per visit. */
export function loadPolicy(signal?: AbortSignal): Promise<Policy> {
  loading ??= api<Policy>('/privacy/policy', { signal }).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** After the server refused an outdated version: read it again. */
export function forgetPolicy(): void {
  loading = undefined;
}

export type AccountKind = Policy['accountKinds'][number];
const BOTH: readonly AccountKind[] = ['email', 'device'];

/** Which accounts a newcomer can open here (the policy says; both while it loads, as the server decides anyway). */
export function useAccountKinds(): { email: boolean; device: boolean } {
  const policy = useLoad(loadPolicy, []);
  const kinds = policy.data?.accountKinds ?? BOTH;
  return { email: kinds.includes('email'), device: kinds.includes('device') };
}
