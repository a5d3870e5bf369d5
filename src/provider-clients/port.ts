/**
 * The provider port: everything otpbox asks of an upstream number provider (SMS-Activate protocol
 * family, 5sim, the sandbox, own SIMs later).
 *
 * Privacy (promise P7): only service codes, country codes and price limits cross this port. No method
 * takes an e-mail, an account or device id, an IP address or any other identifier of a person, and
 * adapters must not add one (no `userId`, no `ref` carrying ours, no forwarding numbers).
 *
 * Expected outcomes — no numbers, price above the limit, bad key, banned, timeouts, garbage — are
 * returned as typed failures, never thrown. Adapters throw only for programming errors.
 */

export type ProviderKind = 'sms-activate' | '5sim' | 'sandbox' | 'pool';

/** Our service codes are the SMS-Activate ones: `tg`, `wa`, `go`, `fb`, … (2–4 lower-case letters or digits). */
export type ServiceCode = string;
/** ISO 3166-1 alpha-2, upper case: `US`, `GB`, `ID`. */
export type CountryCode = string;

/**
 * An amount in the provider's own currency, in millionths of its unit (micro-units), as an integer:
 * "0.15" USD → 150_000. Providers quote decimals; we never hold them as floats.
 */
export type Micros = number;

export interface CallOptions {
  signal?: AbortSignal;
  /** Default: the adapter's timeout (10 s unless configured). */
  timeoutMs?: number;
}

export type FailureKind =
  /** No number available for this service and country right now. */
  | 'no_numbers'
  /** Numbers exist but cost more than `maxCost`; `minCost` tells the cheapest when the provider says. */
  | 'price_above_max'
  /** Our account at the provider has no money left. */
  | 'no_balance'
  /** The API key is wrong, missing or revoked. */
  | 'bad_key'
  /** Our account at the provider is banned (until `bannedUntil` when known). */
  | 'banned'
  | 'bad_service'
  | 'bad_country'
  /** The provider does not know this activation id. */
  | 'not_found'
  /** Cancel refused because it is too early (SMS-Activate `EARLY_CANCEL_DENIED`). */
  | 'early_cancel'
  /** The activation is already finished or cancelled upstream. */
  | 'already_final'
  /** Too many requests or too many open activations at the provider. */
  | 'rate_limited'
  | 'timeout'
  /** Connection refused, 5xx, maintenance, `ERROR_SQL`, … */
  | 'unavailable'
  /** An answer we cannot understand (HTML error page, unknown reply). */
  | 'protocol_error';

export interface ProviderFailure {
  kind: FailureKind;
  /** For logs and operators; never shown to customers verbatim, never contains the API key. */
  message: string;
  minCost?: Micros;
  retryAfterMs?: number;
  bannedUntil?: Date;
}

