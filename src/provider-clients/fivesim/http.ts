import { type CallOptions, type FailureKind, fail, ok, type ProviderFailure, type Result } from '../port.ts';

/**
 * One GET against the 5sim REST API, turned into a Result.
 *
 * 5sim answers errors as bare text rather than JSON, and not always with an error status: the buy
 * endpoint says `no free phones` with HTTP 200, `no product` or `order not found` come with 400,
 * `order not found` with 404 on `check`, and a bad or missing token gets 401 with an empty body
 * (5sim.net/docs; live captures quoted by other clients). So the body text is classified first and
 * the status second.
 */

export interface FivesimHttpConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

export interface FivesimRequest {
  /** Path segments after the base URL, each encoded here: `['user', 'check', '123']`. */
  segments: readonly string[];
  /** Send the bearer token (the `user/*` endpoints); the `guest/*` ones are public. */
  auth: boolean;
  query?: Readonly<Record<string, string>>;
  /** A call about one order, where a bare 404 means 5sim does not know it. */
  orderCall?: boolean;
}

/** 5sim's error texts and what they mean for us. */
const KNOWN_TEXTS: ReadonlyMap<string, FailureKind> = new Map([
  ['no free phones', 'no_numbers'],
  ['not enough user balance', 'no_balance'],
  // Rating is 5sim's cap on simultaneously open orders (5sim.net/docs#rating).
  ['not enough rating', 'rate_limited'],
  ['bad country', 'bad_country'],
  ['select country', 'bad_country'],
  ['country is incorrect', 'bad_country'],
  ['bad operator', 'bad_service'],
  ['select operator', 'bad_service'],
  ['no product', 'bad_service'],
  ['bad product', 'bad_service'],
  ['product is incorrect', 'bad_service'],
  ['server offline', 'unavailable'],
  ['order not found', 'not_found'],
  ['record not found', 'not_found'],
  ['order expired', 'already_final'],
  ['order has sms', 'already_final'],
]);

export async function fivesimGet(config: FivesimHttpConfig, request: FivesimRequest, options: CallOptions = {}): Promise<Result<unknown>> {
  const timeoutMs = options.timeoutMs ?? config.timeoutMs;
  if (options.signal?.aborted) return fail('timeout', '5sim request not sent: the caller aborted it');
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;

  const url = new URL(`${config.baseUrl}/${request.segments.map(encodeURIComponent).join('/')}`);
  for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (request.auth) headers.Authorization = `Bearer ${config.apiKey}`;
  const where = request.segments.slice(0, 2).join('/');

  try {
    // A redirect is not followed: it would carry the token to wherever it points, and 5sim only
    // redirects unknown routes to its HTML 404 page.
    const response = await fetch(url, { method: 'GET', headers, signal, redirect: 'manual' });
    const text = await response.text();
    return classify(response.status, response.headers.get('retry-after'), text, request, where, config.apiKey);
  } catch (error) {
    if (timeout.aborted) return fail('timeout', `5sim ${where}: no answer within ${timeoutMs} ms`);
    if (options.signal?.aborted) return fail('timeout', `5sim ${where}: the caller aborted the request`);
    return fail('unavailable', redact(`5sim ${where}: cannot reach the server (${describe(error)})`, config.apiKey));
  }
}

function classify(
  status: number,
  retryAfter: string | null,
  text: string,
  request: FivesimRequest,
  where: string,
  apiKey: string,
): Result<unknown> {
  const body = text.trim();
  const said = (kind: FailureKind, extra: Omit<ProviderFailure, 'kind' | 'message'> = {}) =>
    fail(kind, redact(`5sim ${where}: HTTP ${status} ${snippet(body)}`.trim(), apiKey), extra);

  if (status === 401) return said('bad_key');
  if (status === 429) {
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    return said('rate_limited', Number.isFinite(seconds) && seconds >= 0 ? { retryAfterMs: seconds * 1000 } : {});
  }
  if (status >= 300 && status < 400) return said('protocol_error');

  const known = KNOWN_TEXTS.get(unquote(body).toLowerCase());
  if (known) return said(known);

  if (status === 404 && request.orderCall) return said('not_found');
  if (status >= 500) return said('unavailable');
  if (status >= 200 && status < 300 && (body.startsWith('{') || body.startsWith('['))) {
    try {
      return ok(JSON.parse(body) as unknown);
    } catch {
      return said('protocol_error');
    }
  }
  return said('protocol_error');
}

/** Some proxies JSON-encode a bare string; `"no free phones"` means the same as without quotes. */
function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).trim() : text;
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return `${error.message}: ${cause.code}`;
  return error.message;
}

/** Failure messages end up in logs: whatever an upstream or a library echoes, the token stays out. */
export function redact(message: string, apiKey: string): string {
  return apiKey.length > 0 ? message.split(apiKey).join('[redacted]') : message;
}
