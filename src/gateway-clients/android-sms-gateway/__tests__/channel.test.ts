import { describe, expect, it } from 'vitest';
import { AndroidSmsGatewayChannel, signAndroidWebhook } from '../channel.ts';

const KEY = 'Xb3kP9qZ';
const NOW = new Date('2026-06-01T12:00:00.000Z');
const seconds = (date: Date) => String(Math.floor(date.getTime() / 1000));

/** An `sms:received` delivery as the app (v1.54+) sends it: the envelope of docs/features/webhooks.md. */
const smsReceived = (overrides: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) => ({
  deviceId: 'ffffffffceb0b1db0000018e937c815b',
  event: 'sms:received',
  id: 'Ey6ECgOkVVFjz3CL48B8C',
  webhookId: 'LreFUt-Z3sSq0JufY9uWB',
  payload: {
    messageId: 'abc123',
    message: 'Android is always a good choice. Your code is 654321',
    sender: '+6505551212',
    phoneNumber: '+6505551212',
    recipient: '+14155550100',
    simNumber: 1,
    receivedAt: '2026-06-01T14:59:58.000+03:00',
    ...payload,
  },
  ...overrides,
});

function delivery(body: unknown, options: { key?: string; timestamp?: string; signature?: string } = {}) {
  const rawBody = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const timestamp = options.timestamp ?? seconds(NOW);
  return {
    url: 'https://otpbox.example/webhooks/gateways/phone',
    headers: {
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      'x-signature': options.signature ?? signAndroidWebhook(options.key ?? KEY, rawBody, timestamp),
    },
    rawBody,
  };
}

const channel = new AndroidSmsGatewayChannel();

describe('the SMS Gateway for Android channel', () => {
  it('reads a signed sms:received: receiver by device and SIM (recipient as a hint), sender, text, time with its offset, event id', () => {
    const outcome = channel.receive(delivery(smsReceived()), KEY, NOW);
    expect(outcome).toEqual({
      ok: true,
      alive: true,
      replayKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      reply: { status: 200, contentType: 'application/json', body: '{"received":true}' },
      messages: [
        {
          receiver: { number: '+14155550100', device: 'ffffffffceb0b1db0000018e937c815b', sim: 1 },
          sender: '+6505551212',
          text: 'Android is always a good choice. Your code is 654321',
          receivedAt: new Date('2026-06-01T11:59:58.000Z'),
          messageId: 'Ey6ECgOkVVFjz3CL48B8C',
        },
      ],
    });
  });

  it('takes the deprecated phoneNumber when sender is absent, and works without recipient or simNumber', () => {
    const outcome = channel.receive(delivery(smsReceived({}, { sender: undefined, recipient: null, simNumber: null })), KEY, NOW);
    expect(outcome.ok && outcome.messages[0]).toMatchObject({
      receiver: { device: 'ffffffffceb0b1db0000018e937c815b' },
      sender: '+6505551212',
    });
  });

  it('a SIM slot or a time no phone could send names no slot and means the time of arrival (they failed the database: 500)', () => {
    for (const simNumber of [2_147_483_648, 1e308, 256, -1, 0, 1.5, '1', true]) {
      const outcome = channel.receive(delivery(smsReceived({}, { simNumber })), KEY, NOW);
      expect(outcome.ok && outcome.messages[0]?.receiver, String(simNumber)).toEqual({
        number: '+14155550100',
        device: 'ffffffffceb0b1db0000018e937c815b',
      });
    }
    for (const receivedAt of [
      '0000-01-01T00:00:00Z',
      '-271821-04-20T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      '1999-12-31T23:59:59Z',
      'garbage',
    ]) {
      const outcome = channel.receive(delivery(smsReceived({}, { receivedAt })), KEY, NOW);
      expect(outcome.ok && outcome.messages[0]?.receivedAt, receivedAt).toBeNull();
    }
    const kept = channel.receive(delivery(smsReceived({}, { simNumber: 2, receivedAt: '2031-01-01T00:00:00Z' })), KEY, NOW);
    expect(kept.ok && kept.messages[0]).toMatchObject({ receiver: { sim: 2 }, receivedAt: new Date('2031-01-01T00:00:00Z') });
  });

  it('system:ping and events it does not use are signs of life without messages', () => {
    for (const event of ['system:ping', 'sms:sent', 'app:started']) {
      const outcome = channel.receive(
        delivery({ deviceId: 'd', event, id: 'x', webhookId: 'w', payload: { health: { status: 'pass' } } }),
        KEY,
        NOW,
      );
      expect(outcome).toMatchObject({ ok: true, alive: true, messages: [] });
    }
  });

  it('refuses a forged or wrongly keyed signature before reading the body, and a missing one', () => {
    expect(channel.receive(delivery(smsReceived(), { key: 'another' }), KEY, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(channel.receive(delivery('not even json', { key: 'another' }), KEY, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(channel.receive(delivery(smsReceived(), { signature: 'zz' }), KEY, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const upper = delivery(smsReceived());
    upper.headers['x-signature'] = upper.headers['x-signature'].toUpperCase();
    expect(channel.receive(upper, KEY, NOW).ok).toBe(true);
    const { 'x-signature': _, ...unsigned } = delivery(smsReceived()).headers;
    const refused = channel.receive({ ...delivery(smsReceived()), headers: unsigned }, KEY, NOW);
    expect(refused).toMatchObject({ ok: false, reason: 'bad_signature', reply: { status: 401 } });
    expect(JSON.stringify(refused)).not.toContain(KEY);
    // The body changed after signing.
    const tampered = delivery(smsReceived());
    tampered.rawBody = Buffer.from(tampered.rawBody.toString().replace('654321', '111111'));
    expect(channel.receive(tampered, KEY, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a genuine delivery whose timestamp is more than five minutes off, either way', () => {
    for (const offset of [-301, 301]) {
      const timestamp = String(Number(seconds(NOW)) + offset);
      expect(channel.receive(delivery(smsReceived(), { timestamp }), KEY, NOW)).toMatchObject({
        ok: false,
        reason: 'stale',
        reply: { status: 401 },
      });
    }
    expect(channel.receive(delivery(smsReceived(), { timestamp: String(Number(seconds(NOW)) - 299) }), KEY, NOW).ok).toBe(true);
  });

  it('the replay key is the same only for the very same signed delivery', () => {
    const first = channel.receive(delivery(smsReceived()), KEY, NOW);
    const again = channel.receive(delivery(smsReceived()), KEY, NOW);
    const retried = channel.receive(delivery(smsReceived(), { timestamp: String(Number(seconds(NOW)) + 10) }), KEY, NOW);
    expect(first.ok && again.ok && first.replayKey === again.replayKey).toBe(true);
    expect(first.ok && retried.ok && first.replayKey !== retried.replayKey).toBe(true);
  });

  it('a signed body it cannot read is malformed (400), never a crash', () => {
    expect(channel.receive(delivery('{"event":'), KEY, NOW)).toMatchObject({ ok: false, reason: 'malformed', reply: { status: 400 } });
    expect(channel.receive(delivery({ event: 'sms:received', payload: {} }), KEY, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(channel.receive(delivery([1, 2]), KEY, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    // A NUL in the text is cleaned, not stored.
    const nul = channel.receive(delivery(smsReceived({}, { message: 'code\u0000 123456' })), KEY, NOW);
    expect(nul.ok && nul.messages[0]?.text).not.toContain('\u0000');
  });
});
