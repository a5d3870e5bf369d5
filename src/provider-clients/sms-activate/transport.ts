import type { Clock } from '../../lib/clock.ts';
import { type CallOptions, fail, ok, type Result } from '../port.ts';

/**
 * The HTTP side of the protocol: one request to `/stubs/handler_api.php`, with the caller's signal
 * and our timeout, mapped to a typed failure when no usable answer comes back. What the body means
 * is not decided here.
 *
 * Privacy (P7): the only parameters that can be sent are those named in `Param`; the API key is
 * added here and nowhere else. No header of ours is set.
 */

export type Param = 'action' | 'service' | 'country' | 'maxPrice' | 'id' | 'status';
export type Params = Partial<Record<Param, string>> & { action: string };

export interface TransportOptions {
  endpoint: string;
  apiKey: string;
  method: 'GET' | 'POST';
  timeoutMs: number;
  clock: Clock;
}

export interface HttpReply {
  status: number;
  body: string;
}

/** Generous: the full getPrices of a large clone is about 1 MB. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const HANDLER_PATH = '/stubs/handler_api.php';

/** `https://host`, `https://host/`, `https://host/stubs/handler_api.php` all name the same endpoint. */
export function handlerEndpoint(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`baseUrl must be http(s): ${url.protocol}`);
  url.search = '';
  url.hash = '';
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(HANDLER_PATH) ? path : `${path}${HANDLER_PATH}`;
  return url.toString();
}

export async function send(options: TransportOptions, params: Params, call: CallOptions = {}): Promise<Result<HttpReply>> {
  const form = new URLSearchParams({ api_key: options.apiKey });
  for (const [name, value] of Object.entries(params)) if (value !== undefined) form.set(name, value);

  const timeoutMs = call.timeoutMs ?? options.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  const request: RequestInit =
    options.method === 'POST' ? { method: 'POST', body: form, signal, redirect: 'error' } : { method: 'GET', signal, redirect: 'error' };
  const url = options.method === 'POST' ? options.endpoint : `${options.endpoint}?${form.toString()}`;

  try {
    const response = await fetch(url, request);
    if (response.status === 429) {
      await response.body?.cancel();
      const retryAfterMs = retryAfter(response.headers.get('retry-after'), options.clock);
      return fail('rate_limited', 'upstream answered HTTP 429', retryAfterMs === undefined ? {} : { retryAfterMs });
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      return fail('unavailable', `upstream answered HTTP ${response.status}`);
    }
    const body = await readBody(response);
    if (body === undefined) return fail('protocol_error', `upstream answered more than ${MAX_BODY_BYTES} bytes`);
    return ok({ status: response.status, body });
  } catch (error) {
    if (timeout.aborted) return fail('timeout', `no answer within ${timeoutMs} ms`);
    if (call.signal?.aborted) return fail('timeout', 'the caller aborted the request');
    return fail('unavailable', `could not reach upstream (${networkCode(error)})`);
  }
}

async function readBody(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `Retry-After` as seconds or as an HTTP date. */
function retryAfter(header: string | null, clock: Clock): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - clock.now().getTime());
}

/** A system error code (ECONNREFUSED, ECONNRESET, …); never the error message, which may quote the URL. */
function networkCode(error: unknown): string {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return 'network error';
}
