/**
 * The PostgreSQL NOTIFY channels otpbox uses, in one place: whoever announces (pg_notify) and whoever
 * listens (runtime/event-bus.ts) import the name from here. A test checks that SQL in the migrations
 * names no other channel.
 */

/** Account events (modules/events): the payload is the event, or its number when too large. */
export const EVENT_CHANNEL = 'otpbox_events';

/** A change to an account's credentials or access (modules/accounts): the payload is the account id. */
export const AUTH_CHANNEL = 'otpbox_auth';

/** Providers, their offers or the catalog rules changed (modules/catalog): the payload says which. */
export const CATALOG_CHANNEL = 'otpbox_catalog';

/**
 * A customer's balance changed by a transfer no order event announces — a grant, a purchase, a reversal,
 * demo credits (ledger/balance-changes.ts, ADR 22): the payload is the account id.
 */
export const BALANCE_CHANNEL = 'otpbox_balance';

/** The overview's figures changed (triggers of migration 0021, ADR 33): no payload; staff streams refresh. */
export const STATS_CHANNEL = 'otpbox_stats';

/**
 * An own gateway was added or removed (modules/pool, in the transaction of the change): the payload is
 * its name. Every instance re-reads its SMPP links at once (runtime/gateway-links.ts, ADR 39).
 */
export const GATEWAY_CHANNEL = 'otpbox_gateways';

export const NOTIFY_CHANNELS = [EVENT_CHANNEL, AUTH_CHANNEL, CATALOG_CHANNEL, BALANCE_CHANNEL, STATS_CHANNEL, GATEWAY_CHANNEL] as const;
