/**
 * The phone numbers of a Twilio account, for `gateways` commands that offer them to the pool:
 * `GET {apiBase}/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json` with HTTP Basic auth
 * (Account SID : Auth Token), pages followed through `next_page_uri` (a path on the same host).
 *
 * Plain `fetch`, not the SDK's REST client (which would load the whole SDK for one list). Expected
 * failures are returned as typed results, never thrown; redirects are not followed (they would carry
 * the credentials elsewhere); the Auth Token never appears in a failure message.
 */

export const TWILIO_API_BASE = 'https://api.twilio.com';

export interface TwilioCredentials {
  /** `AC` and 32 hex digits. */
  accountSid: string;
  authToken: string;
  /** Default https://api.twilio.com; a fake server's base in tests. */
  apiBase?: string;
}

export interface TwilioFetchOptions {
  signal?: AbortSignal;
  /** Per page. Default 10 s. */
  timeoutMs?: number;
  /** Page size asked for (Twilio allows up to 1000). Default 1000. */
  pageSize?: number;
  /** Stop after this many pages, as a guard against a server that never ends. Default 50. */
  maxPages?: number;
}

export interface TwilioNumber {
  /** E.164 with the leading `+`. */
  number: string;
  /** `PN…`. */
  sid: string;
  friendlyName: string;
  /** Where Twilio sends this number's inbound SMS; null when none is set. */
  smsUrl: string | null;
}

export type TwilioFailureKind =
  /** 401/403: the Account SID or the Auth Token is wrong. */
  | 'bad_credentials'
  | 'rate_limited'
  /** Unreachable, or a 5xx. */
  | 'unavailable'
  | 'timeout'
  /** An answer we cannot read: not JSON, no `incoming_phone_numbers`, a foreign next page, too many pages. */
  | 'protocol_error';

export interface TwilioFailure {
  kind: TwilioFailureKind;
  /** For logs and operators; Twilio's own words where it gave some. Never the Auth Token. */
  message: string;
  status?: number;
}

export type TwilioResult<T> = { ok: true; value: T } | { ok: false; failure: TwilioFailure };

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
const E164 = /^\+[1-9]\d{5,14}$/;
const MAX_BODY_CHARS = 4 * 1024 * 1024;

export async function listTwilioNumbers(
  credentials: TwilioCredentials,
  options: TwilioFetchOptions = {},
): Promise<TwilioResult<TwilioNumber[]>> {
  const { accountSid, authToken } = credentials;
  if (!ACCOUNT_SID.test(accountSid)) return failed('bad_credentials', 'A Twilio Account SID is AC followed by 32 hex digits');
  if (!authToken) return failed('bad_credentials', 'A Twilio Auth Token is required');
  let base: URL;
  try {
    base = apiOrigin(credentials.apiBase ?? TWILIO_API_BASE);
  } catch (error) {
    return failed('protocol_error', (error as Error).message);
  }
  const redact = (text: string) => text.split(authToken).join('[token]');
  const authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxPages = options.maxPages ?? 50;

  const numbers: TwilioNumber[] = [];
  let next: string | null = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json?PageSize=${options.pageSize ?? 1000}`;
  for (let page = 0; next !== null; page++) {
    if (page === maxPages) return failed('protocol_error', `Twilio IncomingPhoneNumbers: more than ${maxPages} pages`);
    const url = new URL(next, base);
    if (url.origin !== base.origin)
      return failed('protocol_error', `Twilio IncomingPhoneNumbers: a next page on another host (${url.origin})`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, {
        headers: { Authorization: authorization, Accept: 'application/json' },
        signal,
        redirect: 'manual',
      });
      status = response.status;
      text = (await response.text()).slice(0, MAX_BODY_CHARS);
    } catch (error) {
      if (timeout.aborted) return failed('timeout', `Twilio IncomingPhoneNumbers: no answer within ${timeoutMs} ms`);
      if (options.signal?.aborted) return failed('timeout', 'Twilio IncomingPhoneNumbers: the caller aborted the request');
      return failed('unavailable', redact(`Twilio IncomingPhoneNumbers: cannot reach ${base.host} (${describe(error)})`));
    }
    const body = parseJson(text);
    if (status !== 200) {
      const said = errorMessage(body) ?? snippet(text);
      const message = redact(`Twilio IncomingPhoneNumbers: HTTP ${status}${said ? ` ${said}` : ''}`);
      if (status === 401 || status === 403) return failed('bad_credentials', message, status);
      if (status === 429) return failed('rate_limited', message, status);
      if (status >= 500) return failed('unavailable', message, status);
      if (status >= 300 && status < 400) return failed('protocol_error', `${message} (redirect not followed)`, status);
      return failed('protocol_error', message, status);
    }
    const list = (body as { incoming_phone_numbers?: unknown } | undefined)?.incoming_phone_numbers;
    if (!Array.isArray(list))
      return failed('protocol_error', `Twilio IncomingPhoneNumbers: no incoming_phone_numbers in ${snippet(text)}`, 200);
    for (const item of list) {
      const parsed = readNumber(item);
      if (!parsed)
        return failed(
          'protocol_error',
          `Twilio IncomingPhoneNumbers: an entry without a phone number and sid: ${snippet(JSON.stringify(item))}`,
          200,
        );
      numbers.push(parsed);
    }
    const nextUri = (body as { next_page_uri?: unknown }).next_page_uri;
    if (nextUri !== null && nextUri !== undefined && (typeof nextUri !== 'string' || !nextUri.startsWith('/'))) {
      return failed('protocol_error', `Twilio IncomingPhoneNumbers: next_page_uri is not a path: ${snippet(String(nextUri))}`, 200);
    }
    next = nextUri || null;
  }
  return { ok: true, value: numbers };
}

function readNumber(item: unknown): TwilioNumber | null {
  if (!item || typeof item !== 'object') return null;
  const { phone_number, sid, friendly_name, sms_url } = item as Record<string, unknown>;
  if (typeof phone_number !== 'string' || !E164.test(phone_number) || typeof sid !== 'string' || !sid) return null;
  return {
    number: phone_number,
    sid,
    friendlyName: typeof friendly_name === 'string' ? friendly_name : phone_number,
    smsUrl: typeof sms_url === 'string' && sms_url ? sms_url : null,
  };
}

function apiOrigin(apiBase: string): URL {
  const url = new URL(apiBase);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`The Twilio API base must be http(s), not ${url.protocol}`);
  if (url.username || url.password) throw new TypeError('The Twilio API base must not contain credentials');
  return new URL(url.origin);
}

function failed<T = never>(kind: TwilioFailureKind, message: string, status?: number): TwilioResult<T> {
  const failure: TwilioFailure = { kind, message };
  if (status !== undefined) failure.status = status;
  return { ok: false, failure };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Twilio's error body: `{code, message, more_info, status}`. */
function errorMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { message, code } = body as { message?: unknown; code?: unknown };
  if (typeof message !== 'string' || !message) return undefined;
  return `${typeof code === 'number' ? `(${code}) ` : ''}${message.slice(0, 200)}`;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
