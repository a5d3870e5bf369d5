import { decimalToMicros, type FailureKind, type ProviderFailure } from '../port.ts';

/**
 * Reading what a `handler_api.php` server answers. The original protocol answers HTTP 200 with a
 * text code (`ACCESS_NUMBER:1:79…`, `NO_NUMBERS`, `WRONG_MAX_PRICE:0.25`) or JSON; HeroSMS also sends
 * errors as JSON envelopes `{title, details, info}` under 4xx statuses, and may wrap text codes in
 * JSON quotes. Everything here is pure: bytes in, a reply or a failure out.
 */

export type Reply = { type: 'text'; text: string } | { type: 'json'; value: unknown };

export function readReply(body: string): Reply {
  const trimmed = body.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(protectLongIds(trimmed));
      return typeof value === 'string' ? { type: 'text', text: value.trim() } : { type: 'json', value };
    } catch {
      return { type: 'text', text: trimmed };
    }
  }
  return { type: 'text', text: trimmed };
}

/** Activation ids can exceed 2^53 at some clones; keep them as strings so JSON.parse cannot round them. */
function protectLongIds(json: string): string {
  return json.replace(/("(?:activationId|id)"\s*:\s*)(\d{16,})(?=\s*[,}])/g, '$1"$2"');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The code word of a text reply (`WRONG_MAX_PRICE` of `WRONG_MAX_PRICE:0.25`) and what follows the first colon. */
export function splitCode(text: string): { code: string; rest: string | undefined } {
  const colon = text.indexOf(':');
  return colon < 0 ? { code: text, rest: undefined } : { code: text.slice(0, colon), rest: text.slice(colon + 1) };
}

const ERROR_KINDS: Readonly<Record<string, FailureKind>> = {
  NO_NUMBERS: 'no_numbers',
  OFFER_NOT_FOUND: 'no_numbers',
  NO_BALANCE: 'no_balance',
  NO_MONEY: 'no_balance',
  BAD_BALANCE: 'no_balance',
  NO_BALANCE_FORWARD: 'no_balance',
  BAD_KEY: 'bad_key',
  NO_KEY: 'bad_key',
  BAD_API_KEY: 'bad_key',
  'Unauthenticated.': 'bad_key',
  BANNED: 'banned',
  BANNED_GLOBAL: 'banned',
  BANNED_SPECIFIC: 'banned',
  ACCOUNT_INACTIVE: 'banned',
  BAD_SERVICE: 'bad_service',
  WRONG_SERVICE: 'bad_service',
  SERVICE_NOT_AVAILABLE: 'bad_service',
  BAD_COUNTRY: 'bad_country',
  WRONG_COUNTRY: 'bad_country',
  WRONG_MAX_PRICE: 'price_above_max',
  MAX_PRICE_EXCEEDED: 'price_above_max',
  NO_ACTIVATION: 'not_found',
  WRONG_ACTIVATION_ID: 'not_found',
  INVALID_ACTIVATION_ID: 'not_found',
  NOT_FOUND: 'not_found',
  EARLY_CANCEL_DENIED: 'early_cancel',
  ACCESS_CANCEL_ALREADY: 'already_final',
  ALREADY_FINISH: 'already_final',
  ALREADY_CANCEL: 'already_final',
  ACTIVATION_NOT_ACTIVE: 'already_final',
  // Cancel refused for good: a code arrived (finish instead) or the free-cancel window is over.
  OTP_RECEIVED: 'already_final',
  NEW_OTP_RECEIVED: 'already_final',
  FREE_CANCELLATION_EXPIRED: 'already_final',
  ERROR_SQL: 'unavailable',
  SERVER_ERROR: 'unavailable',
  SERVICE_UNAVAILABLE_REGION: 'unavailable',
  CHANNELS_LIMIT: 'rate_limited',
  RATE_LIMIT: 'rate_limited',
  TOO_MANY_ACTIVE_RENTALS: 'rate_limited',
  // We never send what these complain about (exclusion prefixes, a bad status); the server and we disagree.
  BAD_ACTION: 'protocol_error',
  BAD_STATUS: 'protocol_error',
  WRONG_EXCEPTION_PHONE: 'protocol_error',
  UNPROCESSABLE_ENTITY: 'protocol_error',
};

