import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type pg from 'pg';
import type { Logger } from 'pino';
import { AUTH_CHANNEL, BALANCE_CHANNEL, CATALOG_CHANNEL, EVENT_CHANNEL, GATEWAY_CHANNEL, STATS_CHANNEL } from '../db/channels.ts';
import { type Database, ownConnection } from '../db/client.ts';
import { accountEventHeads, accountEvents } from '../db/schema/index.ts';
import type { AccountEvent, AccountEventType } from '../modules/events/index.ts';

/**
 * Fans account events out to this instance's live connections (the event stream). Events are written
 * by whichever instance made the change and announced with NOTIFY; every instance LISTENs, so a
 * customer connected anywhere hears of a code that arrived anywhere.
 */
/**
 * An account's event number `seq` exists: with the event itself when it travelled in the
 * notification, without it when it must be read (too large to travel, or after the listener
 * reconnected: then `seq` is the account's newest number, and anything up to it may have been missed).
 */
export interface Announcement {
  accountId: string;
  seq: number;
  event?: AccountEvent;
}

export interface EventBus {
  /** Live announcements of one account's events; returns the unsubscribe function. */
  subscribe(accountId: string, listener: (announcement: Announcement) => void): () => void;
  /**
   * Every event announced on any instance, as it is announced (for caches). `type` is set when the
   * event travelled whole, and `activationId` when it names an order; `'*'` as accountId means
   * "anything may have changed" (the listener reconnected and may have missed announcements).
   */
  onAnyEvent(listener: (announcement: AnyEvent) => void): () => void;
  /**
   * An account's balances changed in a transaction that committed, on any instance or process: heard
   * on the balance channel (transfers no order announces) and from `balance.updated` events (an order's
   * hold, capture or release; ledger/balance-changes.ts); `'*'`: anything may have changed.
   */
  onBalanceChange(listener: (accountId: string) => void): () => void;
  /** An account's credentials, standing or profile changed (`'*'`: anything may have changed). */
  onAuthChange(listener: (accountId: string) => void): () => void;
  /** Providers, offers or catalog rules changed somewhere (`'*'`: anything may have changed). */
  onCatalogChange(listener: (what: string) => void): () => void;
  /**
   * The overview's figures changed in a transaction that committed, on any instance (the rollup
   * triggers' NOTIFY, ADR 33), or may have while the listener was away.
   */
  onStatsChange(listener: () => void): () => void;
  /** An own gateway was added or removed somewhere (its name; `'*'`: anything may have changed). */
  onGatewayChange(listener: (name: string) => void): () => void;
  /** Stored events of an account numbered after `afterSeq`, in order. */
  since(accountId: string, afterSeq: number, limit?: number): Promise<AccountEvent[]>;
  /** The number of an account's newest event (0 before its first). */
  head(accountId: string): Promise<number>;
  close(): Promise<void>;
}

/** What a cache learns of an event announced anywhere (see `onAnyEvent`). */
export interface AnyEvent {
  accountId: string;
  type?: AccountEventType;
  activationId?: string;
}

type Listener = (announcement: Announcement) => void;

