import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { type Database, ownConnection } from '../db/client.ts';
import type { SmppLinkOptions, SmppLinkState } from '../gateway-clients/port.ts';
import type { SmppLink, SmppLinkDeps } from '../gateway-clients/smpp/index.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretKeys } from '../lib/secrets.ts';
import type { ActivationDeps } from '../modules/activations/index.ts';
import type { Ctx } from '../modules/context.ts';
import { receiveGatewaySms } from '../modules/inbound-sms/index.ts';
import {
  type GatewayState,
  gatewaySecret,
  gatewaySeen,
  logTransition,
  markGatewayState,
  type SmppGatewayRow,
  smppGateways,
  syncPoolStock,
} from '../modules/pool/index.ts';
import type { EventBus } from './event-bus.ts';
import type { Metrics } from './metrics.ts';

/**
 * The SMPP links at run time (issue 20, ADR 39): for every SMPP gateway in use, one `SmppLink` bound to
 * the aggregator's SMSC, held by exactly one instance of all those sharing the database.
 *
 * Who holds a link: the instance that holds the session-level advisory lock of the gateway on a
 * dedicated PostgreSQL connection (`pg_try_advisory_lock`). The lock dies with the connection or the
 * process, so another instance takes it at its next attempt (every `retryMs`, 5 s by default). When
 * this instance loses its lock connection, it stops its links at once (another may bind now). On
 * PGlite there is one process per database: it holds every link.
 *
 * Links follow the gateways: `gateways add/remove` announce on GATEWAY_CHANNEL, every instance re-reads
 * the SMPP gateways at once (and every `retryMs` anyway, which also catches an announcement missed).
 * `gateway-clients/smpp` (and with it iconv-lite) is imported only once an SMPP gateway exists.
 *
 * What a link reports: a whole message → `receiveGatewaySms` (recorded once, routed to its order or
 * rental), then the gateway is seen; `bound` → the gateway `up` (its numbers in stock); `down`, or
 * `connecting` again after a drop → `down` (out of stock until it binds again), with a warning in the
 * log and `otpbox_gateway_up` 0. State changes of one gateway are written in the order they happened.
 */
export interface GatewayLinksOptions {
  database: Database;
  clock: Clock;
  config: Config;
  keys: SecretKeys;
  log: Logger;
  activations: ActivationDeps;
  events: Pick<EventBus, 'onGatewayChange'>;
  metrics?: Pick<Metrics, 'gatewaySms'>;
  /** How often the gateways are read again and links not held are tried (default 5 000 ms). */
  retryMs?: number;
  /** How long each statement on the lock connection has to be answered before it is reset (default 5 000 ms, ADR 51). */
  lockAnswerMs?: number;
  /** Link timings (tests shorten the back-off). */
  link?: Pick<SmppLinkOptions, 'enquireLinkMs' | 'reconnectMinMs' | 'reconnectMaxMs'> &
    Pick<SmppLinkDeps, 'tlsOptions' | 'unbindTimeoutMs' | 'bindTimeoutMs'>;
}

export interface HeldLink {
  name: string;
  state: SmppLinkState;
}

export interface GatewayLinks {
  /** The links this instance holds now. */
  held(): HeldLink[];
  /** Read the gateways again now (and take the links that are free); resolves when done. */
  refresh(): Promise<void>;
  /** Unbind every link held, release the locks. */
  close(): Promise<void>;
}

interface Entry {
  gateway: SmppGatewayRow;
  link: SmppLink;
  wasBound: boolean;
  /** What the gateway's row says, as far as this instance wrote it (to write `seen` at most every 30 s). */
  seen: { id: string; state: GatewayState; lastSeenAt: Date | null };
  /** State changes written in order. */
  chain: Promise<void>;
}

type SmppModule = typeof import('../gateway-clients/smpp/index.ts');

