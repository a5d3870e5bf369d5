// The one way the app talks to the otpbox API. Browsers with an e-mail account authenticate with the
// HttpOnly session cookie (same origin); the anonymous account of this browser with its device token
// as a bearer. State-changing cookie requests must be JSON (the server's CSRF defence), so every POST
// sends a JSON body, even an empty one.

import { t } from '../i18n/index.ts';
import { deviceToken } from './device.ts';
import { noteServerDate } from './server-clock.ts';

export const API = '/api/v1';

/** An answer of the API in its error envelope; `message` is written for customers and is shown as is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The request may not have reached the server (offline, connection dropped): its outcome is unknown. */
export class NetworkError extends Error {
  constructor() {
    super(t.errors.network);
    this.name = 'NetworkError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const signedOutListeners = new Set<() => void>();

/** Called whenever the API says the credentials are gone (session expired, token revoked). */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** Headers that authenticate this browser's requests (none for cookie sessions: the browser sends the cookie). */
export function authHeaders(): Record<string, string> {
  const token = deviceToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(), ...options.headers };
  let body: string | undefined;
  // Every unsafe request is JSON, a DELETE too: the server refuses any other from a signed-in browser (CSRF).
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError();
  }
  noteServerDate(response.headers.get('date'));
  if (response.status === 204) return undefined as T;
  const text = await response.text().catch(() => '');
  const json = parseJson(text);
  if (!response.ok) {
    const error = toApiError(response.status, json);
    if (error.code === 'UNAUTHENTICATED') for (const listener of signedOutListeners) listener();
    throw error;
  }
  return json as T;
}

export function toApiError(status: number, json: unknown): ApiError {
  if (isEnvelope(json)) {
    const { code, message, details, requestId } = json.error;
    return new ApiError(status, code, message, details ?? {}, requestId);
  }
  return new ApiError(status, `HTTP_${status}`, t.errors.unexpected);
}

/** The words to show for anything a request threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof NetworkError) return error.message;
  return t.errors.unexpected;
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

interface Envelope {
  error: { code: string; message: string; requestId?: string; details?: Record<string, unknown> };
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
