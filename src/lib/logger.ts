import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * JSON logs with secrets and personal data removed before they are written. Redaction is by key, at
 * any of the depths we log at; URLs are logged without the values of sensitive query parameters
 * (the SMS-Activate protocol and Blockonomics put keys in query strings).
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
  'phone',
  'phoneNumber',
  'text',
  'smsText',
  'otp',
  'smsCode',
  'email',
  'ip',
];

const REDACT_PATHS = [
  ...SENSITIVE_KEYS.map((key) => (key.includes('-') ? `["${key}"]` : key)),
  ...SENSITIVE_KEYS.map((key) => (key.includes('-') ? `*["${key}"]` : `*.${key}`)),
  ...SENSITIVE_KEYS.map((key) => (key.includes('-') ? `*.*["${key}"]` : `*.*.${key}`)),
];

export const SENSITIVE_QUERY_PARAM = /key|token|secret|pass|sig|auth|code|text|phone|number|email|device/i;

export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const params = new URLSearchParams(url.slice(question + 1));
  const kept = [...params.entries()].map(([name, value]) => [name, SENSITIVE_QUERY_PARAM.test(name) ? '[redacted]' : value]);
  return `${url.slice(0, question)}?${kept.map(([name, value]) => `${encodeURIComponent(name ?? '')}=${encodeURIComponent(value ?? '')}`).join('&')}`;
}

export function createLogger(options: { level: string; version: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'otpbox', version: options.version },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        err: pino.stdSerializers.err,
        req: (req: { id?: string; method?: string; url?: string; ip?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url ? redactUrl(req.url) : undefined,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    options.destination,
  );
}
