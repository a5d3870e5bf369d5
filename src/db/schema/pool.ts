import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { GATEWAY_KINDS } from '../../gateway-clients/port.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** `unknown` until it is heard from (sells), `up`, or `down` (its numbers are out of stock). */
export const GATEWAY_STATES = ['unknown', 'up', 'down'] as const;
export type GatewayState = (typeof GATEWAY_STATES)[number];
export const POOL_NUMBER_STATES = ['free', 'rented', 'cooling'] as const;
export type PoolNumberState = (typeof POOL_NUMBER_STATES)[number];
export const LEASE_KINDS = ['order', 'rental'] as const;
export type LeaseKind = (typeof LEASE_KINDS)[number];
/** Where an inbound SMS went (a duplicate is not stored). */
export const GATEWAY_MESSAGE_OUTCOMES = ['order', 'rental', 'late', 'unmatched'] as const;
export type GatewayMessageOutcome = (typeof GATEWAY_MESSAGE_OUTCOMES)[number];

/** Kind options, never secret (the secret is sealed apart). */
export interface GatewaySettings {
  /** twilio */
  accountSid?: string;
  apiBase?: string;
  /** smpp */
  host?: string;
  port?: number;
  systemId?: string;
  bindAs?: 'receiver' | 'transceiver';
  tls?: boolean;
  alphabet?: 'gsm' | 'latin1';
}

/**
 * The operator's own SMS gateways (issue 20): a phone running SMS Gateway for Android, a Twilio
 * account, an SMPP link. The secret (the app's signing key, Twilio's auth token, the SMPP password)
 * is sealed under a key derived from SECRET_KEY, bound to the row, and never shown again.
 */
export const gateways = pgTable(
  'gateways',
  {
    id: text('id').primaryKey(),
    /** Lower-case slug, in `/webhooks/gateways/{name}`. */
    name: text('name').notNull(),
    kind: text('kind', { enum: GATEWAY_KINDS }).notNull(),
    secretSealed: text('secret_sealed').notNull(),
    settings: jsonb('settings').$type<GatewaySettings>().notNull().default({}),
    state: text('state', { enum: GATEWAY_STATES }).notNull().default('unknown'),
    /** The last genuine delivery or heartbeat. */
    lastSeenAt: ts('last_seen_at'),
    createdAt: ts('created_at').notNull(),
    removedAt: ts('removed_at'),
  },
  (t) => [
    uniqueIndex('gateways_name_key').on(t.name).where(sql`${t.removedAt} is null`),
    check('gateways_name_slug', sql`${t.name} ~ '^[a-z0-9][a-z0-9-]{0,39}$'`),
  ],
);

/** The operator's own numbers, each on one gateway, sold through the provider `pool`. */
export const poolNumbers = pgTable(
  'pool_numbers',
  {
    id: text('id').primaryKey(),
    gatewayId: text('gateway_id')
      .notNull()
      .references(() => gateways.id),
    /** E.164 with the leading `+`. */
    number: text('number').notNull(),
    /** ISO 3166-1 alpha-2. */
    country: text('country').notNull(),
    /** Service codes it may be sold for; null: every service of the catalog. */
    services: text('services').array(),
    /** The Android device id and SIM slot (1-based) that receive it. */
    device: text('device'),
    sim: integer('sim'),
    /** What one sale costs the operator, micro-units of USD (the pool's currency). */
    cost: bigint('cost', { mode: 'number' }).notNull().default(0),
    state: text('state', { enum: POOL_NUMBER_STATES }).notNull().default('free'),
    /** While `cooling`: late SMS of the ended order still reach it; sold again after this. */
    coolingUntil: ts('cooling_until'),
    lastSoldAt: ts('last_sold_at'),
    createdAt: ts('created_at').notNull(),
    removedAt: ts('removed_at'),
  },
  (t) => [
    uniqueIndex('pool_numbers_number_key').on(t.number).where(sql`${t.removedAt} is null`),
    uniqueIndex('pool_numbers_device_sim_key')
      .on(t.gatewayId, t.device, t.sim)
      .where(sql`${t.removedAt} is null and ${t.device} is not null`),
    index('pool_numbers_gateway_idx').on(t.gatewayId),
    check('pool_numbers_cost', sql`${t.cost} >= 0`),
    check('pool_numbers_sim', sql`${t.sim} is null or (${t.sim} between 1 and 16 and ${t.device} is not null)`),
    check('pool_numbers_cooling', sql`(${t.state} = 'cooling') = (${t.coolingUntil} is not null)`),
  ],
);

