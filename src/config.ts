import path from 'node:path';
import { z } from 'zod';
import { confirmationsSetting } from './payment-clients/blockonomics/index.ts';

/**
 * Every setting otpbox reads, in one schema, parsed once at boot.
 * Nothing else in the code base reads `process.env`: the parsed `Config` is passed in.
 * Empty strings count as "unset" so that `FOO=` in a compose file means the default.
 */

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `expected a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected a whole number ≥ ${min}`).max(max, `expected a whole number ≤ ${max}`))
    .default(fallback);

const oneOf = <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.enum(values, { error: `expected one of: ${values.join(', ')}` }).default(fallback as never);

export const ACCOUNT_KINDS = ['email', 'device'] as const;
export type AccountKindOffered = (typeof ACCOUNT_KINDS)[number];

/** `email,device`: a comma-separated, non-empty set of account kinds, each named once. */
const accountKinds = z
  .string()
  .default('email,device')
  .transform((text) => text.split(',').map((kind) => kind.trim()))
  .pipe(
    z
      .array(z.enum(ACCOUNT_KINDS, { error: `expected a comma-separated list of: ${ACCOUNT_KINDS.join(', ')}` }))
      .min(1)
      .refine((kinds) => new Set(kinds).size === kinds.length, 'name each kind once'),
  );

const urlWithProtocol = (protocols: string[], hint: string) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, hint);

