/**
 * The one error type domain code throws. The set of codes is closed: adding one means adding its
 * HTTP status in `http/errors.ts` (the compiler enforces it), so no code path invents statuses.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'RATE_LIMITED',
  // identity and access
  'INVALID_CREDENTIALS',
  'INVALID_TOKEN',
  'TOO_MANY_ATTEMPTS',
  'EMAIL_UNAVAILABLE',
  'WEAK_PASSWORD',
  'AGE_CONFIRMATION_REQUIRED',
  'POLICY_OUTDATED',
  'ACCOUNT_SUSPENDED',
  'ACCOUNT_KIND_UNAVAILABLE',
  'CSRF_REJECTED',
  'TWO_FACTOR_REQUIRED',
  // ledger
  'INSUFFICIENT_CREDITS',
  'HOLD_ALREADY_RESOLVED',
  'IDEMPOTENCY_KEY_REUSED',
  'ACCOUNT_RESTRICTED',
  'DEMO_CREDITS_LIMIT',
  // orders
  'UNKNOWN_SERVICE',
  'UNKNOWN_COUNTRY',
  'NO_NUMBERS',
  'PRICE_ABOVE_MAX',
  'PROVIDER_UNAVAILABLE',
  'TOO_MANY_ACTIVE',
  'ORDER_RATE_LIMITED',
  'IDEMPOTENCY_KEY_IN_USE',
  'EARLY_CANCEL',
  'CODE_RECEIVED',
  'NO_CODE_YET',
  'ACTIVATION_ENDED',
  // webhooks
  'WEBHOOK_URL_REFUSED',
  // payments
  'UNKNOWN_PACKAGE',
  'PAYMENT_METHOD_UNAVAILABLE',
  'PAYMENT_PROCESSOR_UNAVAILABLE',
  'WEBHOOK_SIGNATURE_INVALID',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
