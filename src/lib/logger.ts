import pino, { type DestinationStream, type LogFn, type Logger } from 'pino';
import { describeDatabaseError, safeErrorMessage, stackFrames, summarizeDatabaseError } from './database-errors.ts';

/**
 * JSON logs with secrets and personal data removed before they are written. Redaction is by key
 * (any case), at the top level and three levels down, after the serializers; URLs are logged without the
 * values of sensitive query parameters (the SMS-Activate protocol and Blockonomics put keys in query
 * strings).
 *
 * Redaction is a walk of our own rather than pino's `redact` paths: with the keys listed at three
 * depths (`key`, `*.key`, `*.*.key`), pino's wildcard paths cost about a microsecond each, some
 * 55 µs per line — more than a poll answered from memory. The walk copies only what it censors.
 *
 * Errors, under any key and at any depth, are written through one serializer: a database error as
 * its statement's name and SQLSTATE only (lib/database-errors.ts), never its message, which holds the
 * statement's parameter values.
 */
const SENSITIVE_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'secretKey',
  'apiKey',
  'api_key',
  'key',
  'authorization',
  'cookie',
  'set-cookie',
  'deviceId',
  'deviceSecret',
  'phone',
  'phoneNumber',
  'text',
  'smsText',
  'otp',
  'smsCode',
  'email',
  'ip',
];

const SENSITIVE = new Set(SENSITIVE_KEYS.map((key) => key.toLowerCase()));
const CENSOR = '[redacted]';
/** The top level and three below it (an error's `config.headers.authorization`, say). */
const REDACT_DEPTH = 4;

/**
 * `value` with every sensitive key's value censored down to `depth` levels (arrays are walked like
 * objects). What holds nothing to censor is returned as it is; what does is copied, never changed in
 * place (it belongs to the caller). Errors are serialized first (`serializeError`), at any depth.
 */
function redactKeys(value: unknown, depth: number): unknown {
  if (value instanceof Error) return redactKeys(serializeError(value), depth);
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const redacted = redactKeys(item, depth - 1);
      if (redacted !== item) {
        copy ??= [...value];
        copy[i] = redacted;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const redacted = SENSITIVE.has(key.toLowerCase()) ? CENSOR : redactKeys(item, depth - 1);
    if (redacted !== item) {
      copy ??= { ...record };
      copy[key] = redacted;
    }
  }
  return copy ?? value;
}

/**
 * An error as written: pino's serializer (type, message with its causes', stack, own fields), except
 * for a database error, or an error caused by one, written as what database-errors.ts may say about it
 * and the stack's frames, without any message.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const summary = summarizeDatabaseError(error);
  if (!summary) return pino.stdSerializers.err(error);
  return { type: error.constructor?.name ?? error.name, message: describeDatabaseError(summary), ...summary, stack: stackFrames(error) };
}

const SERIALIZERS: Record<string, (value: never) => unknown> = {
  err: serializeError,
  req: (req: { id?: string; method?: string; url?: string }) => ({
    id: req.id,
    method: req.method,
    url: req.url ? redactUrl(req.url) : undefined,
  }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
};

/**
 * A line's fields as written: each serialized (`err`, `req`, `res`), then censored. Serializing here
 * (not through pino's `serializers`, which run after this) lets the censoring see what is written,
 * not the objects behind it (a request's sockets and getters).
 */
function logFields(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    const serializer = SERIALIZERS[key];
    const serialized = serializer && value !== undefined && value !== null ? serializer(value as never) : value;
    const written = SENSITIVE.has(key.toLowerCase()) ? CENSOR : redactKeys(serialized, REDACT_DEPTH - 1);
    if (written !== value) {
      out ??= { ...fields };
      out[key] = written;
    }
  }
  return out ?? fields;
}

/** Query parameters whose value is not written: credentials, and what may name a person (a search `q` is an e-mail address or a phone number). */
// `addr` and `txid`: a Bitcoin callback's address and transaction, which tie a payment to its payer on the public chain.
export const SENSITIVE_QUERY_PARAM = /key|token|secret|pass|sig|auth|code|text|phone|number|email|device|^q$|query|search|addr|txid/i;

/**
 * Paths that carry personal data in a segment, with the part kept before it: 5sim's "reuse a number"
 * (`/user/reuse/{product}/{number}`, answered "reuse not possible", names a phone number), and the
 * console's changes to one pool number (`/admin/pool/numbers/{number}/…`: the numbers customers rent).
 */
const PERSONAL_PATH_SEGMENTS = [/^(\/compat\/5sim\/v1\/user\/reuse\/[^/?]*\/)[^/?]+/, /^(\/api\/v1\/admin\/pool\/numbers\/)[^/?]+(?=\/)/];

