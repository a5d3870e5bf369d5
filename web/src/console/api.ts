// The console's one way to the otpbox API: the staff session cookie only. Unlike the customer app it
// never sends this browser's device token (a device account signed in on the same browser must not
// stand in for the staff member). Every POST is JSON, even an empty one (the server's CSRF defence).

import { c } from '../i18n/console-en.ts';

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const signedOut = new Set<() => void>();

/** Called when the API says the staff session is gone (expired, ended, or without its second factor). */
export function onSignedOut(listener: () => void): () => void {
  signedOut.add(listener);
  return () => signedOut.delete(listener);
}

export async function api<T>(
  path: string,
  options: { method?: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (method === 'POST') headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, {
      method,
      headers,
      body: method === 'POST' ? JSON.stringify(options.body ?? {}) : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', c.errors.network);
  }
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => null)) as { error?: { code: string; message: string; requestId?: string } } | null;
  if (!response.ok) {
    const error = json?.error
      ? new ApiError(response.status, json.error.code, json.error.message, json.error.requestId)
      : new ApiError(response.status, `HTTP_${response.status}`, c.errors.unexpected);
    if (error.code === 'UNAUTHENTICATED' || error.code === 'TWO_FACTOR_REQUIRED') for (const listener of signedOut) listener();
    throw error;
  }
  return json as T;
}

export const errorText = (error: unknown): string => (error instanceof ApiError ? error.message : c.errors.unexpected);