/** The error code a reply carries, whether as text (`BANNED:'…'`) or as a JSON envelope. */
export function errorCodeOf(reply: Reply): { code: string; rest: string | undefined; info: Record<string, unknown> } | undefined {
  if (reply.type === 'text') {
    const { code, rest } = splitCode(reply.text);
    return code in ERROR_KINDS ? { code, rest, info: {} } : undefined;
  }
  const value = reply.value;
  if (!isRecord(value)) return undefined;
  const info = isRecord(value.info) ? value.info : {};
  for (const field of ['title', 'message', 'error']) {
    const candidate = value[field];
    if (typeof candidate === 'string' && candidate in ERROR_KINDS) return { code: candidate, rest: undefined, info };
  }
  // HeroSMS getPrices: {"status":"false","msg":"service is incorrect"}
  if (value.status === 'false' && typeof value.msg === 'string') {
    if (/service/i.test(value.msg)) return { code: 'BAD_SERVICE', rest: undefined, info };
    if (/country/i.test(value.msg)) return { code: 'BAD_COUNTRY', rest: undefined, info };
  }
  return undefined;
}

/** The failure a reply stands for, or undefined when it is not a known error. */
export function failureOf(reply: Reply): ProviderFailure | undefined {
  const error = errorCodeOf(reply);
  if (!error) return undefined;
  const kind = ERROR_KINDS[error.code] ?? 'protocol_error';
  const failure: ProviderFailure = { kind, message: `upstream answered ${error.code}` };
  if (kind === 'price_above_max') {
    const min = error.rest ?? numberOrString(error.info.min);
    const minCost = min === undefined ? undefined : decimalToMicros(min);
    if (minCost !== undefined) failure.minCost = minCost;
  }
  if (kind === 'banned') {
    const until = error.rest === undefined ? bannedUntilFromInfo(error.info) : parseBannedUntil(error.rest);
    if (until) failure.bannedUntil = until;
    const retryAfter = error.info.retry_after_seconds;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) failure.retryAfterMs = retryAfter * 1000;
  }
  if (kind === 'rate_limited') {
    const retryAfter = error.info.retry_after_seconds;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) failure.retryAfterMs = retryAfter * 1000;
  }
  return failure;
}

function numberOrString(value: unknown): string | number | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

/**
 * `BANNED:'2026-6-1 14-30-00'` (the documented `YYYY-m-d H-i-s`, quotes optional). The zone is not
 * documented; we read it as UTC, which for a provider east of UTC errs towards retrying later.
 */
export function parseBannedUntil(raw: string): Date | undefined {
  const match = /^\s*['"]?(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2})[-:](\d{1,2})[-:](\d{1,2})['"]?\s*$/.exec(raw);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined)
    return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}

function bannedUntilFromInfo(info: Record<string, unknown>): Date | undefined {
  const until = info.banned_until;
  if (typeof until === 'number' && Number.isFinite(until) && until > 0) return new Date(until * 1000);
  if (typeof until === 'string') return parseZonedTime(until) ?? parseBannedUntil(until);
  return undefined;
}

/** An ISO 8601 time with a zone (`Z`, `+03:00`). Naive times (`2022-06-01 17:30:57`) have no known zone: undefined. */
export function parseZonedTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) return undefined;
  const date = new Date(value.trim().replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** E.164 with '+' from what the protocol sends (`79123456789`, a number, sometimes with '+' or spaces). */
export function toE164(phone: unknown): string | undefined {
  if (typeof phone !== 'string' && typeof phone !== 'number') return undefined;
  const digits = String(phone)
    .trim()
    .replace(/^\+/, '')
    .replace(/[\s()-]/g, '');
  return /^[1-9]\d{5,14}$/.test(digits) ? `+${digits}` : undefined;
}

/** The id as the protocol sends it (number or string) when it is a plain decimal id. */
export function toUpstreamId(id: unknown): string | undefined {
  if (typeof id === 'number') return Number.isSafeInteger(id) && id >= 0 ? String(id) : undefined;
  if (typeof id === 'string') return /^\d{1,24}$/.test(id.trim()) ? id.trim() : undefined;
  return undefined;
}

/** Micro-units as the plain decimal the protocol takes (`150000` → `0.15`). */
export function microsToDecimal(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * What to say about a reply we cannot use, without repeating its content: a reply can carry SMS
 * text or an echo of our request, and failure messages end up in logs.
 */
export function describeReply(reply: Reply, status: number): string {
  if (reply.type === 'json') {
    const shape = Array.isArray(reply.value) ? 'a JSON array' : isRecord(reply.value) ? 'a JSON object' : `JSON ${typeof reply.value}`;
    return `${shape} (HTTP ${status})`;
  }
  if (/^<(!doctype|html|head|body)/i.test(reply.text)) return `an HTML page (HTTP ${status})`;
  if (reply.text === '') return `an empty body (HTTP ${status})`;
  const { code } = splitCode(reply.text);
  return /^[A-Z][A-Z0-9_]{1,39}$/.test(code)
    ? `the unknown reply ${code} (HTTP ${status})`
    : `${reply.text.length} characters of text (HTTP ${status})`;
}
