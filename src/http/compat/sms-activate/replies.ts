import { isDatabaseUnavailable } from '../../../lib/database-errors.ts';
import { type DomainError, type ErrorCode, isDomainError } from '../../../lib/errors.ts';
import { DATABASE_RETRY_AFTER_S, STATUS_BY_CODE } from '../../errors.ts';
import { unitsOf } from './money.ts';

/**
 * What `handler_api.php` answers: a text (`ACCESS_NUMBER:1:79…`, `NO_BALANCE`) or a JSON document,
 * with HTTP 200 for answers and refusals alike, as SMS-Activate did — its clients read the body, not
 * the status. Three exceptions, which clients treat as "try again": the API rate limit (429 with
 * Retry-After), a database that cannot be reached (503 `SERVER_ERROR`, Retry-After) and a fault of
 * ours (500 `SERVER_ERROR`). `ERROR_SQL` is never said: it invites a retry without saying when, and
 * names an implementation (ADR 29).
 */
export type Answer = { status?: number; text: string; retryAfterSeconds?: number } | { status?: number; json: unknown };

export const text = (value: string): Answer => ({ text: value });
export const json = (value: unknown): Answer => ({ json: value });

/** The protocol's words for a refusal of the ordinary verbs; those not listed are answered by the caller's context. */
const REFUSALS: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: 'BAD_KEY',
  UNKNOWN_SERVICE: 'BAD_SERVICE',
  UNKNOWN_COUNTRY: 'BAD_COUNTRY',
  INSUFFICIENT_CREDITS: 'NO_BALANCE',
  DEMO_CREDITS_LIMIT: 'NO_BALANCE',
  NO_NUMBERS: 'NO_NUMBERS',
  // Every provider of the pair failed to answer: for the client it is the same as no stock, try later.
  PROVIDER_UNAVAILABLE: 'NO_NUMBERS',
  // HeroSMS's word for a cap on open orders.
  TOO_MANY_ACTIVE: 'CHANNELS_LIMIT',
  ORDER_RATE_LIMITED: 'RATE_LIMIT',
  ACCOUNT_RESTRICTED: 'ACCOUNT_INACTIVE',
  NOT_FOUND: 'NO_ACTIVATION',
  EARLY_CANCEL: 'EARLY_CANCEL_DENIED',
  // A finish before a code, another SMS before the first, a cancel after a code, anything on an ended order.
  NO_CODE_YET: 'BAD_STATUS',
  CODE_RECEIVED: 'BAD_STATUS',
  ACTIVATION_ENDED: 'BAD_STATUS',
  IDEMPOTENCY_KEY_IN_USE: 'ORDER_ALREADY_EXISTS',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
};

/**
 * A suspended account: `BANNED:<until>` in the protocol, the date it ends as `YYYY-m-d H-i-s`. A
 * suspension has no end until staff lift it, so the farthest date is said.
 */
export const BANNED = 'BANNED:9999-12-31 23-59-59';

type Log = { error(o: object, m: string): void; warn(o: object, m: string): void };

/**
 * The answer to anything thrown by a verb: its protocol word, or a retryable fault (never the detail).
 * `creditsPerUnit` words a price (`WRONG_MAX_PRICE:<lowest price>`).
 */
export function refusal(error: unknown, log: Log, creditsPerUnit: number): Answer {
  if (isDomainError(error)) return domainRefusal(error, log, creditsPerUnit);
  if (isDatabaseUnavailable(error)) {
    log.warn({ err: error }, 'database unavailable');
    return { status: 503, text: 'SERVER_ERROR', retryAfterSeconds: DATABASE_RETRY_AFTER_S };
  }
  log.error({ err: error }, 'unhandled error');
  return SERVER_ERROR;
}

/** A fault of ours: "try again later", and when. */
const SERVER_ERROR: Answer = { status: 500, text: 'SERVER_ERROR', retryAfterSeconds: DATABASE_RETRY_AFTER_S };

function domainRefusal(error: DomainError, log: Log, creditsPerUnit: number): Answer {
  const retryAfter = error.details?.retryAfterSeconds;
  const retryAfterSeconds = typeof retryAfter === 'number' ? Math.max(1, Math.ceil(retryAfter)) : undefined;
  switch (error.code) {
    case 'ACCOUNT_SUSPENDED':
      return text(BANNED);
    case 'RATE_LIMITED':
      return { status: 429, text: 'RATE_LIMIT', retryAfterSeconds };
    case 'PRICE_ABOVE_MAX': {
      const price = error.details?.price;
      return text(typeof price === 'number' ? `WRONG_MAX_PRICE:${unitsOf(price, creditsPerUnit, 'up')}` : 'WRONG_MAX_PRICE');
    }
    case 'SERVICE_UNAVAILABLE':
      return { status: 503, text: 'SERVER_ERROR', retryAfterSeconds };
    default: {
      const word = REFUSALS[error.code];
      if (word) return retryAfterSeconds === undefined ? text(word) : { text: word, retryAfterSeconds };
      // A request the protocol has no word for (a body that is not JSON, a malformed Idempotency-Key):
      // the client's mistake, said as the REST API would say it, never "try again later".
      const status = STATUS_BY_CODE[error.code];
      if (status < 500) return { status, text: `BAD_REQUEST:${error.message}` };
      log.error({ err: error }, 'unhandled error');
      return SERVER_ERROR;
    }
  }
}