export const configSchema = z
  .object({
    PORT: int(0, 65535, 8080),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: urlWithProtocol(
      ['postgres:', 'postgresql:'],
      'expected a postgres:// or postgresql:// connection URL (leave unset for the embedded database)',
    ).optional(),
    REDIS_URL: urlWithProtocol(
      ['redis:', 'rediss:'],
      'expected a redis:// or rediss:// URL (leave unset to share rate limits through PostgreSQL)',
    ).optional(),
    PUBLIC_URL: urlWithProtocol(['http:', 'https:'], 'expected the absolute http(s):// URL customers use to reach otpbox').optional(),
    SECRET_KEY: z.string().min(32, 'expected at least 32 characters of random data (e.g. `openssl rand -hex 32`)').optional(),
    LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    SANDBOX: oneOf(['auto', 'on', 'off'] as const, 'auto'),
    SANDBOX_SMS_DELAY_MS: int(0, 600_000, 4000),
    SANDBOX_DEMO_CREDITS: int(0, 1_000_000, 2000),
    ACTIVATION_TTL_S: int(60, 86_400, 1200),
    CANCEL_MIN_S: int(0, 3600, 120),
    SMS_STORAGE: oneOf(['history', 'ephemeral'] as const, 'history'),
    MIN_AGE: int(13, 99, 18),
    ACCOUNT_KINDS: accountKinds,
    API_RATE_LIMIT: int(0, 1_000_000, 1200),
    PUBLIC_RATE_LIMIT: int(0, 1_000_000, 600),
    MAX_ACTIVE_ACTIVATIONS: int(1, 10_000, 20),
    ORDER_RATE_LIMIT: int(0, 10_000, 60),
    CANCEL_THROTTLE_MIN_ORDERS: int(1, 10_000, 20),
    CANCEL_THROTTLE_PERCENT: int(1, 100, 80),
    CREDITS_PER_USD: int(1, 1_000_000, 100),
    SMTP_URL: urlWithProtocol(['smtp:', 'smtps:'], 'expected an smtp:// or smtps:// URL').optional(),
    MAIL_FROM: z.string().min(3).max(200).optional(),
    SESSION_IDLE_MINUTES: int(5, 10_080, 30),
    SESSION_MAX_HOURS: int(1, 8_760, 12),
    DEVICE_SESSION_DAYS: int(1, 3_650, 180),
    STAFF_SESSION_IDLE_MINUTES: int(5, 240, 15),
    STAFF_SESSION_MAX_HOURS: int(1, 24, 8),
    OPERATOR_NAME: z.string().min(1).max(200).default('the operator of this otpbox service'),
    OPERATOR_CONTACT: z.string().min(3).max(200).optional(),
    METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
    DB_POOL_MAX: int(1, 500, 10),
    DB_OPEN_TIMEOUT_MS: int(1000, 600_000, 30_000),
    DB_STATEMENT_TIMEOUT_MS: int(100, 3_600_000, 30_000),
    SHUTDOWN_TIMEOUT_MS: int(100, 600_000, 10_000),
    PROVIDER_TIMEOUT_MS: int(500, 60_000, 10_000),
    CATALOG_SYNC_INTERVAL_S: int(30, 86_400, 300),
    WEBHOOK_TIMEOUT_MS: int(100, 60_000, 10_000),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: z
      .enum(['true', 'false'], { error: 'expected true or false' })
      .transform((v) => v === 'true')
      .default(false),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'expected a Stripe secret key (sk_live_…, sk_test_…, or a restricted rk_…)')
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\S+$/, "expected the webhook endpoint's signing secret (whsec_…)")
      .optional(),
    STRIPE_API_BASE: urlWithProtocol(
      ['http:', 'https:'],
      'expected the http(s):// URL of a server speaking Stripe’s API (tests)',
    ).optional(),
    BLOCKONOMICS_API_KEY: z
      .string()
      .regex(/^\S{8,200}$/, 'expected the API key from Blockonomics → Store → API key')
      .optional(),
    BLOCKONOMICS_CALLBACK_SECRET: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{16,200}$/,
        'expected at least 16 letters, digits, dashes or underscores (e.g. `openssl rand -hex 32`): it goes into the callback URL',
      )
      .optional(),
    BLOCKONOMICS_API_BASE: urlWithProtocol(
      ['http:', 'https:'],
      'expected the http(s):// URL of a server speaking Blockonomics’ API (tests)',
    ).optional(),
    BLOCKONOMICS_CONFIRMATIONS: confirmationsSetting,
    REVENUECAT_WEBHOOK_AUTH: z
      .string()
      .min(16, 'expected the exact Authorization header value set in RevenueCat (at least 16 characters, e.g. `Bearer <random>`)')
      .max(500)
      .optional(),
    // Retention periods of the data classes the privacy policy names (the data map says which tables
    // and columns each one governs; the retention job, its dry run and the policy read them from here).
    RETENTION_RESERVATIONS_DAYS: int(1, 3_650, 180),
    RETENTION_NUMBER_HISTORY_DAYS: int(1, 3_650, 365),
    RETENTION_LOGS_DAYS: int(1, 3_650, 90),
    RETENTION_SECURITY_EVENTS_DAYS: int(1, 3_650, 365),
    RETENTION_SECURITY_IP_DAYS: int(1, 3_650, 90),
    RETENTION_TRANSACTIONS_DAYS: int(365, 7_300, 1826),
    // Support conversations (P17): counted from the last message or the closing, whichever is later.
    RETENTION_SUPPORT_DAYS: int(30, 3_650, 365),
    // SMS that reached the operator's own numbers but no order: kept for staff this long.
    RETENTION_GATEWAY_MESSAGES_DAYS: int(1, 3_650, 30),
    // The number pool (own numbers, issue 20).
    POOL_REUSE_DAYS: int(1, 3_650, 90),
    POOL_COOLDOWN_MINUTES: int(0, 1_440, 10),
    GATEWAY_HEARTBEAT_MINUTES: int(1, 1_440, 15),
    MAX_ACTIVE_RENTALS: int(1, 1_000, 10),
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|\d+)$/, 'expected true, false, or the number of trusted proxy hops')
      .transform((v): boolean | number => (v === 'true' ? true : v === 'false' ? false : Number(v)))
      .default(false),
  })
  .superRefine((env, context) => {
    // A processor is enabled exactly when its variables are set: half a configuration is a mistake, not "off".
    const pairs = [
      ['Stripe takes card payments', { STRIPE_SECRET_KEY: env.STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET: env.STRIPE_WEBHOOK_SECRET }],
      [
        'Blockonomics takes bitcoin',
        { BLOCKONOMICS_API_KEY: env.BLOCKONOMICS_API_KEY, BLOCKONOMICS_CALLBACK_SECRET: env.BLOCKONOMICS_CALLBACK_SECRET },
      ],
    ] as const;
    // A part of a record cannot outlive the record: reservation details belong to their order, the
    // addresses in a security event to the event.
    const nested = [
      ['RETENTION_RESERVATIONS_DAYS', 'RETENTION_NUMBER_HISTORY_DAYS', 'reservation details are part of the order they belong to'],
      ['RETENTION_SECURITY_IP_DAYS', 'RETENTION_SECURITY_EVENTS_DAYS', 'the addresses are part of the security event'],
      ['POOL_REUSE_DAYS', 'RETENTION_NUMBER_HISTORY_DAYS', 'the reuse rule reads the pool numbers’ history, which is kept that long'],
    ] as const;
    for (const [part, whole, why] of nested) {
      if (env[part] > env[whole]) {
        context.addIssue({ code: 'custom', path: [part], message: `expected at most ${whole} (${env[whole]}): ${why}` });
      }
    }
    for (const [what, pair] of pairs) {
      const missing = Object.entries(pair).filter(([, value]) => value === undefined);
      if (missing.length !== 1) continue;
      const [name] = missing[0] as [string, unknown];
      context.addIssue({
        code: 'custom',
        path: [name],
        message: `expected it with ${Object.keys(pair).find((other) => other !== name)}: ${what} only when both are set`,
      });
    }
  })
  .transform((env) => {
    const dataDir = path.resolve(env.DATA_DIR);
    const listenHost = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
    const publicUrl = new URL(env.PUBLIC_URL ?? `http://${listenHost}:${env.PORT}`);
    return {
      port: env.PORT,
      host: env.HOST,
      dataDir,
      databaseUrl: env.DATABASE_URL,
      /** Where the instances add up their rate-limit hits (ADR 43); unset: PostgreSQL when DATABASE_URL is set. */
      redisUrl: env.REDIS_URL,
      publicUrl: publicUrl.origin,
      /** true when customers reach us over https: cookies become Secure and __Host- prefixed */
      secureCookies: publicUrl.protocol === 'https:',
      secretKey: env.SECRET_KEY,
      logLevel: env.LOG_LEVEL,
      sandbox: env.SANDBOX,
      sandboxSmsDelayMs: env.SANDBOX_SMS_DELAY_MS,
      /** The most demo credits one account's demo wallet holds (0: no demo credits). */
      sandboxDemoCredits: env.SANDBOX_DEMO_CREDITS,
      activationTtlS: env.ACTIVATION_TTL_S,
      cancelMinS: env.CANCEL_MIN_S,
      smsStorage: env.SMS_STORAGE,
      minAge: env.MIN_AGE,
      /** Which accounts new customers can open: e-mail accounts (web), anonymous device accounts (app), or both. */
      accountKinds: env.ACCOUNT_KINDS as readonly AccountKindOffered[],
      apiRateLimit: env.API_RATE_LIMIT,
      /** Requests per minute per client address to the API without credentials (catalog, sign-up, sign-in, …); 0 = off. */
      publicRateLimit: env.PUBLIC_RATE_LIMIT,
      maxActiveActivations: env.MAX_ACTIVE_ACTIVATIONS,
      orderRateLimit: env.ORDER_RATE_LIMIT,
      cancelThrottleMinOrders: env.CANCEL_THROTTLE_MIN_ORDERS,
      cancelThrottlePercent: env.CANCEL_THROTTLE_PERCENT,
      creditsPerUsd: env.CREDITS_PER_USD,
      smtpUrl: env.SMTP_URL,
      mailFrom: env.MAIL_FROM,
      sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
      sessionMaxMs: env.SESSION_MAX_HOURS * 3_600_000,
      deviceSessionMs: env.DEVICE_SESSION_DAYS * 86_400_000,
      /** Staff (support, admin) browser sessions: shorter than customers' (ADR 31). */
      staffSessionIdleMs: env.STAFF_SESSION_IDLE_MINUTES * 60_000,
      staffSessionMaxMs: env.STAFF_SESSION_MAX_HOURS * 3_600_000,
      operatorName: env.OPERATOR_NAME,
      operatorContact: env.OPERATOR_CONTACT,
      metricsToken: env.METRICS_TOKEN,
      dbPoolMax: env.DB_POOL_MAX,
      dbOpenTimeoutMs: env.DB_OPEN_TIMEOUT_MS,
      /** PostgreSQL: the longest one statement, or a transaction's pause between two, may take (ADR 50). */
      dbStatementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      trustProxy: env.TRUST_PROXY,
      /** Days each data class is kept, by the name of its setting (the data map's `setting`). */
      retentionDays: {
        RETENTION_RESERVATIONS_DAYS: env.RETENTION_RESERVATIONS_DAYS,
        RETENTION_NUMBER_HISTORY_DAYS: env.RETENTION_NUMBER_HISTORY_DAYS,
        RETENTION_LOGS_DAYS: env.RETENTION_LOGS_DAYS,
        RETENTION_SECURITY_EVENTS_DAYS: env.RETENTION_SECURITY_EVENTS_DAYS,
        RETENTION_SECURITY_IP_DAYS: env.RETENTION_SECURITY_IP_DAYS,
        RETENTION_TRANSACTIONS_DAYS: env.RETENTION_TRANSACTIONS_DAYS,
        RETENTION_SUPPORT_DAYS: env.RETENTION_SUPPORT_DAYS,
        RETENTION_GATEWAY_MESSAGES_DAYS: env.RETENTION_GATEWAY_MESSAGES_DAYS,
      },
      /** The number pool: a number is not sold again for a service within this many days. */
      poolReuseDays: env.POOL_REUSE_DAYS,
      /** After an order ends its number cools down this long (late SMS still reach that order) before it is sold again. */
      poolCooldownMs: env.POOL_COOLDOWN_MINUTES * 60_000,
      /** An Android gateway not heard from (SMS or ping) for this long is `down`: its numbers are out of stock. */
      gatewayHeartbeatMs: env.GATEWAY_HEARTBEAT_MINUTES * 60_000,
      /** Active rentals per account: one customer cannot take the pool's numbers for days. */
      maxActiveRentals: env.MAX_ACTIVE_RENTALS,
      /** How long one call to an upstream provider may take before it counts as a timeout. */
      providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
      /** How often the catalog-sync job reads every provider's prices, stock and balance. */
      catalogSyncIntervalS: env.CATALOG_SYNC_INTERVAL_S,
      /** How long one webhook attempt may take (connect, send, answer) before it counts as failed. */
      webhookTimeoutMs: env.WEBHOOK_TIMEOUT_MS,
      /** Local development and tests only: lets webhooks go to http:// and to private, loopback and link-local addresses. */
      webhookAllowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      /** Card payments through Stripe Checkout: present exactly when its key and webhook secret are set. */
      stripe:
        env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET
          ? { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, apiBase: env.STRIPE_API_BASE }
          : undefined,
      /** Bitcoin through Blockonomics: present exactly when its API key and callback secret are set. */
      blockonomics:
        env.BLOCKONOMICS_API_KEY && env.BLOCKONOMICS_CALLBACK_SECRET
          ? {
              apiKey: env.BLOCKONOMICS_API_KEY,
              callbackSecret: env.BLOCKONOMICS_CALLBACK_SECRET,
              apiBase: env.BLOCKONOMICS_API_BASE,
              /** The callback status that credits: 0, 1 or 2 (two or more confirmations). */
              confirmations: env.BLOCKONOMICS_CONFIRMATIONS,
            }
          : undefined,
      /** App-store purchases through RevenueCat's webhook: present exactly when its Authorization value is set. */
      revenuecat: env.REVENUECAT_WEBHOOK_AUTH ? { webhookAuth: env.REVENUECAT_WEBHOOK_AUTH } : undefined,
    };
  });

export type Config = z.output<typeof configSchema>;
export const CONFIG_VARIABLES = Object.keys(configSchema.in.shape) as (keyof typeof configSchema.in.shape)[];

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n` +
        'See the configuration table in README.md.',
    );
    this.name = 'ConfigError';
  }
}

/** Parse the environment once. Throws ConfigError naming every offending variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') input[name] = value.trim();
  }
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? 'environment');
    const given = input[variable];
    const shown = given === undefined ? '' : ` (got ${describeValue(variable, given)})`;
    return { variable, message: `${issue.message}${shown}` };
  });
  throw new ConfigError(problems);
}

/** Never echo secrets back in an error message. */
function describeValue(variable: string, value: string): string {
  if (/SECRET|TOKEN|PASSWORD|KEY|AUTH/.test(variable)) return `${value.length} characters`;
  if (variable.endsWith('_URL')) return 'a value that is not such a URL';
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

/** A config for tests and tools: defaults plus overrides, without touching the real environment. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: '/tmp/otpbox-test-unused', LOG_LEVEL: 'silent', ...overrides });
}
