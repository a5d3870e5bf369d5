/**
 * Types for what otpbox uses of the `smpp` package 0.5.1 (farhadi/node-smpp), which ships none.
 * Read from its lib/smpp.js, lib/pdu.js and lib/defs.js.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** A PDU: its header, then its parameters and TLVs as fields named as in the spec. */
    interface PDU {
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      isResponse(): boolean;
      /** The response PDU to this request (generic_nack for an unknown command). */
      response(options?: Record<string, unknown>): PDU;
      /** The PDU's bytes (runs the encode filters). */
      toBuffer(): Buffer;
      [field: string]: unknown;
    }

    type ResponseCallback = (pdu: PDU) => void;
    type PduOptions = Record<string, unknown>;

    interface Session extends EventEmitter {
      socket: Socket;
      /** Writes the PDU; false (and nothing written) when the socket is not writable. */
      send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
      bind_receiver(options: PduOptions, responseCallback?: ResponseCallback): boolean;
      bind_transceiver(options: PduOptions, responseCallback?: ResponseCallback): boolean;
      enquire_link(options?: PduOptions, responseCallback?: ResponseCallback): boolean;
      unbind(options?: PduOptions, responseCallback?: ResponseCallback): boolean;
      deliver_sm(options: PduOptions, responseCallback?: ResponseCallback): boolean;
      data_sm(options: PduOptions, responseCallback?: ResponseCallback): boolean;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      url?: string;
      host?: string;
      port?: number;
      tls?: boolean;
      auto_enquire_link_period?: number;
      /** Passed on to tls.connect (rejectUnauthorized, ca, servername, …). */
      [option: string]: unknown;
    }

    interface Filter {
      encode(this: PDU, value: unknown): unknown;
      decode(this: PDU, value: unknown, skipUdh?: boolean): unknown;
    }

    interface ParamDefinition {
      type: unknown;
      filter?: Filter;
      default?: unknown;
    }

    interface CommandDefinition {
      id: number;
      command: string;
      params?: Record<string, ParamDefinition>;
    }

    interface TlvDefinition {
      id: number;
      tag: string;
      type: unknown;
      filter?: Filter;
    }
  }

  const smpp: {
    connect(options: smpp.ConnectOptions, listener?: () => void): smpp.Session;
    createServer(options: Record<string, unknown>, listener?: (session: smpp.Session) => void): smpp.Server;
    /** A new request or response by command name, or a PDU parsed from its bytes. */
    PDU: new (
      command: string | Buffer,
      options?: smpp.PduOptions,
    ) => smpp.PDU;
    commands: Record<string, smpp.CommandDefinition>;
    tlvs: Record<string, smpp.TlvDefinition>;
    filters: { message: smpp.Filter };
    errors: Record<string, number>;
    consts: Record<string, Record<string, number>>;
  };
  export = smpp;
}
