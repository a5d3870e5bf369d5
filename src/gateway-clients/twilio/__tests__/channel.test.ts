import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GatewayWebhookOutcome, GatewayWebhookRequest } from '../../port.ts';
import { createTwilioChannel, EMPTY_TWIML, parseForm } from '../channel.ts';
import { getExpectedTwilioSignature, HMAC_SHA256 } from '../validator.ts';
import { signedTwilioWebhook } from './fake-twilio.ts';

const AUTH_TOKEN = '12345678901234567890123456789012';
const URL_CALLED = 'https://otpbox.example.com/webhooks/gateways/twilio-main';
const NOW = new Date('2026-12-01T10:00:00Z');
const channel = createTwilioChannel();

/** The params of a real inbound SMS webhook (the shape of captured Twilio bodies). */
function inbound(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: 'SM0123456789abcdef0123456789abcdef',
    NumMedia: '0',
    ToCity: 'SAN FRANCISCO',
    FromZip: '94105',
    SmsSid: 'SM0123456789abcdef0123456789abcdef',
    FromState: 'CA',
    SmsStatus: 'received',
    FromCity: 'SAN FRANCISCO',
    Body: 'Your Telegram code is 12345',
    FromCountry: 'US',
    To: '+14155550100',
    MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
    ToZip: '94105',
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: 'SM0123456789abcdef0123456789abcdef',
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    From: '+14155550199',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

/** The body as Twilio sends it: form-encoded in its own order. */
const formBody = (params: Record<string, string>) => Buffer.from(new URLSearchParams(params).toString());

function request(
  params: Record<string, string>,
  signature: string | undefined,
  url = URL_CALLED,
  extra: Record<string, string> = {},
): GatewayWebhookRequest {
  const headers: GatewayWebhookRequest['headers'] = { 'content-type': 'application/x-www-form-urlencoded', ...extra };
  if (signature !== undefined) headers['x-twilio-signature'] = signature;
  return { url, headers, rawBody: formBody(params) };
}

/** Signed by the library's own signer, as Twilio would. */
const signed = (params: Record<string, string>, url = URL_CALLED) => signedTwilioWebhook(AUTH_TOKEN, url, params);

/** Twilio's algorithm written out: HMAC-SHA1 over the URL then each name+value sorted by name, base64. */
function signByHand(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

function accepted(outcome: GatewayWebhookOutcome) {
  if (!outcome.ok) throw new Error(`expected acceptance, got ${outcome.reason}: ${outcome.message}`);
  return outcome;
}

function refused(outcome: GatewayWebhookOutcome) {
  if (outcome.ok) throw new Error('expected a refusal');
  return outcome;
}

describe('the Twilio channel', () => {
  it('turns a genuine inbound SMS into one InboundSms, keyed for replays by MessageSid, answered with empty TwiML', () => {
    const params = inbound();
    const outcome = accepted(channel.receive(signed(params), AUTH_TOKEN, NOW));
    expect(outcome.messages).toEqual([
      {
        receiver: { number: '+14155550100' },
        sender: '+14155550199',
        text: 'Your Telegram code is 12345',
        receivedAt: null,
        messageId: 'SM0123456789abcdef0123456789abcdef',
      },
    ]);
    expect(outcome.alive).toBe(true);
    expect(outcome.replayKey).toBe('SM0123456789abcdef0123456789abcdef');
    expect(outcome.reply).toEqual({ status: 200, contentType: 'text/xml', body: EMPTY_TWIML });
    expect(EMPTY_TWIML).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('accepts a signature computed by hand (HMAC-SHA1 of the URL and the sorted params, base64), not only by the library', () => {
    const params = inbound({ Body: 'Code: 777-111' });
    const signature = signByHand(AUTH_TOKEN, URL_CALLED, params);
    expect(signature).toBe(getExpectedTwilioSignature(AUTH_TOKEN, URL_CALLED, params));
    const outcome = accepted(channel.receive(request(params, signature), AUTH_TOKEN, NOW));
    expect(outcome.messages[0]?.text).toBe('Code: 777-111');
  });

  it('keeps apostrophes, unicode, spaces, plus signs and newlines exactly (no trimming)', () => {
    const text = "  L'code d'accès: 4711 ✅ — 验证码 + 😀\nbye  ";
    const params = inbound({ Body: text });
    const outcome = accepted(channel.receive(request(params, signByHand(AUTH_TOKEN, URL_CALLED, params)), AUTH_TOKEN, NOW));
    expect(outcome.messages[0]?.text).toBe(text);
  });

  it('checks the query string Twilio called with, as part of the URL', () => {
    const url = `${URL_CALLED}?tag=o'brien&x=1`;
    const params = inbound();
    accepted(channel.receive(request(params, signByHand(AUTH_TOKEN, url, params), url), AUTH_TOKEN, NOW));
    refused(channel.receive(request(params, signByHand(AUTH_TOKEN, url, params), URL_CALLED), AUTH_TOKEN, NOW));
  });

  it('accepts the URL signed with or without the default port', () => {
    const params = inbound();
    const withPort = 'https://otpbox.example.com:443/webhooks/gateways/twilio-main';
    accepted(channel.receive(request(params, signByHand(AUTH_TOKEN, withPort, params), URL_CALLED), AUTH_TOKEN, NOW));
  });

  it('refuses a tampered param with 403', () => {
    const params = inbound();
    const signature = getExpectedTwilioSignature(AUTH_TOKEN, URL_CALLED, params);
    const outcome = refused(channel.receive(request({ ...params, Body: 'Your Telegram code is 99999' }, signature), AUTH_TOKEN, NOW));
    expect(outcome.reason).toBe('bad_signature');
    expect(outcome.reply.status).toBe(403);
    expect(outcome.reply.contentType).toMatch(/^text\/plain/);
  });

  it('refuses an added param, and a trimmed one', () => {
    const params = inbound({ Body: 'code 1234 ' });
    const signature = getExpectedTwilioSignature(AUTH_TOKEN, URL_CALLED, params);
    refused(channel.receive(request({ ...params, Extra: '1' }, signature), AUTH_TOKEN, NOW));
    refused(channel.receive(request({ ...params, Body: 'code 1234' }, signature), AUTH_TOKEN, NOW));
  });

  it('refuses a signature made for another URL (another gateway, http behind a proxy)', () => {
    const params = inbound();
    for (const other of [
      'https://otpbox.example.com/webhooks/gateways/other',
      'http://otpbox.example.com/webhooks/gateways/twilio-main',
      'https://evil.example.com/webhooks/gateways/twilio-main',
    ]) {
      const outcome = refused(channel.receive(request(params, getExpectedTwilioSignature(AUTH_TOKEN, other, params)), AUTH_TOKEN, NOW));
      expect(outcome.reason).toBe('bad_signature');
    }
  });

  it('refuses another Auth Token, a missing header, a repeated header and an empty secret, never naming the token', () => {
    const params = inbound();
    const wrongToken = refused(channel.receive(request(params, signByHand('another-token', URL_CALLED, params)), AUTH_TOKEN, NOW));
    expect(wrongToken.reason).toBe('bad_signature');
    expect(wrongToken.message).not.toContain(AUTH_TOKEN);

    const missing = refused(channel.receive(request(params, undefined), AUTH_TOKEN, NOW));
    expect(missing).toMatchObject({ reason: 'bad_signature', reply: { status: 403 } });
    expect(missing.message).toContain('no X-Twilio-Signature');

    const good = getExpectedTwilioSignature(AUTH_TOKEN, URL_CALLED, params);
    const repeated = { ...request(params, undefined), headers: { 'x-twilio-signature': [good, good] } };
    expect(refused(channel.receive(repeated, AUTH_TOKEN, NOW)).reason).toBe('bad_signature');

    expect(refused(channel.receive(signed(params), '', NOW)).reason).toBe('bad_signature');
  });

  it('never throws: an unparsable URL, a garbage body and a garbage signature are refusals', () => {
    expect(
      refused(channel.receive({ url: 'not a url', headers: { 'x-twilio-signature': 'x' }, rawBody: Buffer.from('%%%') }, AUTH_TOKEN, NOW))
        .reason,
    ).toBe('bad_signature');
    const binary = {
      url: URL_CALLED,
      headers: { 'x-twilio-signature': '\u0000\u00ff' },
      rawBody: Buffer.from([0xff, 0xfe, 0x00, 0x26, 0x3d]),
    };
    expect(refused(channel.receive(binary, AUTH_TOKEN, NOW)).reason).toBe('bad_signature');
  });

  it('reads the header in any case', () => {
    const params = inbound();
    const upper = request(params, undefined, URL_CALLED, {
      'X-Twilio-Signature': getExpectedTwilioSignature(AUTH_TOKEN, URL_CALLED, params),
    });
    accepted(channel.receive(upper, AUTH_TOKEN, NOW));
  });

  it('checks webhooks signed with a SharedKey (HMAC-SHA256 named by the settings header), refuses an unknown algorithm', () => {
    const params = inbound();
    const sharedKey = 'shared-key-secret';
    const signature = getExpectedTwilioSignature(sharedKey, URL_CALLED, params, HMAC_SHA256);
    const headers = { 'x-twilio-webhooks-signature-settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256' };
    accepted(channel.receive(request(params, signature, URL_CALLED, headers), sharedKey, NOW));
    // The same signature presented as SHA1 fails; an algorithm the library does not know is refused.
    refused(channel.receive(request(params, signature), sharedKey, NOW));
    const unknown = { 'x-twilio-webhooks-signature-settings': 'key=k,algorithm=HMAC_MD5' };
    expect(refused(channel.receive(request(params, signature, URL_CALLED, unknown), sharedKey, NOW)).reason).toBe('bad_signature');
  });

  it('answers a signed request that is no message as malformed (400)', () => {
    const params = { AccountSid: 'AC0123456789abcdef0123456789abcdef', From: '+14155550199' };
    const outcome = refused(channel.receive(signed(params), AUTH_TOKEN, NOW));
    expect(outcome).toMatchObject({ reason: 'malformed', reply: { status: 400 } });
    const noTo = inbound();
    delete (noTo as Record<string, string | undefined>).To;
    expect(refused(channel.receive(signed(noTo), AUTH_TOKEN, NOW)).reason).toBe('malformed');
  });

  it('takes an empty Body as an empty text (an MMS without words)', () => {
    const params = inbound({ Body: '', NumMedia: '1', MediaUrl0: 'https://api.twilio.com/media/1', MediaContentType0: 'image/jpeg' });
    expect(accepted(channel.receive(signed(params), AUTH_TOKEN, NOW)).messages[0]?.text).toBe('');
  });

  it('acknowledges a status callback as alive with no message, keyed by sid and status', () => {
    const params = { MessageSid: 'SMaaaa', MessageStatus: 'delivered', To: '+14155550199', From: '+14155550100', AccountSid: 'AC1' };
    const outcome = accepted(channel.receive(signed(params), AUTH_TOKEN, NOW));
    expect(outcome.messages).toEqual([]);
    expect(outcome.replayKey).toBe('SMaaaa:delivered');
  });

  it('gives the same replay key when the very same delivery comes again', () => {
    const params = inbound();
    const first = accepted(channel.receive(signed(params), AUTH_TOKEN, NOW));
    const again = accepted(channel.receive(signed(params), AUTH_TOKEN, NOW));
    expect(again.replayKey).toBe(first.replayKey);
  });
});

describe('parseForm', () => {
  it('decodes + and percent escapes, keeps repeated names as arrays, trims nothing', () => {
    const params = parseForm(Buffer.from('Body=+a%2Bb+&Body=%E2%9C%85&To=%2B1415&Empty='));
    expect(params).toEqual({ Body: [' a+b ', '✅'], To: '+1415', Empty: '' });
  });
});
