import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type SmppPdu, type SmppServer, type SmppSession, smpp } from '../library.ts';

/**
 * A fake SMSC on 127.0.0.1, made with the same `smpp` package (`smpp.createServer`): accepts a bind
 * with one system_id and password, answers enquire_link (unless told not to), records what the ESME
 * sends, and delivers `deliver_sm` / `data_sm` to the bound session, resolving with the ESME's answer.
 * Tests wait on `until()`, which re-checks on every event, never on time.
 */
export interface FakeSmscOptions {
  systemId?: string;
  password?: string;
  /** TLS: key and cert (PEM) make it an `ssmpp` server. */
  key?: string;
  cert?: string;
}

export interface SeenBind {
  command: string;
  system_id: unknown;
  password: unknown;
  interface_version: unknown;
}

export class FakeSmsc extends EventEmitter {
  readonly systemId: string;
  readonly password: string;
  readonly server: SmppServer;
  port = 0;
  readonly binds: SeenBind[] = [];
  /** Bind attempts refused, and every request PDU the ESME sent, by command. */
  readonly received: string[] = [];
  unbinds = 0;
  enquireLinksAnswered = 0;
  answerEnquireLinks = true;
  bound: SmppSession | null = null;

  constructor(options: FakeSmscOptions = {}) {
    super();
    this.systemId = options.systemId ?? 'otpbox';
    this.password = options.password ?? 'secret1';
    const tls = options.key && options.cert ? { key: options.key, cert: options.cert } : {};
    this.server = smpp.createServer(tls, (session) => this.#accept(session));
    this.server.on('error', () => {});
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  #accept(session: SmppSession): void {
    session.on('error', () => {});
    session.on('close', () => {
      if (this.bound === session) this.bound = null;
      this.emit('change');
    });
    session.on('pdu', (pdu: SmppPdu) => {
      if (!pdu.isResponse()) this.received.push(pdu.command);
      if (pdu.command === 'bind_receiver' || pdu.command === 'bind_transceiver') {
        this.binds.push({
          command: pdu.command,
          system_id: pdu.system_id,
          password: pdu.password,
          interface_version: pdu.interface_version,
        });
        const refused = pdu.system_id !== this.systemId ? 0x0f : pdu.password !== this.password ? 0x0e : 0;
        session.send(pdu.response(refused ? { command_status: refused } : { system_id: 'fake-smsc' }));
        if (!refused) this.bound = session;
      } else if (pdu.command === 'enquire_link') {
        if (this.answerEnquireLinks) {
          session.send(pdu.response());
          this.enquireLinksAnswered++;
        }
      } else if (pdu.command === 'unbind') {
        this.unbinds++;
        session.send(pdu.response());
      }
      this.emit('change');
    });
  }

  /** Send a deliver_sm (or data_sm) to the bound ESME; resolves with its answer's command_status. */
  deliver(fields: Record<string, unknown>, command: 'deliver_sm' | 'data_sm' = 'deliver_sm'): Promise<number> {
    const session = this.bound;
    if (!session) throw new Error('no ESME is bound');
    return new Promise((resolve, reject) => {
      const answered = (pdu: SmppPdu) => resolve(pdu.command_status);
      const sent = command === 'deliver_sm' ? session.deliver_sm(fields, answered) : session.data_sm(fields, answered);
      if (!sent) reject(new Error('the session is not writable'));
    });
  }

  /** Send a request the ESME should answer; resolves with the answer. */
  request(command: string, fields: Record<string, unknown> = {}): Promise<SmppPdu> {
    const session = this.bound;
    if (!session) throw new Error('no ESME is bound');
    return new Promise((resolve) => session.send(new smpp.PDU(command, fields), resolve));
  }

  /** Cut every connection, as a crashing SMSC would. */
  dropAll(): void {
    for (const session of [...this.server.sessions]) session.destroy();
  }

  /** Resolves once `check()` holds, re-checking whenever this or `others` change. */
  until(check: () => boolean, ...others: EventEmitter[]): Promise<void> {
    return until(check, this, ...others);
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function until(check: () => boolean, ...emitters: EventEmitter[]): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const test = () => {
      if (!check()) return;
      for (const emitter of emitters) emitter.off('change', test);
      resolve();
    };
    for (const emitter of emitters) emitter.on('change', test);
  });
}