export type Result<T> = { ok: true; value: T } | { ok: false; failure: ProviderFailure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(kind: FailureKind, message: string, extra: Omit<ProviderFailure, 'kind' | 'message'> = {}): Result<T> => ({
  ok: false,
  failure: { kind, message, ...extra },
});

export interface Offer {
  service: ServiceCode;
  country: CountryCode;
  cost: Micros;
  /** Numbers the provider says it can sell now; physical stock where the protocol distinguishes it. */
  count: number;
}

export interface Offers {
  /** ISO 4217 code of the amounts. */
  currency: string;
  offers: Offer[];
}

export interface BuyRequest {
  service: ServiceCode;
  country: CountryCode;
  /** Refuse numbers that cost more than this (provider currency, micro-units). */
  maxCost?: Micros;
}

export interface PurchasedNumber {
  /** The provider's id of this activation, as a string. */
  upstreamId: string;
  /** E.164 with the leading +. */
  phone: string;
  /** What the provider charged, when it says. */
  cost?: Micros;
  /** When the provider will end the activation, when it says. */
  expiresAt?: Date;
}

export interface UpstreamSms {
  /** The code as the provider extracted it (we extract our own from `text` when present). */
  code: string | null;
  text: string | null;
  receivedAt: Date | null;
}

export type UpstreamState =
  /** Waiting for the first SMS, or for another one after `requestAnotherSms`. */
  | 'waiting'
  /** At least one SMS arrived and the activation is still open. */
  | 'received'
  | 'cancelled'
  | 'finished'
  | 'expired'
  /** The number was already used for this service (5sim BANNED). */
  | 'banned';

export interface UpstreamStatus {
  state: UpstreamState;
  /** Every SMS the provider reports for this activation, oldest first (may be only the last one). */
  sms: UpstreamSms[];
}

export interface Balance {
  currency: string;
  amount: Micros;
}

/** An activation the provider still counts as open on our account (for reconciliation). */
export interface UpstreamActivation {
  upstreamId: string;
  /** Our service code, when the provider names one we know. */
  service?: ServiceCode;
  /** ISO alpha-2, when the provider names a country we know. */
  country?: CountryCode;
  phone?: string;
  /** When it was bought, when the provider says. */
  createdAt?: Date;
}

/** An SMS pushed by the provider to `/webhooks/providers/{name}`. */
export interface PushedSms {
  upstreamId: string;
  code: string | null;
  text: string | null;
  receivedAt: Date | null;
  /** The provider's id of this message when it has one; otherwise dedupe on (upstreamId, code, text). */
  messageId?: string;
}

export interface PushRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  /** The parsed body (JSON or form), as received. */
  body: unknown;
}

export interface ProviderPort {
  readonly name: string;
  readonly kind: ProviderKind;
  fetchOffers(options?: CallOptions): Promise<Result<Offers>>;
  buyNumber(request: BuyRequest, options?: CallOptions): Promise<Result<PurchasedNumber>>;
  checkStatus(upstreamId: string, options?: CallOptions): Promise<Result<UpstreamStatus>>;
  /** Ask for another SMS on the same number (free where the protocol allows it). */
  requestAnotherSms(upstreamId: string, options?: CallOptions): Promise<Result<void>>;
  /** Close a successful activation (SMS-Activate setStatus 6). */
  finish(upstreamId: string, options?: CallOptions): Promise<Result<void>>;
  /** Cancel an activation that got no code, so the provider refunds us (SMS-Activate setStatus 8). */
  cancel(upstreamId: string, options?: CallOptions): Promise<Result<void>>;
  getBalance(options?: CallOptions): Promise<Result<Balance>>;
  /**
   * The activations the provider still has open on our account, to find numbers bought but never
   * recorded (a crash between the purchase and our commit). Absent when the protocol cannot list them.
   */
  listActive?(options?: CallOptions): Promise<Result<UpstreamActivation[]>>;
  /** Parse a pushed SMS; absent when the provider never pushes. */
  parsePush?(request: PushRequest): Result<PushedSms[]>;
  /**
   * Whether a call now would reach the provider: false while a guard refuses calls at once (the
   * circuit breaker of GuardedProvider is open), so an order skips it. Absent: always.
   */
  isAvailable?(): boolean;
  /**
   * Resolves once the work the adapter started on its own after a call has ended (the pool's stock
   * write after a sale or an end): the runtime awaits it before the database closes, tests before they
   * read what it writes. Absent: the adapter leaves nothing running.
   */
  settled?(): Promise<void>;
}

/**
 * Parse a decimal amount as quoted by a provider ("15", "0.15", "1e-2" is refused) into micro-units
 * without going through floating point. Returns undefined for anything that is not a plain
 * non-negative decimal with at most 6 fractional digits beyond which we round half up.
 */
export function decimalToMicros(value: string | number): Micros | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(9) : '') : value.trim();
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const whole = Number(match[1]);
  const fraction = (match[2] ?? '').padEnd(7, '0');
  let micros = whole * 1_000_000 + Number(fraction.slice(0, 6));
  if (Number(fraction[6]) >= 5) micros += 1;
  // Past 2^53 micro-units (about 9 billion) the number is no longer exact: no real price, refused as unreadable.
  return Number.isSafeInteger(micros) ? micros : undefined;
}
