import type { ConnectionOptions } from 'node:tls';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../lib/clock.ts';
import type { InboundSms, SmppLinkHandlers, SmppLinkOptions, SmppLinkState } from '../port.ts';
import { decodeText, readDeliver } from './decode.ts';
import { type SmppPdu, type SmppSession, smpp } from './library.ts';
import { Reassembler } from './reassembly.ts';

/**
 * One SMPP 3.4 session to an aggregator's SMSC, kept up: otpbox is the ESME and binds as a receiver
 * (or transceiver) to receive the SMS sent to the operator's numbers (issue 20).
 *
 * The `smpp` package parses and writes PDUs; everything a long-lived receiver needs on top is here:
 * - every `deliver_sm` / `data_sm` is answered, after `onMessage` resolved (0), or with the temporary
 *   ESME_RX_T_APPN (0x64) when it rejected, so the SMSC delivers it again; a PDU that cannot be read
 *   gets the permanent ESME_RX_P_APPN (0x65); delivery receipts are answered and dropped;
 * - the parts of a concatenated message (UDH or SAR) are answered as they are stored, and the part
 *   that completes it once the whole message was taken (or refused: then the other parts are kept
 *   for its redelivery). Holding every part's answer instead would stall an SMSC whose window is one
 *   PDU: it sends part 2 only once part 1 is answered;
 * - every incoming `enquire_link` is answered, and our own is sent every `enquireLinkMs`: when the
 *   previous one is still unanswered the link is dropped (the library has no response timeout);
 * - connecting and binding must finish within `bindTimeoutMs`;
 * - reconnection with exponential back-off and jitter between reconnectMinMs and reconnectMaxMs,
 *   reset by a successful bind; a bind refused for its credentials (ESME_RBINDFAIL, ESME_RINVPASWD,
 *   ESME_RINVSYSID) is reported `down` with the status and retried at the cap only;
 * - `stop()` unbinds (waiting for unbind_resp a bounded time), closes, and stops reconnecting;
 * - an `error` listener on every session (an unhandled one ends the process); the password is never
 *   logged nor put in a state detail.
 */

export interface SmppLinkDeps {
  /** For the reassembly timeout. */
  clock?: Clock;
  logger?: Logger;
  /** In [0, 1): the back-off's jitter. */
  random?: () => number;
  /** Give up on a multipart message this long after its first part. Default 60 000 ms. */
  partTimeoutMs?: number;
  /** Connecting (and TLS) and the bind answer within this. Default 30 000 ms. */
  bindTimeoutMs?: number;
  /** stop() waits this long for unbind_resp, then for the connection to close. Default 5 000 ms. */
  unbindTimeoutMs?: number;
  /** Passed to tls.connect for `tls` links (ca, rejectUnauthorized, servername, …). */
  tlsOptions?: ConnectionOptions;
}

export interface SmppLinkStats {
  /** Whole messages onMessage took. */
  delivered: number;
  /** Messages onMessage refused (answered ESME_RX_T_APPN). */
  refused: number;
  /** Delivery receipts and other notifications, answered and dropped. */
  receiptsDropped: number;
  /** PDUs that could not be read (answered ESME_RX_P_APPN). */
  unreadable: number;
  /** Multipart messages given up because a part never came. */
  partsTimedOut: number;
  /** Successful binds. */
  binds: number;
}

const ESME_ROK = 0;
const ESME_RX_T_APPN = 0x64;
const ESME_RX_P_APPN = 0x65;
const ESME_RINVCMDID = 0x03;
const CREDENTIAL_REFUSALS = new Set([0x0d, 0x0e, 0x0f]);
const SMPP_3_4 = 0x34;
/** Requests we answer ourselves; alert_notification and outbind have no response. */
const HANDLED = new Set(['deliver_sm', 'data_sm', 'enquire_link', 'unbind', 'alert_notification', 'outbind']);

const STATUS_NAMES = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

export function statusName(status: number): string {
  return `${STATUS_NAMES.get(status) ?? 'status'} (0x${status.toString(16).padStart(8, '0').toUpperCase()})`;
}

interface Connection {
  session: SmppSession;
  bound: boolean;
  /** Why it is being dropped, said by us; else the socket's error, else the peer closed it. */
  reason: string | null;
  error: string | null;
  timers: NodeJS.Timeout[];
  closed: Promise<void>;
  markClosed: () => void;
}

export class SmppLink {
  readonly #options: Required<Omit<SmppLinkOptions, 'tls'>> & { tls: boolean };
  readonly #handlers: SmppLinkHandlers;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #random: () => number;
  readonly #bindTimeoutMs: number;
  readonly #unbindTimeoutMs: number;
  readonly #tlsOptions: ConnectionOptions;
  readonly #reassembler: Reassembler;
  readonly #partTimeoutMs: number;
  #state: SmppLinkState = 'stopped';
  #running = false;
  #connection: Connection | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  #attempt = 0;
  #stats = { delivered: 0, refused: 0, receiptsDropped: 0, unreadable: 0, binds: 0 };