export async function startEventBus(
  database: Database,
  log: Logger,
  options: {
    /** PostgreSQL: how often a quiet LISTEN connection is asked whether it still answers (LISTEN_PROBE_MS). */
    listenProbeMs?: number;
  } = {},
): Promise<EventBus> {
  const listeners = new Map<string, Set<Listener>>();
  const anyListeners = new Set<(announcement: AnyEvent) => void>();
  const authListeners = new Set<(accountId: string) => void>();
  const balanceListeners = new Set<(accountId: string) => void>();
  const catalogListeners = new Set<(what: string) => void>();
  const statsListeners = new Set<() => void>();
  const gatewayListeners = new Set<(name: string) => void>();
  const gatewayChanged = (name: string) => {
    for (const listener of gatewayListeners) listener(name);
  };
  const statsChanged = () => {
    for (const listener of statsListeners) listener();
  };
  const catalogChanged = (what: string) => {
    for (const listener of catalogListeners) listener(what);
  };
  let closed = false;
  const announce = (event: AnyEvent) => {
    for (const listener of anyListeners) listener(event);
  };
  const authChanged = (accountId: string) => {
    for (const listener of authListeners) listener(accountId);
  };
  const balanceChanged = (accountId: string) => {
    for (const listener of balanceListeners) listener(accountId);
  };

  const since = async (accountId: string, afterSeq: number, limit = 500): Promise<AccountEvent[]> => {
    const rows = await database.db
      .select()
      .from(accountEvents)
      .where(and(eq(accountEvents.accountId, accountId), gt(accountEvents.seq, afterSeq)))
      .orderBy(asc(accountEvents.seq))
      .limit(limit);
    return rows.map((row) => ({
      id: row.id,
      seq: row.seq,
      accountId: row.accountId,
      type: row.type as AccountEventType,
      payload: row.payload,
      createdAt: row.createdAt.toISOString(),
    }));
  };

  const head = async (accountId: string): Promise<number> => {
    const [row] = await database.db
      .select({ seq: accountEventHeads.seq })
      .from(accountEventHeads)
      .where(eq(accountEventHeads.accountId, accountId));
    return row?.seq ?? 0;
  };

  const deliver = (announcement: Announcement) => {
    for (const listener of listeners.get(announcement.accountId) ?? []) {
      try {
        listener(announcement);
      } catch (error) {
        log.warn({ err: error }, 'event listener failed');
      }
    }
  };

  const onNotification = (payload: string | undefined) => {
    if (!payload) return;
    let message: Partial<AccountEvent> & { seq: number; accountId: string };
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (typeof message.accountId !== 'string' || !Number.isSafeInteger(message.seq)) return;
    const activationId = typeof message.payload?.activationId === 'string' ? message.payload.activationId : undefined;
    // An event too large to travel inline says neither its type nor which order it names.
    announce(message.payload ? { accountId: message.accountId, type: message.type, activationId } : { accountId: message.accountId });
    // An order's hold, capture or release is announced by its balance.updated event, not on the balance
    // channel (ledger/balance-changes.ts); an event too large to say its type may be one.
    if (message.type === 'balance.updated' || !message.payload) balanceChanged(message.accountId);
    if (!listeners.has(message.accountId)) return;
    // Too large to travel in the notification: announced by number, the stream reads it.
    const inline = message.type && message.payload && typeof message.id === 'number';
    deliver({ accountId: message.accountId, seq: message.seq, event: inline ? (message as AccountEvent) : undefined });
  };

  /**
   * After the listener reconnected, every announcement made meanwhile is lost: tell each stream the
   * newest number of its account (one query for all), so a stream behind it reads what it missed.
   */
  const resync = async () => {
    const accounts = [...listeners.keys()];
    for (let i = 0; i < accounts.length; i += 1000) {
      const batch = accounts.slice(i, i + 1000);
      const heads = await database.db.select().from(accountEventHeads).where(inArray(accountEventHeads.accountId, batch));
      for (const row of heads) deliver({ accountId: row.accountId, seq: row.seq });
    }
  };

  const onAuthNotification = (payload: string | undefined) => {
    if (payload) authChanged(payload);
  };
  const onCatalogNotification = (payload: string | undefined) => catalogChanged(payload ?? '*');
  const onStatsNotification = () => statsChanged();
  const onGatewayNotification = (payload: string | undefined) => gatewayChanged(payload ?? '*');
  const onBalanceNotification = (payload: string | undefined) => {
    if (payload) balanceChanged(payload);
  };
  const onReconnect = () => {
    // Announcements may have been missed while disconnected: every cache must start over, and every
    // stream learns how far its account's events went.
    announce({ accountId: '*' });
    authChanged('*');
    balanceChanged('*');
    catalogChanged('*');
    statsChanged();
    gatewayChanged('*');
    void resync().catch((error) => log.warn({ err: error }, 'could not resynchronise the event streams after a reconnect'));
  };

  let stopListening: () => Promise<void>;
  if (database.raw.engine === 'pglite') {
    const unlistenEvents = await database.raw.client.listen(EVENT_CHANNEL, onNotification);
    const unlistenAuth = await database.raw.client.listen(AUTH_CHANNEL, onAuthNotification);
    const unlistenCatalog = await database.raw.client.listen(CATALOG_CHANNEL, onCatalogNotification);
    const unlistenBalance = await database.raw.client.listen(BALANCE_CHANNEL, onBalanceNotification);
    const unlistenStats = await database.raw.client.listen(STATS_CHANNEL, onStatsNotification);
    const unlistenGateways = await database.raw.client.listen(GATEWAY_CHANNEL, onGatewayNotification);
    stopListening = async () => {
      await unlistenEvents();
      await unlistenAuth();
      await unlistenCatalog();
      await unlistenBalance();
      await unlistenStats();
      await unlistenGateways();
    };
  } else {
    stopListening = await listenOnPostgres(
      database.raw.url,
      {
        [EVENT_CHANNEL]: onNotification,
        [AUTH_CHANNEL]: onAuthNotification,
        [CATALOG_CHANNEL]: onCatalogNotification,
        [BALANCE_CHANNEL]: onBalanceNotification,
        [STATS_CHANNEL]: onStatsNotification,
        [GATEWAY_CHANNEL]: onGatewayNotification,
      },
      onReconnect,
      log,
      () => closed,
      options.listenProbeMs ?? LISTEN_PROBE_MS,
    );
  }

  return {
    subscribe(accountId, listener) {
      let set = listeners.get(accountId);
      if (!set) {
        set = new Set();
        listeners.set(accountId, set);
      }
      set.add(listener);
      return () => {
        set?.delete(listener);
        if (set?.size === 0) listeners.delete(accountId);
      };
    },
    since,
    head,
    onAnyEvent(listener) {
      anyListeners.add(listener);
      return () => anyListeners.delete(listener);
    },
    onAuthChange(listener) {
      authListeners.add(listener);
      return () => authListeners.delete(listener);
    },
    onBalanceChange(listener) {
      balanceListeners.add(listener);
      return () => balanceListeners.delete(listener);
    },
    onCatalogChange(listener) {
      catalogListeners.add(listener);
      return () => catalogListeners.delete(listener);
    },
    onStatsChange(listener) {
      statsListeners.add(listener);
      return () => statsListeners.delete(listener);
    },
    onGatewayChange(listener) {
      gatewayListeners.add(listener);
      return () => gatewayListeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      await stopListening();
    },
  };
}

