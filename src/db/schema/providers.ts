import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const PROVIDER_KINDS = ['sms-activate', '5sim', 'pool'] as const;
export const PROVIDER_HEALTH = ['unknown', 'ok', 'failing', 'circuit_open'] as const;
export type UpstreamKind = (typeof PROVIDER_KINDS)[number];

/**
 * Upstream number providers the operator configured. The API key is stored encrypted (AES-256-GCM with
 * a key derived from SECRET_KEY) and never returned or logged.
 */
export const providers = pgTable(
  'providers',
  {
    id: text('id').primaryKey(),
    /** Lower-case slug, used in `/webhooks/providers/{name}` and in logs. */
    name: text('name').notNull(),
    kind: text('kind', { enum: PROVIDER_KINDS }).notNull(),
    baseUrl: text('base_url').notNull(),
    apiKeyEncrypted: text('api_key_encrypted').notNull(),
    /** ISO 4217 code of the amounts the provider quotes. */
    currency: text('currency').notNull(),
    /** Credits per unit of `currency`, in millionths; null: CREDITS_PER_USD for USD. */
    creditsPerUnitMicros: bigint('credits_per_unit_micros', { mode: 'number' }),
    /** Lower is tried first among equal prices. */
    priority: integer('priority').notNull().default(100),
    /** Markup in hundredths of a percent (2500 = 25 %). */
    markupBasisPoints: integer('markup_basis_points').notNull().default(0),
    feeCredits: integer('fee_credits').notNull().default(0),
    enabled: boolean('enabled').notNull().default(true),
    /** Secret expected on pushed SMS (`/webhooks/providers/{name}?token=…`), stored hashed. */
    pushTokenHash: text('push_token_hash').notNull(),
    /** Warn (logs, metric) when the balance at the provider falls below this, in micro-units. */
    lowBalanceMicros: bigint('low_balance_micros', { mode: 'number' }).notNull().default(5_000_000),
    /** Our balance at the provider, as last read by the catalog-sync job. */
    balanceMicros: bigint('balance_micros', { mode: 'number' }),
    balanceAt: ts('balance_at'),
    /** `ok`, `failing` (its last sync failed), `circuit_open` (refused after repeated faults) or `unknown`. */
    health: text('health', { enum: PROVIDER_HEALTH }).notNull().default('unknown'),
    /** What went wrong last (never contains the API key). */
    lastError: text('last_error'),
    lastErrorAt: ts('last_error_at'),
    /** When its offers were last read; null: never (a new provider is synced at once). */
    syncedAt: ts('synced_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    /** `otpbox providers remove`: sells no more; kept while orders it sold are open, then deleted. */
    removedAt: ts('removed_at'),
  },
  (t) => [
    uniqueIndex('providers_name_key').on(t.name),
    check('providers_name_slug', sql`${t.name} ~ '^[a-z0-9][a-z0-9-]{0,39}$'`),
    check('providers_markup_range', sql`${t.markupBasisPoints} between -5000 and 100000`),
  ],
);

/**
 * The latest offers of every provider, written by the catalog-sync job (one instance per slot) and read
 * into memory by every instance, so all of them sell from the same catalog.
 */
export const providerOffers = pgTable(
  'provider_offers',
  {
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    service: text('service').notNull(),
    country: text('country').notNull(),
    /** Micro-units of the provider's currency. */
    cost: bigint('cost', { mode: 'number' }).notNull(),
    count: integer('count').notNull(),
    syncedAt: ts('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.service, t.country] }), index('provider_offers_pair_idx').on(t.service, t.country)],
);

export const CATALOG_RULE_SCOPES = ['service', 'country', 'pair'] as const;

/**
 * The operator's catalog rules: a service, a country or one pair disabled, or its selling price fixed
 * or marked up differently.
 */
export const catalogRules = pgTable(
  'catalog_rules',
  {
    id: text('id').primaryKey(),
    scope: text('scope', { enum: CATALOG_RULE_SCOPES }).notNull(),
    service: text('service'),
    country: text('country'),
    disabled: boolean('disabled').notNull().default(false),
    /** A fixed selling price in credits (wins over markup). */
    priceCredits: integer('price_credits'),
    /** A markup replacing the provider's, in hundredths of a percent. */
    markupBasisPoints: integer('markup_basis_points'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('catalog_rules_target_key').on(t.scope, sql`coalesce(${t.service}, '')`, sql`coalesce(${t.country}, '')`),
    check(
      'catalog_rules_shape',
      sql`(${t.scope} = 'service' and ${t.service} is not null and ${t.country} is null)
       or (${t.scope} = 'country' and ${t.country} is not null and ${t.service} is null)
       or (${t.scope} = 'pair' and ${t.service} is not null and ${t.country} is not null)`,
    ),
  ],
);