export async function startGatewayLinks(options: GatewayLinksOptions): Promise<GatewayLinks> {
  const { database, clock, config, keys, activations } = options;
  const log = options.log.child({ component: 'gateway-links' });
  const ctx: Ctx = { db: database.db, clock, config, keys, log };
  const retryMs = options.retryMs ?? 5_000;
  const entries = new Map<string, Entry>();
  const locks = linkLocks(database, log, () => void lost(), options.lockAnswerMs ?? 5_000);
  let smppModule: Promise<SmppModule> | undefined;
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;

  const stopEntry = async (entry: Entry, release: boolean) => {
    entries.delete(entry.gateway.id);
    await entry.link.stop().catch((error) => log.warn({ err: error, gateway: entry.gateway.name }, 'SMPP link did not stop cleanly'));
    await entry.chain;
    if (release) await locks.unlock(entry.gateway.id);
  };

  /** The lock connection died: the locks with it. Another instance may bind now, so stop at once. */
  const lost = async () => {
    if (closed) return;
    if (entries.size > 0)
      log.warn({ gateways: [...entries.values()].map((e) => e.gateway.name) }, 'lost the SMPP links lock connection: unbinding');
    await Promise.all([...entries.values()].map((entry) => stopEntry(entry, false)));
    void refresh();
  };

  const write = (entry: Entry, state: 'up' | 'down') => {
    entry.chain = entry.chain.then(async () => {
      try {
        await markGatewayState(ctx, entry.gateway.name, state);
        entry.seen = { ...entry.seen, state, lastSeenAt: state === 'up' ? clock.now() : entry.seen.lastSeenAt };
      } catch (error) {
        log.error({ err: error, gateway: entry.gateway.name, state }, 'could not record the SMPP gateway state');
      }
    });
  };

  const start = async (gateway: SmppGatewayRow) => {
    smppModule ??= import('../gateway-clients/smpp/index.ts');
    const { SmppLink } = await smppModule;
    const settings = gateway.settings;
    const entry = {
      gateway,
      wasBound: false,
      seen: { id: gateway.id, state: gateway.state, lastSeenAt: gateway.lastSeenAt },
      chain: Promise.resolve(),
    } as Entry;
    entry.link = new SmppLink(
      {
        host: settings.host as string,
        port: settings.port ?? 2775,
        systemId: settings.systemId as string,
        password: gatewaySecret(keys, gateway),
        bindAs: settings.bindAs,
        tls: settings.tls,
        defaultAlphabet: settings.alphabet,
        enquireLinkMs: options.link?.enquireLinkMs,
        reconnectMinMs: options.link?.reconnectMinMs,
        reconnectMaxMs: options.link?.reconnectMaxMs,
      },
      {
        onMessage: async (sms) => {
          const result = await receiveGatewaySms(ctx, activations, gateway, sms);
          options.metrics?.gatewaySms.inc({ gateway: gateway.name, outcome: result.outcome });
          // The message is recorded: a failure to note the gateway seen must not make the SMSC send it again.
          await seen(entry).catch((error) => log.warn({ err: error, gateway: gateway.name }, 'could not note the SMPP gateway seen'));
        },
        onState: (state) => {
          if (state === 'bound') {
            entry.wasBound = true;
            write(entry, 'up');
          } else if (state === 'down' || (state === 'connecting' && entry.wasBound)) {
            write(entry, 'down');
          }
        },
      },
      {
        clock,
        logger: log.child({ gateway: gateway.name }),
        tlsOptions: options.link?.tlsOptions,
        unbindTimeoutMs: options.link?.unbindTimeoutMs,
        bindTimeoutMs: options.link?.bindTimeoutMs,
      },
    );
    entries.set(gateway.id, entry);
    log.info({ gateway: gateway.name }, 'this instance holds the SMPP link: binding');
    entry.link.start();
  };

  const seen = async (entry: Entry) => {
    const now = clock.now();
    const before = await gatewaySeen(database.db, entry.seen, now);
    if (before === undefined) return;
    entry.seen = { ...entry.seen, state: 'up', lastSeenAt: now };
    if (before !== 'up') {
      logTransition(ctx, entry.gateway.name, 'up');
      if (before === 'down') await syncPoolStock(database.db, config, now);
    }
  };

  const pass = async () => {
    if (entries.size > 0) await locks.check();
    const rows = await smppGateways(database.db);
    const present = new Set(rows.map((row) => row.id));
    for (const entry of [...entries.values()])
      if (!present.has(entry.gateway.id)) {
        log.info({ gateway: entry.gateway.name }, 'SMPP gateway removed: unbinding');
        await stopEntry(entry, true);
      }
    for (const row of rows) {
      if (closed) return;
      if (entries.has(row.id)) continue;
      if (!(await locks.tryLock(row.id))) continue;
      if (closed) {
        await locks.unlock(row.id);
        return;
      }
      try {
        await start(row);
      } catch (error) {
        log.error({ err: error, gateway: row.name }, 'could not start the SMPP link');
        await locks.unlock(row.id);
      }
    }
  };

  const refresh = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (error) {
          log.warn({ err: error }, 'could not read the SMPP gateways; trying again shortly');
        }
      } while (again && !closed);
      running = undefined;
    })();
    return running;
  };

  const stopListening = options.events.onGatewayChange(() => void refresh());
  const timer = setInterval(() => void refresh(), retryMs);
  timer.unref();
  await refresh();

  return {
    held: () => [...entries.values()].map((entry) => ({ name: entry.gateway.name, state: entry.link.state })),
    refresh,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      stopListening();
      await running;
      await Promise.all([...entries.values()].map((entry) => stopEntry(entry, false)));
      await locks.close();
    },
  };
}

