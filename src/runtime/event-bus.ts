import { and, asc, eq, gt } from 'drizzle-orm';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { accountEvents } from '../db/schema/index.ts';
import { type AccountEvent, type AccountEventType, EVENT_CHANNEL } from '../modules/events/emit.ts';
import { CATALOG_CHANNEL } from '../modules/providers/channel.ts';

/**
 * Fans account events out to this instance's live connections (the event stream). Events are written
 * by whichever instance made the change and announced with NOTIFY; every instance LISTENs, so a
 * customer connected anywhere hears of a code that arrived anywhere.
 */
/** Announced when an account's credentials or standing change (revocations, suspension, role). */
export const AUTH_CHANNEL = 'otpbox_auth';

export interface EventBus {
  /** Live events of one account; returns the unsubscribe function. */
  subscribe(accountId: string, listener: (event: AccountEvent) => void): () => void;
  /**
   * Every event announced on any instance, as it is announced (for caches). `activationId` is set
   * when the event names an order; `'*'` as accountId means "anything may have changed" (the listener
   * reconnected and may have missed announcements).
   */
  onAnyEvent(listener: (announcement: { accountId: string; activationId?: string }) => void): () => void;
  /** An account's credentials or standing changed (`'*'`: anything may have changed). */
  onAuthChange(listener: (accountId: string) => void): () => void;
  /** Providers, offers or catalog rules changed somewhere (`'*'`: anything may have changed). */
  onCatalogChange(listener: (what: string) => void): () => void;
  /** Stored events of an account after `afterId` (for `Last-Event-ID`), oldest first. */
  since(accountId: string, afterId: number, limit?: number): Promise<AccountEvent[]>;
  close(): Promise<void>;
}

type Listener = (event: AccountEvent) => void;

export async function startEventBus(database: Database, log: Logger): Promise<EventBus> {
  const listeners = new Map<string, Set<Listener>>();
  const anyListeners = new Set<(announcement: { accountId: string; activationId?: string }) => void>();
  const authListeners = new Set<(accountId: string) => void>();
  const catalogListeners = new Set<(what: string) => void>();
  const catalogChanged = (what: string) => {
    for (const listener of catalogListeners) listener(what);
  };
  let closed = false;
  const announce = (accountId: string, activationId?: string) => {
    for (const listener of anyListeners) listener({ accountId, activationId });
  };
  const authChanged = (accountId: string) => {
    for (const listener of authListeners) listener(accountId);
  };

  const since = async (accountId: string, afterId: number, limit = 500): Promise<AccountEvent[]> => {
    const rows = await database.db
      .select()
      .from(accountEvents)
      .where(and(eq(accountEvents.accountId, accountId), gt(accountEvents.id, afterId)))
      .orderBy(asc(accountEvents.id))
      .limit(limit);
    return rows.map((row) => ({
      id: row.id,
      accountId: row.accountId,
      type: row.type as AccountEventType,
      payload: row.payload,
      createdAt: row.createdAt.toISOString(),
    }));
  };

  const deliver = (event: AccountEvent) => {
    for (const listener of listeners.get(event.accountId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        log.warn({ err: error }, 'event listener failed');
      }
    }
  };

  const onNotification = (payload: string | undefined) => {
    if (!payload) return;
    let message: Partial<AccountEvent> & { id: number; accountId: string };
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    const activationId = typeof message.payload?.activationId === 'string' ? message.payload.activationId : undefined;
    // An event too large to travel inline does not say which order it names: the whole account is stale.
    announce(message.accountId, message.payload ? activationId : undefined);
    if (!listeners.has(message.accountId)) return;
    if (message.type && message.payload) {
      deliver(message as AccountEvent);
      return;
    }
    // Too large to travel in the notification: read it back.
    void since(message.accountId, message.id - 1, 1)
      .then((events) => events.forEach(deliver))
      .catch((error) => log.warn({ err: error }, 'could not read an announced event'));
  };

  const onAuthNotification = (payload: string | undefined) => {
    if (payload) authChanged(payload);
  };
  const onCatalogNotification = (payload: string | undefined) => catalogChanged(payload ?? '*');
  const onReconnect = () => {
    // Announcements may have been missed while disconnected: every cache must start over.
    announce('*');
    authChanged('*');
    catalogChanged('*');
  };

  let stopListening: () => Promise<void>;
  if (database.raw.engine === 'pglite') {
    const unlistenEvents = await database.raw.client.listen(EVENT_CHANNEL, onNotification);
    const unlistenAuth = await database.raw.client.listen(AUTH_CHANNEL, onAuthNotification);
    const unlistenCatalog = await database.raw.client.listen(CATALOG_CHANNEL, onCatalogNotification);
    stopListening = async () => {
      await unlistenEvents();
      await unlistenAuth();
      await unlistenCatalog();
    };
  } else {
    stopListening = await listenOnPostgres(
      database.raw.url,
      { [EVENT_CHANNEL]: onNotification, [AUTH_CHANNEL]: onAuthNotification, [CATALOG_CHANNEL]: onCatalogNotification },
      onReconnect,
      log,
      () => closed,
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
    onAnyEvent(listener) {
      anyListeners.add(listener);
      return () => anyListeners.delete(listener);
    },
    onAuthChange(listener) {
      authListeners.add(listener);
      return () => authListeners.delete(listener);
    },
    onCatalogChange(listener) {
      catalogListeners.add(listener);
      return () => catalogListeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      await stopListening();
    },
  };
}

/** A dedicated connection for LISTEN (a pooled one would lose it), reconnected when it drops. */
async function listenOnPostgres(
  url: string,
  channels: Record<string, (payload: string | undefined) => void>,
  onReconnect: () => void,
  log: Logger,
  isClosed: () => boolean,
) {
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let connectedBefore = false;
  const connect = async (delayMs: number): Promise<void> => {
    if (isClosed()) return;
    const next = new pg.Client({ connectionString: url, application_name: 'otpbox-events' });
    next.on('notification', (message) => channels[message.channel]?.(message.payload));
    next.on('error', (error) => {
      log.warn({ err: error }, 'event listener connection lost; reconnecting');
      void next.end().catch(() => {});
      retry = setTimeout(() => void connect(Math.min(delayMs * 2, 10_000)), delayMs);
    });
    try {
      await next.connect();
      for (const channel of Object.keys(channels)) await next.query(`listen ${channel}`);
      client = next;
      if (connectedBefore) onReconnect();
      connectedBefore = true;
    } catch (error) {
      log.warn({ err: error }, 'cannot listen for events; retrying');
      await next.end().catch(() => {});
      retry = setTimeout(() => void connect(Math.min(delayMs * 2, 10_000)), delayMs);
    }
  };
  await connect(250);
  return async () => {
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