/**
 * How long the listener waits before its next connection attempt, after `failures` attempts in a row
 * failed: quick at first, and never more than two seconds, so that an instance hears events again
 * within seconds of the database's return (a restart of PostgreSQL, a fail-over) rather than after a
 * long back-off. The count starts again after every successful connection.
 */
export function listenRetryDelayMs(failures: number): number {
  return Math.min(250 * 2 ** failures, 2000);
}

/**
 * How often the LISTEN connection, when it heard nothing for that long, is asked whether it still
 * answers (`select 1`), and how long it has to answer, and to open (ADR 51). A connection that stopped
 * answering without being closed (a network that drops packets, a frozen host, a fail-over that left
 * the old address silent) would otherwise look idle: TCP keepalive tells it from a quiet one only after
 * about twelve minutes with Linux's defaults, and meanwhile no instance's streams hear of events
 * written elsewhere. With the probe it is reset and replaced within three periods (15 s), and the
 * streams catch up as after any reconnect. A busy connection is never asked: its notifications show it
 * answers.
 */
export const LISTEN_PROBE_MS = 5_000;

/**
 * A dedicated connection for LISTEN (a pooled one would lose it), reconnected when it drops. A lost
 * connection is handled once, whichever of its `error` and `end` events comes first: two handlers would
 * schedule two reconnections, and the second listener would deliver every notification twice.
 */
async function listenOnPostgres(
  url: string,
  channels: Record<string, (payload: string | undefined) => void>,
  onReconnect: () => void,
  log: Logger,
  isClosed: () => boolean,
  probeMs: number,
) {
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let connectedBefore = false;
  let failures = 0;
  const scheduleRetry = () => {
    if (isClosed()) return;
    clearTimeout(retry);
    retry = setTimeout(() => void connect(), listenRetryDelayMs(failures++));
  };
  const connect = async (): Promise<void> => {
    if (isClosed()) return;
    // Every statement on it must be answered within probeMs, or the connection is reset (ADR 51).
    const connection = await ownConnection({ url, applicationName: 'otpbox-events', answerMs: probeMs, log });
    const next = connection.client;
    let lost = false;
    let probe: NodeJS.Timeout | undefined;
    const onLost = (error: Error | undefined, message: string) => {
      if (lost) return;
      lost = true;
      clearInterval(probe);
      if (client === next) client = undefined;
      if (isClosed()) return;
      log.warn({ err: error }, message);
      void next.end().catch(() => {});
      scheduleRetry();
    };
    let heard = 0;
    next.on('notification', (message) => {
      heard++;
      channels[message.channel]?.(message.payload);
    });
    next.on('error', (error) => onLost(error, 'event listener connection lost; reconnecting'));
    next.on('end', () => onLost(undefined, 'event listener connection closed; reconnecting'));
    try {
      await connection.open();
      for (const channel of Object.keys(channels)) await next.query(`listen ${channel}`);
    } catch (error) {
      onLost(error as Error, 'cannot listen for events; retrying');
      return;
    }
    if (lost) return;
    client = next;
    failures = 0;
    let asking = false;
    let heardAtLastLook = heard;
    probe = setInterval(() => {
      if (asking) return;
      if (heard !== heardAtLastLook) {
        heardAtLastLook = heard;
        return;
      }
      // Under the client's deadline: unanswered within probeMs, the connection is reset.
      asking = true;
      next.query('select 1').then(
        () => {
          asking = false;
        },
        () => {},
      );
    }, probeMs);
    probe.unref();
    if (connectedBefore) onReconnect();
    connectedBefore = true;
  };
  await connect();
  return async () => {
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
