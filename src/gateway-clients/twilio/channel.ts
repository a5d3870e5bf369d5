import type { GatewayReply, GatewayWebhookChannel, GatewayWebhookOutcome, GatewayWebhookRequest, InboundSms } from '../port.ts';
import { HMAC_SHA1, HMAC_SHA256, validateRequest } from './validator.ts';

/**
 * Twilio's inbound messaging webhook (twilio.com/docs/messaging/guides/webhook-request): a signed
 * `application/x-www-form-urlencoded` POST to the URL configured on the number, answered with TwiML.
 *
 * - The signature (`X-Twilio-Signature`) is base64(HMAC-SHA1(Auth Token, URL + each param's name and
 *   value, sorted by name)), checked by the official library's `validateRequest` (constant time; it
 *   also tries the URL with and without the default port). The URL is the one Twilio called, as the
 *   route rebuilds it from PUBLIC_URL: a proxy that rewrites scheme, host or port breaks it.
 * - Params are parsed as sent, never trimmed: the signature covers them byte for byte. Twilio adds
 *   params without notice; all of them are signed and all are passed to the validator.
 * - Twilio signs no timestamp, so a replay is the same `MessageSid`: that is the replay key.
 * - The answer is an empty `<Response/>` (no reply SMS) as `text/xml`: an empty body is Twilio error
 *   11200 and a missing content type 12300.
 * - A refused signature gets 403 with a plain-text line, not TwiML: a forger needs no TwiML, and when
 *   it is Twilio (the URL or the Auth Token is wrong) Twilio's debugger shows that line to the
 *   operator, which says what to check. A refusal names no secret.
 * - Webhooks signed with a SharedKey (the `X-Twilio-Webhooks-Signature-Settings` header naming
 *   HMAC_SHA256) are checked with that algorithm: the gateway's secret is then that key. Any other
 *   algorithm is refused without asking the library (which would print a warning per request).
 * - A genuine status callback (`MessageStatus`, when the number's status URL points here) is
 *   acknowledged as a sign of life with no message.
 */

/** An empty TwiML document: "received, send nothing back". */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const TWIML_REPLY: GatewayReply = { status: 200, contentType: 'text/xml', body: EMPTY_TWIML };
const plain = (status: number, body: string): GatewayReply => ({ status, contentType: 'text/plain; charset=utf-8', body });
const FORBIDDEN = plain(403, 'Twilio signature check failed: the webhook URL or the Auth Token does not match.\n');
const MALFORMED = plain(400, 'Not a Twilio messaging webhook.\n');

type Params = Record<string, string | string[]>;

export function createTwilioChannel(): GatewayWebhookChannel {
  return {
    kind: 'twilio',
    receive(request: GatewayWebhookRequest, secret: string): GatewayWebhookOutcome {
      const signature = singleHeader(request.headers, 'x-twilio-signature');
      if (signature === undefined) return refused('bad_signature', 'no X-Twilio-Signature header');
      if (signature === null) return refused('bad_signature', 'more than one X-Twilio-Signature header');
      const settings = singleHeader(request.headers, 'x-twilio-webhooks-signature-settings');
      const algorithm = signatureAlgorithm(settings);
      if (!algorithm) return refused('bad_signature', 'an unsupported X-Twilio-Webhooks-Signature-Settings algorithm');
      if (!secret) return refused('bad_signature', 'no Auth Token configured for this gateway');

      const params = parseForm(request.rawBody);
      let valid: boolean;
      try {
        valid = validateRequest(secret, signature, request.url, params, algorithm);
      } catch {
        // validateRequest parses the URL with `new URL()` when the first comparison fails.
        valid = false;
      }
      if (!valid)
        return refused('bad_signature', `X-Twilio-Signature does not match ${algorithm} of the request to ${safeUrl(request.url)}`);

      const messageSid = single(params, 'MessageSid') ?? single(params, 'SmsSid');
      if (!messageSid) return refused('malformed', 'a signed request without MessageSid');
      const status = single(params, 'MessageStatus');
      if (status !== undefined) {
        // A status callback of a message sent from this number: alive, nothing received.
        return { ok: true, messages: [], alive: true, replayKey: `${messageSid}:${status}`, reply: TWIML_REPLY };
      }
      const from = single(params, 'From');
      const to = single(params, 'To');
      const body = params.Body === undefined ? '' : single(params, 'Body');
      if (!from || !to || body === undefined)
        return refused('malformed', `a signed message ${messageSid} without From, To or a single Body`);
      const sms: InboundSms = { receiver: { number: to }, sender: from, text: body, receivedAt: null, messageId: messageSid };
      return { ok: true, messages: [sms], alive: true, replayKey: messageSid, reply: TWIML_REPLY };
    },
  };
}

export const twilioChannel: GatewayWebhookChannel = createTwilioChannel();

function refused(reason: 'bad_signature' | 'malformed', message: string): GatewayWebhookOutcome {
  return { ok: false, reason, message: `Twilio webhook: ${message}`, reply: reason === 'bad_signature' ? FORBIDDEN : MALFORMED };
}

/** The form body as Twilio sent it: every param, repeated ones as arrays, nothing trimmed. */
export function parseForm(rawBody: Buffer): Params {
  const params: Params = Object.create(null);
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const seen = params[name];
    if (seen === undefined) params[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else params[name] = [seen, value];
  }
  return params;
}

function single(params: Params, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

/** The header's one value; undefined when absent, null when repeated. */
function singleHeader(headers: GatewayWebhookRequest['headers'], name: string): string | undefined | null {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) return value.length === 1 ? (value[0] ?? undefined) : null;
    return value;
  }
  return undefined;
}

/** HMAC_SHA1 without the settings header (the Auth Token signature); HMAC_SHA256 when a SharedKey signed it. */
function signatureAlgorithm(settings: string | null | undefined): string | null {
  if (settings === null) return null;
  if (!settings) return HMAC_SHA1;
  for (const part of settings.split(',')) {
    const separator = part.indexOf('=');
    if (separator === -1 || part.slice(0, separator).trim() !== 'algorithm') continue;
    const algorithm = part
      .slice(separator + 1)
      .trim()
      .toUpperCase();
    return algorithm === HMAC_SHA1 || algorithm === HMAC_SHA256 ? algorithm : null;
  }
  return HMAC_SHA1;
}

/** The URL for a log line: scheme, host and path, no query (it may carry tokens). */
function safeUrl(url: string): string {
  const query = url.search(/[?#]/);
  return query === -1 ? url : `${url.slice(0, query)}?…`;
}