interface LinkLocks {
  tryLock(gatewayId: string): Promise<boolean>;
  /**
   * Whether the lock connection still answers, asked while links are held (ADR 51): one that does not
   * answer within `lockAnswerMs` is reset, and `onLost` follows, so that this instance unbinds before
   * PostgreSQL, which ends a silent client's session within about a minute, lets another bind.
   */
  check(): Promise<void>;
  unlock(gatewayId: string): Promise<void>;
  /** Ends the lock connection: every lock is released with it. */
  close(): Promise<void>;
}

/**
 * The links' locks. PostgreSQL: session-level advisory locks on a connection of their own (a pooled
 * one would hand the session to others), opened when the first SMPP gateway is tried; when it drops,
 * `onLost` is told and the next attempt opens another. PGlite: one process, every lock is ours.
 */
function linkLocks(database: Database, log: Logger, onLost: () => void, answerMs: number): LinkLocks {
  const raw = database.raw;
  if (raw.engine === 'pglite') return { tryLock: async () => true, check: async () => {}, unlock: async () => {}, close: async () => {} };
  let client: Promise<pg.Client> | undefined;
  let closing = false;
  const connection = (): Promise<pg.Client> => {
    client ??= (async () => {
      // Should this process vanish, PostgreSQL ends the session, and frees its locks, within a minute.
      const own = await ownConnection({ url: raw.url, applicationName: 'otpbox-gateway-links', answerMs, log });
      const next = own.client;
      let gone = false;
      const drop = (error?: Error) => {
        if (gone) return;
        gone = true;
        client = undefined;
        void next.end().catch(() => {});
        if (!closing) {
          log.warn({ err: error }, 'the SMPP links lock connection dropped');
          onLost();
        }
      };
      next.on('error', drop);
      next.on('end', () => drop());
      try {
        await own.open();
      } catch (error) {
        gone = true;
        client = undefined;
        void next.end().catch(() => {});
        throw error;
      }
      return next;
    })();
    return client;
  };
  const key = (gatewayId: string) => `otpbox:smpp-link:${gatewayId}`;
  return {
    async tryLock(gatewayId) {
      const c = await connection();
      const result = await c.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [key(gatewayId)]);
      return result.rows[0]?.locked === true;
    },
    async check() {
      const c = await client?.catch(() => undefined);
      // Failing, it has been reset: its `end` tells onLost.
      await c?.query('select 1').catch(() => {});
    },
    async unlock(gatewayId) {
      const c = await client?.catch(() => undefined);
      await c?.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key(gatewayId)]).catch(() => {});
    },
    async close() {
      closing = true;
      const c = await client?.catch(() => undefined);
      await c?.end().catch(() => {});
    },
  };
}