  constructor(options: SmppLinkOptions, handlers: SmppLinkHandlers, deps: SmppLinkDeps = {}) {
    if (!options.host) throw new TypeError('An SMPP link needs a host');
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)
      throw new TypeError('An SMPP link needs a port in 1..65535');
    if (!options.systemId) throw new TypeError('An SMPP link needs a system_id');
    const reconnectMinMs = options.reconnectMinMs ?? 1_000;
    this.#options = {
      host: options.host,
      port: options.port,
      systemId: options.systemId,
      password: options.password,
      bindAs: options.bindAs ?? 'receiver',
      tls: options.tls ?? false,
      defaultAlphabet: options.defaultAlphabet ?? 'gsm',
      enquireLinkMs: options.enquireLinkMs ?? 30_000,
      reconnectMinMs,
      reconnectMaxMs: Math.max(reconnectMinMs, options.reconnectMaxMs ?? 60_000),
    };
    this.#handlers = handlers;
    this.#clock = deps.clock ?? systemClock;
    this.#logger = deps.logger?.child({ smsc: `${options.host}:${options.port}`, systemId: options.systemId });
    this.#random = deps.random ?? Math.random;
    this.#bindTimeoutMs = deps.bindTimeoutMs ?? 30_000;
    this.#unbindTimeoutMs = deps.unbindTimeoutMs ?? 5_000;
    this.#tlsOptions = deps.tlsOptions ?? {};
    this.#partTimeoutMs = deps.partTimeoutMs ?? 60_000;
    this.#reassembler = new Reassembler({ timeoutMs: this.#partTimeoutMs });
  }

  get state(): SmppLinkState {
    return this.#state;
  }

  get stats(): SmppLinkStats {
    return { ...this.#stats, partsTimedOut: this.#reassembler.expired };
  }

  /** Connect and bind, and keep doing so until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#attempt = 0;
    const sweepEvery = Math.max(1_000, Math.min(this.#partTimeoutMs, 10_000));
    this.#sweepTimer = setInterval(() => this.#sweep(), sweepEvery).unref();
    this.#connect();
  }

  /** Unbind politely, close, and stop reconnecting. Resolves once the connection is closed. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = null;
    const connection = this.#connection;
    if (!connection) {
      this.#setState('stopped');
      return;
    }
    if (connection.bound) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#unbindTimeoutMs);
        const sent = connection.session.unbind({}, () => {
          clearTimeout(timer);
          resolve();
        });
        if (!sent) {
          clearTimeout(timer);
          resolve();
        }
      });
      connection.reason ??= 'stopped';
      connection.session.close();
      const fallback = setTimeout(() => connection.session.destroy(), this.#unbindTimeoutMs).unref();
      await connection.closed;
      clearTimeout(fallback);
    } else {
      this.#drop(connection, 'stopped');
      await connection.closed;
    }
  }

  #connect(): void {
    this.#setState('connecting');
    const { host, port, tls } = this.#options;
    const session = smpp.connect({ host, port, tls, ...(tls ? this.#tlsOptions : {}) });
    let markClosed = () => {};
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const connection: Connection = { session, bound: false, reason: null, error: null, timers: [], closed, markClosed };
    this.#connection = connection;
    connection.timers.push(
      setTimeout(() => {
        if (!connection.bound) this.#drop(connection, `not bound within ${this.#bindTimeoutMs} ms`);
      }, this.#bindTimeoutMs).unref(),
    );
    session.on('error', (error: unknown) => {
      // A socket error, or a PDU the library could not parse (after which it reads no more): close.
      connection.error ??= describe(error);
      session.destroy();
    });
    session.on('close', () => this.#closed(connection));
    session.on(tls ? 'secureConnect' : 'connect', () => this.#bind(connection));
    session.on('pdu', (pdu: SmppPdu) => this.#onRequest(connection, pdu));
  }

  #bind(connection: Connection): void {
    const { session } = connection;
    const fields = { system_id: this.#options.systemId, password: this.#options.password, interface_version: SMPP_3_4 };
    const answered = (pdu: SmppPdu) => {
      if (pdu.command_status === ESME_ROK) {
        connection.bound = true;
        this.#attempt = 0;
        this.#stats.binds++;
        this.#setState('bound');
        this.#keepAlive(connection);
        return;
      }
      const refusal = `bind refused: ${statusName(pdu.command_status)}`;
      this.#drop(connection, refusal, CREDENTIAL_REFUSALS.has(pdu.command_status));
    };
    if (this.#options.bindAs === 'transceiver') session.bind_transceiver(fields, answered);
    else session.bind_receiver(fields, answered);
  }

  #keepAlive(connection: Connection): void {
    let unanswered = false;
    const timer = setInterval(() => {
      if (unanswered) {
        this.#drop(connection, `enquire_link unanswered for ${this.#options.enquireLinkMs} ms`);
        return;
      }
      unanswered = true;
      const sent = connection.session.enquire_link({}, () => {
        unanswered = false;
      });
      if (!sent) this.#drop(connection, 'the connection is not writable');
    }, this.#options.enquireLinkMs).unref();
    connection.timers.push(timer);
  }

  #onRequest(connection: Connection, pdu: SmppPdu): void {
    if (pdu.isResponse()) return; // the library calls the request's callback
    const { session } = connection;
    switch (pdu.command) {
      case 'deliver_sm':
      case 'data_sm':
        this.#onMessage(session, pdu).catch((error: unknown) => {
          // Nothing in it should throw; if it does, the SMSC gets no answer and redelivers.
          this.#logger?.error({ err: error }, 'SMPP: a message could not be handled');
        });
        return;
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'unbind':
        session.send(pdu.response());
        connection.reason = 'the SMSC unbound';
        session.close();
        connection.timers.push(setTimeout(() => session.destroy(), this.#unbindTimeoutMs).unref());
        return;
    }
    if (HANDLED.has(pdu.command)) return;
    session.send(new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: ESME_RINVCMDID }));
  }

  async #onMessage(session: SmppSession, pdu: SmppPdu): Promise<void> {
    const answer = (status: number) => session.send(pdu.response(status === ESME_ROK ? {} : { command_status: status }));
    const read = readDeliver(pdu);
    if (read.kind === 'receipt') {
      this.#stats.receiptsDropped++;
      answer(ESME_ROK);
      return;
    }
    if (read.kind === 'unreadable') {
      this.#stats.unreadable++;
      this.#logger?.warn({ command: pdu.command, reason: read.reason }, 'SMPP: refused a PDU that cannot be read (ESME_RX_P_APPN)');
      answer(ESME_RX_P_APPN);
      return;
    }
    const sms = (bytes: Uint8Array, dataCoding: number): InboundSms => ({
      receiver: { number: read.destination },
      sender: read.source,
      text: decodeText(bytes, dataCoding, this.#options.defaultAlphabet),
      receivedAt: null,
    });
    if (!read.concatenation) {
      answer((await this.#deliver(sms(read.body, read.dataCoding))) ? ESME_ROK : ESME_RX_T_APPN);
      return;
    }
    const now = this.#clock.now().getTime();
    const added = this.#reassembler.add({ ...read, concatenation: read.concatenation }, now);
    if (added.kind === 'stored' || added.kind === 'duplicate') {
      answer(ESME_ROK);
      return;
    }
    if (added.kind === 'busy') {
      answer(ESME_RX_T_APPN); // its message is being handed over right now: ask again later
      return;
    }
    const taken = await this.#deliver(sms(added.bytes, added.dataCoding));
    if (taken) this.#reassembler.delivered(added.key, this.#clock.now().getTime());
    else this.#reassembler.failed(added.key, added.seq);
    answer(taken ? ESME_ROK : ESME_RX_T_APPN);
  }

  async #deliver(sms: InboundSms): Promise<boolean> {
    try {
      await this.#handlers.onMessage(sms);
      this.#stats.delivered++;
      return true;
    } catch (error) {
      this.#stats.refused++;
      this.#logger?.warn({ err: error }, 'SMPP: onMessage refused a message; answered ESME_RX_T_APPN for the SMSC to deliver it again');
      return false;
    }
  }

  /** Close the connection for `reason`; `#closed` then reports and reconnects. */
  #drop(connection: Connection, reason: string, atCap = false): void {
    connection.reason ??= reason;
    if (atCap) this.#attempt = Number.POSITIVE_INFINITY;
    connection.session.destroy();
  }

  #closed(connection: Connection): void {
    for (const timer of connection.timers) clearTimeout(timer);
    connection.timers = [];
    connection.bound = false;
    connection.markClosed();
    if (this.#connection !== connection) return;
    this.#connection = null;
    if (!this.#running) {
      this.#setState('stopped');
      return;
    }
    const delay = this.#nextDelay();
    const why = connection.reason ?? connection.error ?? 'the SMSC closed the connection';
    this.#setState('down', `${why}; next attempt in ${delay} ms`);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#running) this.#connect();
    }, delay).unref();
  }

  /** Exponential back-off with jitter: the n-th wait is in [½, 1] × min(max, min × 2ⁿ), never below min. */
  #nextDelay(): number {
    const { reconnectMinMs: min, reconnectMaxMs: max } = this.#options;
    if (this.#attempt === Number.POSITIVE_INFINITY) {
      this.#attempt = 0;
      return max; // refused credentials: wait the longest, they will not fix themselves in a second
    }
    const ceiling = Math.min(max, min * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.max(min, Math.round(ceiling / 2 + (this.#random() * ceiling) / 2));
  }

  #sweep(): void {
    const given = this.#reassembler.sweep(this.#clock.now().getTime());
    if (given > 0) this.#logger?.warn({ given }, 'SMPP: gave up on multipart messages whose parts did not all arrive');
  }

  #setState(state: SmppLinkState, detail?: string): void {
    this.#state = state;
    if (state === 'down') this.#logger?.warn({ detail }, 'SMPP link down');
    else this.#logger?.info({ state }, `SMPP link ${state}`);
    try {
      this.#handlers.onState(state, detail);
    } catch (error) {
      this.#logger?.error({ err: error }, 'SMPP: onState threw');
    }
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
