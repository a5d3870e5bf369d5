import { api } from './api.ts';
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