/** The webhook receivers' paths: under /webhooks/, any other path is logged as `/webhooks/[redacted]`. */
const WEBHOOK_RECEIVER = /^\/webhooks\/(?:stripe|blockonomics|revenuecat|(?:providers|gateways)\/[A-Za-z0-9_-]{1,64})$/;
/**
 * A path that is under /webhooks/ in any spelling (case, doubled slashes, an encoded slash): a mistyped
 * receiver URL, which most often carries its secret (`/webhooks/blockonomics&secret=…`,
 * `/webhooks/blockonomics/<secret>`, `/webhooks/blockonomics%3Fsecret=…`).
 */
const UNDER_WEBHOOKS = /^\/+webhooks(?:\/|%2f|$)/i;

/**
 * A path segment that reads as an e-mail address or a phone number in international form, wherever it
 * is (a mistyped URL matches no route, and its path is logged as sent): never an id of ours.
 */
const PERSONAL_SEGMENT = /^(?:[^/?]*(?:@|%40)[^/?]*|(?:\+|%2B)[\d\s.()%-]{6,30})$/i;
/** One of our credentials (`otp_live_…`, `otp_ses_…`, …), wherever it was put: a key pasted into a path or a parameter. */
const CREDENTIAL = /otp_[a-z]{3,4}_/i;
/**
 * A query value that is personal or secret whatever its parameter is called: an e-mail address, a phone
 * number in international form (its `+` arrives as a space when it was not encoded), or a credential.
 */
const PERSONAL_VALUE = /@|^(?:tel:)|^[+ ][\d\s.()-]{6,30}$|otp_[a-z]{3,4}_/i;

/**
 * A path segment or value as a reader may end up seeing it: percent-decoded as often as it decodes (a
 * client that encodes twice sends `%2540` for `@`), at most three times; as sent when it does not decode.
 */
const decoded = (segment: string): string => {
  let text = segment;
  for (let round = 0; round < 3 && text.includes('%'); round++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      break;
    }
  }
  return text;
};

export function redactUrl(raw: string): string {
  let url = raw;
  const receiverEnd = url.indexOf('?') < 0 ? url.length : url.indexOf('?');
  if (UNDER_WEBHOOKS.test(url) && !WEBHOOK_RECEIVER.test(url.slice(0, receiverEnd))) url = `/webhooks/[redacted]${url.slice(receiverEnd)}`;
  for (const pattern of PERSONAL_PATH_SEGMENTS) url = url.replace(pattern, '$1[redacted]');
  const pathEnd = url.indexOf('?') < 0 ? url.length : url.indexOf('?');
  if (/@|%40|\+|%2B|otp_|%5F|%25/i.test(url.slice(0, pathEnd))) {
    const path = url
      .slice(0, pathEnd)
      .split('/')
      .map((segment) => {
        const plain = decoded(segment);
        return PERSONAL_SEGMENT.test(segment) || PERSONAL_SEGMENT.test(plain) || CREDENTIAL.test(plain) ? '[redacted]' : segment;
      })
      .join('/');
    url = path + url.slice(pathEnd);
  }
  const question = url.indexOf('?');
  if (question < 0) return url;
  const params = new URLSearchParams(url.slice(question + 1));
  // A name is checked as a value too: `?otp_live_…` or `?someone@example.com` alone is a name without a value.
  // A name that holds a pair (`secret%3D…`: an encoded `=`) is a value in disguise, redacted as one.
  const kept = [...params.entries()].map(([name, value]) => [
    PERSONAL_VALUE.test(decoded(name)) || (/[=&]/.test(decoded(name)) && SENSITIVE_QUERY_PARAM.test(decoded(name))) ? '[redacted]' : name,
    SENSITIVE_QUERY_PARAM.test(name) || PERSONAL_VALUE.test(decoded(value)) ? '[redacted]' : value,
  ]);
  return `${url.slice(0, question)}?${kept.map(([name, value]) => `${encodeURIComponent(name ?? '')}=${encodeURIComponent(value ?? '')}`).join('&')}`;
}

export function createLogger(options: { level: string; version: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'otpbox', version: options.version },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: logFields },
      // `logFields` serialized the error already; pino's own error serializer would run again after it.
      serializers: { err: (error: unknown) => error },
      hooks: { logMethod: withSafeErrorMessage },
      // A child logger's bound fields skip the formatters: pino's redaction covers their top level (a
      // handful of plain paths cost almost nothing; it is the wildcard paths that were slow).
      redact: { paths: SENSITIVE_KEYS.map((key) => (key.includes('-') ? `["${key}"]` : key)), censor: CENSOR },
    },
    options.destination,
  );
}

/**
 * `log.error(error)` and `log.error({ err })` without a message would take the error's message as
 * the line's: for a database error, the statement's parameters. Give them the safe one instead.
 */
function withSafeErrorMessage(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const first: unknown = args[0];
  if (args.length === 1 && first !== null && typeof first === 'object') {
    const error = first instanceof Error ? first : (first as { err?: unknown }).err;
    if (error instanceof Error) {
      method.call(this, first instanceof Error ? { err: first } : first, safeErrorMessage(error));
      return;
    }
  }
  (method as (...values: unknown[]) => void).apply(this, args);
}
