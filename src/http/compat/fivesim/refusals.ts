import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError, ErrorCode } from '../../../lib/errors.ts';

/**
 * 5sim's refusals: a bare text with an HTTP status, never our JSON envelope. The texts and statuses
 * are 5sim's own (5sim.net/docs, "Purchase" and "Order management", and captures of its live
 * answers): a bad or missing token is 401 with an empty body; `order not found` is 404 on `check` and
 * 400 on `finish`, `cancel` and `ban`; the buy refusals (`no free phones`, `not enough user balance`,
 * `not enough rating`, `bad country`, `bad operator`, `no product`) are 400. Where 5sim has no word for
 * one of ours (the early-cancel window, our rate limits, a suspended account) the text is plain
 * English in the same lower-case style, and README "Moving from SMS-Activate or 5sim" lists them.
 */
export interface Refusal {
  status: number;
  text: string;
}

export const NOT_FOUND_TEXT = 'order not found';

/** Which kind of 5sim call answers: the same domain refusal is worded per call in 5sim. */
export type Call = 'buy' | 'check' | 'order' | 'orders' | 'profile' | 'guest';

export function refusalOf(error: DomainError, call: Call): Refusal {
  const byCode: Partial<Record<ErrorCode, Refusal>> = {
    UNAUTHENTICATED: { status: 401, text: '' },
    ACCOUNT_SUSPENDED: { status: 403, text: 'account is suspended' },
    FORBIDDEN: { status: 403, text: 'forbidden' },
    ACCOUNT_RESTRICTED: { status: 403, text: 'account is restricted' },
    RATE_LIMITED: { status: 429, text: 'too many requests' },
    ORDER_RATE_LIMITED: { status: 429, text: 'too many orders, try again later' },
    // 5sim's rating is its cap on open orders (5sim.net/docs, "Rating"); ours is MAX_ACTIVE_ACTIVATIONS.
    TOO_MANY_ACTIVE: { status: 400, text: 'not enough rating' },
    INSUFFICIENT_CREDITS: { status: 400, text: 'not enough user balance' },
    NO_NUMBERS: { status: 400, text: 'no free phones' },
    // 5sim answers a maxPrice no number meets as it answers an empty shelf.
    PRICE_ABOVE_MAX: { status: 400, text: 'no free phones' },
    UNKNOWN_SERVICE: { status: 400, text: 'no product' },
    UNKNOWN_COUNTRY: { status: 400, text: 'bad country' },
    PROVIDER_UNAVAILABLE: { status: 503, text: 'server offline' },
    SERVICE_UNAVAILABLE: { status: 503, text: 'server offline' },
    IDEMPOTENCY_KEY_IN_USE: { status: 409, text: 'idempotency key in use, retry later' },
    IDEMPOTENCY_KEY_REUSED: { status: 422, text: 'idempotency key reused with another order' },
    NOT_FOUND: { status: call === 'check' ? 404 : 400, text: NOT_FOUND_TEXT },
    EARLY_CANCEL: { status: 400, text: 'you need to wait time' },
    CODE_RECEIVED: { status: 400, text: 'order has sms' },
    NO_CODE_YET: { status: 400, text: 'order no sms' },
    ACTIVATION_ENDED: { status: 400, text: 'order expired' },
  };
  const known = byCode[error.code];
  if (known) return known;
  if (error.code === 'VALIDATION_FAILED' || error.code === 'INVALID_JSON') return { status: 400, text: 'bad request' };
  return { status: 500, text: 'internal error' };
}

/** Send a refusal as 5sim does: plain text (an empty body for 401), with Retry-After when we know it. */
export function sendRefusal(_request: FastifyRequest, reply: FastifyReply, error: DomainError, call: Call) {
  const { status, text } = refusalOf(error, call);
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  reply.code(status).type('text/plain; charset=utf-8');
  return reply.send(text);
}

/** A 5sim refusal thrown by a route for a case our domain has no code for (a bad operator). */
export class FivesimRefusal extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.text);
    this.name = 'FivesimRefusal';
  }
}