/**
 * A number held by an order (its `upstreamId` is the lease id) or, later, a rental. At most one open
 * lease per number.
 */
export const poolLeases = pgTable(
  'pool_leases',
  {
    id: text('id').primaryKey(),
    numberId: text('number_id')
      .notNull()
      .references(() => poolNumbers.id),
    kind: text('kind', { enum: LEASE_KINDS }).notNull(),
    /** The service sold; null for a rental. */
    service: text('service'),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at'),
    /** An SMS reached it (an order that got none gives its service use back). */
    gotSms: boolean('got_sms').notNull().default(false),
  },
  (t) => [
    uniqueIndex('pool_leases_open_key').on(t.numberId).where(sql`${t.endedAt} is null`),
    index('pool_leases_number_idx').on(t.numberId, t.startedAt),
    index('pool_leases_ended_idx').on(t.endedAt),
    check('pool_leases_service', sql`(${t.kind} = 'order') = (${t.service} is not null)`),
  ],
);

/** A number sold for a service: not sold for it again within POOL_REUSE_DAYS. */
export const poolServiceUses = pgTable(
  'pool_service_uses',
  {
    numberId: text('number_id')
      .notNull()
      .references(() => poolNumbers.id),
    service: text('service').notNull(),
    usedAt: ts('used_at').notNull(),
    leaseId: text('lease_id')
      .notNull()
      .references(() => poolLeases.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.leaseId, t.service] }),
    index('pool_service_uses_number_idx').on(t.numberId, t.service, t.usedAt),
    index('pool_service_uses_used_idx').on(t.usedAt),
  ],
);

/**
 * Every inbound SMS once, per gateway: by the channel's message id and by its content (the Android
 * app sends one SMS again under another event id). Sender and text are kept only for unmatched
 * messages (sealed), for staff; never shown to a customer.
 */
export const gatewayMessages = pgTable(
  'gateway_messages',
  {
    id: text('id').primaryKey(),
    gatewayId: text('gateway_id')
      .notNull()
      .references(() => gateways.id),
    /** The channel's id of the message (the app's event id, Twilio's MessageSid), when it has one. */
    messageKey: text('message_key'),
    /** SHA-256 of (receiver, sender, receivedAt, text), when the channel says when it arrived. */
    contentKey: text('content_key'),
    numberId: text('number_id').references(() => poolNumbers.id),
    leaseId: text('lease_id').references(() => poolLeases.id, { onDelete: 'set null' }),
    outcome: text('outcome', { enum: GATEWAY_MESSAGE_OUTCOMES }).notNull(),
    senderSealed: text('sender_sealed'),
    textSealed: text('text_sealed'),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [
    uniqueIndex('gateway_messages_message_key').on(t.gatewayId, t.messageKey).where(sql`${t.messageKey} is not null`),
    uniqueIndex('gateway_messages_content_key').on(t.gatewayId, t.contentKey).where(sql`${t.contentKey} is not null`),
    index('gateway_messages_received_idx').on(t.receivedAt),
    // A lease deleted by retention sets its messages' lease_id to null: found through this index.
    index('gateway_messages_lease_idx').on(t.leaseId),
    // The staff's page of unmatched messages, newest first: a few among every message received.
    index('gateway_messages_unmatched_idx').on(t.id).where(sql`${t.outcome} = 'unmatched'`),
    check('gateway_messages_text_unmatched', sql`${t.outcome} = 'unmatched' or (${t.textSealed} is null and ${t.senderSealed} is null)`),
  ],
);

/** Signed deliveries already accepted: the very same one sent again is refused. Purged after the stale window. */
export const gatewayReplays = pgTable(
  'gateway_replays',
  {
    gatewayId: text('gateway_id')
      .notNull()
      .references(() => gateways.id, { onDelete: 'cascade' }),
    replayKey: text('replay_key').notNull(),
    seenAt: ts('seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.gatewayId, t.replayKey] }), index('gateway_replays_seen_idx').on(t.seenAt)],
);
