import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { storableText } from '../../lib/text.ts';
import type { GatewayReply, GatewayWebhookChannel, GatewayWebhookOutcome, GatewayWebhookRequest, InboundSms } from '../port.ts';

/** The app's docs: accept a timestamp only within five minutes of ours, either way. */
export const STALE_AFTER_MS = 5 * 60_000;

const json = (status: number, body: unknown): GatewayReply => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
const ACCEPTED = json(200, { received: true });

const header = (headers: GatewayWebhookRequest['headers'], name: string): string | undefined => {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** HMAC-SHA256 of the raw body immediately followed by the timestamp string, in lower-case hex: what the app sends as X-Signature. */
export function signAndroidWebhook(secret: string, rawBody: Buffer | string, timestamp: string): string {
  return createHmac('sha256', secret).update(rawBody).update(timestamp).digest('hex');
}

/**
 * SMS Gateway for Android (capcom6/android-sms-gateway) webhooks: `X-Signature` (lower-case hex
 * HMAC-SHA256 of the raw body followed by `X-Timestamp`, Unix seconds) checked in constant time before
 * the body is parsed; a timestamp more than five minutes off is `stale` (the app stamps each attempt
 * afresh, so a genuine retry is never stale). `sms:received` gives one InboundSms, received on
 * (deviceId, simNumber) with `recipient` as a hint; `system:ping` and every other event only show the
 * phone is alive. The envelope `id` is the message id (the app repeats it on retries, but may send
 * one SMS again under another id: the pool also dedupes on content).
 */
export class AndroidSmsGatewayChannel implements GatewayWebhookChannel {
  readonly kind = 'android-sms-gateway' as const;

  receive(request: GatewayWebhookRequest, secret: string, now: Date): GatewayWebhookOutcome {
    const signature = header(request.headers, 'x-signature')?.trim().toLowerCase();
    const timestamp = header(request.headers, 'x-timestamp')?.trim();
    if (!signature || !timestamp)
      return refuse('bad_signature', 'X-Signature and X-Timestamp are required (set the signing key in the app)');
    if (!/^\d{1,12}$/.test(timestamp)) return refuse('bad_signature', 'X-Timestamp is not Unix seconds');
    const expected = Buffer.from(signAndroidWebhook(secret, request.rawBody, timestamp), 'hex');
    const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(expected.length);
    // Constant time, and a malformed signature compared too (against zeros) so it takes as long.
    const matches = timingSafeEqual(given, expected) && /^[0-9a-f]{64}$/.test(signature);
    if (!matches) return refuse('bad_signature', 'X-Signature does not match the body and timestamp under this gateway’s signing key');
    if (Math.abs(now.getTime() - Number(timestamp) * 1000) > STALE_AFTER_MS)
      return refuse('stale', 'X-Timestamp is more than 5 minutes away from our clock (is the phone’s clock right?)');

    let envelope: unknown;
    try {
      envelope = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return refuse('malformed', 'the body is not JSON');
    }
    const parsed = readEnvelope(envelope);
    if (typeof parsed === 'string') return refuse('malformed', parsed);
    return {
      ok: true,
      messages: parsed,
      alive: true,
      replayKey: createHash('sha256').update(`${timestamp}.${signature}`).digest('hex'),
      reply: ACCEPTED,
    };
  }
}

function refuse(reason: 'bad_signature' | 'stale' | 'malformed', message: string): GatewayWebhookOutcome {
  const status = reason === 'malformed' ? 400 : 401;
  return { ok: false, reason, message, reply: json(status, { error: { code: reason, message } }) };
}

const MAX_SIM_SLOT = 255;
const EARLIEST_RECEIVED_AT = Date.UTC(2000, 0, 1);
const LATEST_RECEIVED_AT = Date.UTC(10_000, 0, 1);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** The messages of an envelope `{deviceId, event, id, webhookId, payload}`, or why it cannot be read. */
function readEnvelope(envelope: unknown): InboundSms[] | string {
  if (!isObject(envelope)) return 'the body is not a webhook envelope';
  if (typeof envelope.event !== 'string') return 'the envelope has no event';
  if (envelope.event !== 'sms:received') return [];
  const deviceId = optionalString(envelope.deviceId);
  const payload = envelope.payload;
  if (!isObject(payload)) return 'sms:received without a payload';
  const text = typeof payload.message === 'string' ? payload.message : undefined;
  const sender = optionalString(payload.sender) ?? optionalString(payload.phoneNumber);
  if (text === undefined || !sender) return 'sms:received without message or sender';
  // A phone's SIM slot: a small whole number; anything else names no slot (the device alone routes it).
  const sim =
    typeof payload.simNumber === 'number' &&
    Number.isInteger(payload.simNumber) &&
    payload.simNumber > 0 &&
    payload.simNumber <= MAX_SIM_SLOT
      ? payload.simNumber
      : undefined;
  const recipient = optionalString(payload.recipient);
  if (!deviceId && !recipient) return 'sms:received names neither the device nor the receiving number';
  let receivedAt: Date | null = null;
  if (typeof payload.receivedAt === 'string') {
    // A time the phone could have said (a year from 2000 to 9999); any other is the time of arrival.
    const at = new Date(payload.receivedAt);
    if (at.getTime() >= EARLIEST_RECEIVED_AT && at.getTime() < LATEST_RECEIVED_AT) receivedAt = at;
  }
  return [
    {
      receiver: {
        ...(recipient ? { number: storableText(recipient) } : {}),
        ...(deviceId ? { device: storableText(deviceId) } : {}),
        ...(sim !== undefined ? { sim } : {}),
      },
      sender: storableText(sender).slice(0, 64),
      text: storableText(text),
      receivedAt,
      ...(optionalString(envelope.id) ? { messageId: storableText(envelope.id as string).slice(0, 200) } : {}),
    },
  ];
}
