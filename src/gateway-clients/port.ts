/**
 * The gateway port: how SMS reach otpbox on the operator's own numbers (issue 20). Three channels:
 * - a phone running the open-source SMS Gateway for Android app, which POSTs signed `sms:received`
 *   (and `system:ping`) webhooks to `/webhooks/gateways/{name}`;
 * - Twilio, which POSTs its signed inbound-message webhook to the same route and wants TwiML back;
 * - an SMPP link to an aggregator's SMSC, which otpbox binds to and which sends `deliver_sm`.
 *
 * A channel only turns what arrived into `InboundSms` values, after checking that it is genuine. It
 * knows nothing of orders, numbers or the database: the pool (src/modules/pool) routes each message
 * by its receiver to the order or rental that holds the number, or records it for staff.
 */

export const GATEWAY_KINDS = ['android-sms-gateway', 'twilio', 'smpp'] as const;
export type GatewayKind = (typeof GATEWAY_KINDS)[number];
export type WebhookGatewayKind = Exclude<GatewayKind, 'smpp'>;

/** The receiving side of a message, as the channel names it (at least one of the two forms). */
export interface Receiver {
  /** The receiving number in E.164 with the leading `+`, when the channel names it (Twilio `To`, SMPP `destination_addr`, the app's `recipient`). */
  number?: string;
  /** The Android device id and SIM slot (1-based, the app's `simNumber`), for the app whose payload may not name the number. */
  device?: string;
  sim?: number;
}

/** One SMS a gateway received on one of the operator's numbers, whole (multipart messages reassembled). */
export interface InboundSms {
  receiver: Receiver;
  /** The sender as the channel gives it: a number or an alphanumeric sender id. */
  sender: string;
  text: string;
  /** When the phone or the SMSC says it arrived; null when the channel does not say. */
  receivedAt: Date | null;
  /** The channel's id of this message, when it has one that retries repeat (Twilio `MessageSid`, the app's event `id`). */
  messageId?: string;
}

/** A webhook as it reached `/webhooks/gateways/{name}`: the raw body, because signatures cover bytes. */
export interface GatewayWebhookRequest {
  /** The public URL the sender called, query string included (what Twilio signs): PUBLIC_URL + path. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** What the route answers the sender: Twilio wants TwiML, the app any 2xx. */
export interface GatewayReply {
  status: number;
  contentType: string;
  body: string;
}

export type GatewayWebhookOutcome =
  | {
      ok: true;
      /** The SMS in this delivery (none for a heartbeat or an event we do not use). */
      messages: InboundSms[];
      /** The gateway showed it is alive (any genuine delivery does; `system:ping` only does that). */
      alive: true;
      /** For a replay check: a value that is the same only when the very same signed delivery is sent again. */
      replayKey: string;
      reply: GatewayReply;
    }
  | {
      ok: false;
      /** `bad_signature`: forged or wrongly keyed; `stale`: a timestamp outside the window; `malformed`: unreadable. */
      reason: 'bad_signature' | 'stale' | 'malformed';
      /** For logs; never contains the secret. */
      message: string;
      reply: GatewayReply;
    };

export interface GatewayWebhookChannel {
  readonly kind: WebhookGatewayKind;
  /** Check the signature (constant time) before reading the body, then parse it. Never throws on bad input. */
  receive(request: GatewayWebhookRequest, secret: string, now: Date): GatewayWebhookOutcome;
}

/** The state of an SMPP link, reported as it changes (the pool marks the gateway's numbers out of stock while not `bound`). */
export type SmppLinkState = 'connecting' | 'bound' | 'down' | 'stopped';

export interface SmppLinkOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  /** `receiver` (default) only receives; `transceiver` for SMSCs that insist on it. */
  bindAs?: 'receiver' | 'transceiver';
  /** `ssmpp://` (TLS) instead of `smpp://`. */
  tls?: boolean;
  /** The SMSC default alphabet (data_coding 0): `gsm` (default) or `latin1`. */
  defaultAlphabet?: 'gsm' | 'latin1';
  /** enquire_link every this many ms (default 30 000); the link is dropped when one goes unanswered. */
  enquireLinkMs?: number;
  /** Reconnect back-off: first wait and cap (defaults 1 000 and 60 000 ms), doubled with jitter. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export interface SmppLinkHandlers {
  /**
   * A whole message arrived. Its last `deliver_sm` part is acknowledged once this resolves; when it
   * rejects that part is refused with a temporary error (ESME_RX_T_APPN) so the SMSC delivers it again.
   * Earlier parts of a long message are acknowledged as they are stored (holding them would stall an
   * SMSC that sends one message at a time; ADR 39). A redelivered message may arrive twice: dedupe.
   */
  onMessage(sms: InboundSms): Promise<void>;
  onState(state: SmppLinkState, detail?: string): void;
}
