import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { PushRequest } from '../../port.ts';
import { failure, upstream, value } from './setup.ts';

const push = (body: unknown): PushRequest => ({ headers: { 'content-type': 'application/json' }, query: {}, body });

describe('SMS-Activate webhook', () => {
  it('reads the documented payload, numbers or strings', async () => {
    const { provider } = await upstream();
    const parse = (body: unknown) =>
      value(provider.parsePush?.(push(body)) ?? { ok: false, failure: { kind: 'protocol_error', message: 'no parser' } });
    const expected = [{ upstreamId: '123456', code: '12345', text: 'Sms text 12345', receivedAt: null }];
    expect(
      parse({ activationId: 123456, service: 'go', text: 'Sms text 12345', code: '12345', country: 2, receivedAt: '2023-01-01 12:00:00' }),
    ).toEqual(expected);
    expect(
      parse({
        activationId: '123456',
        service: 'go',
        text: 'Sms text 12345',
        code: 12345,
        country: '2',
        receivedAt: '2023-01-01 12:00:00',
      }),
    ).toEqual(expected);
  });

  it('makes what the sender wrote storable: NULs dropped, unpaired surrogates replaced', async () => {
    const { provider } = await upstream();
    const parsed = provider.parsePush?.(push({ activationId: 7, id: 'm\u0000-1', text: 'Code\u0000 4821 \ud800', code: '48\u000021' }));
    expect(value(parsed ?? { ok: false, failure: { kind: 'protocol_error', message: 'no parser' } })).toEqual([
      { upstreamId: '7', messageId: 'm-1', code: '4821', text: 'Code 4821 \ufffd', receivedAt: null },
    ]);
  });

  it('keeps a zoned receivedAt and the message id HeroSMS adds, and null code or text', async () => {
    const { provider } = await upstream();
    const result = provider.parsePush?.(
      push({
        activationId: 9,
        id: 'm-77',
        phoneFrom: 'Telegram',
        service: 'tg',
        text: null,
        code: null,
        country: 62,
        receivedAt: '2026-09-08T10:15:30.000000Z',
      }),
    );
    expect(result && value(result)).toEqual([
      { upstreamId: '9', code: null, text: null, receivedAt: new Date('2026-09-08T10:15:30Z'), messageId: 'm-77' },
    ]);
  });

  it('accepts a list and a JSON string body', async () => {
    const { provider } = await upstream();
    const one = { activationId: 1, text: 'a 1', code: '1' };
    const two = { activationId: 2, text: 'b 2', code: '2' };
    expect(provider.parsePush?.(push([one, two]))).toMatchObject({ ok: true, value: [{ upstreamId: '1' }, { upstreamId: '2' }] });
    expect(provider.parsePush?.(push(JSON.stringify(one)))).toMatchObject({ ok: true, value: [{ upstreamId: '1', code: '1' }] });
  });

  it('refuses anything else', async () => {
    const { provider } = await upstream();
    const bad: unknown[] = [
      undefined,
      null,
      'not json',
      42,
      [],
      {},
      { activationId: 1 },
      { activationId: -1, code: '1' },
      { activationId: 1.5, code: '1' },
      { activationId: 'abc', code: '1' },
      { activationId: 1, code: { value: 1 } },
      { activationId: 1, text: ['a'] },
      { activationId: 1, code: '1', country: { id: 2 } },
      [{ activationId: 1, code: '1' }, { nope: true }],
      { rentId: '26251422', sms: { phoneFrom: 'X', text: 'code 2792', date: '2025-06-17 16:01:10' } },
    ];
    for (const body of bad) {
      const result = provider.parsePush?.(push(body));
      expect(result && failure(result).kind, JSON.stringify(body)).toBe('protocol_error');
    }
  });

  it('parses what the fake upstream pushes to a webhook', async () => {
    const { provider, fake } = await upstream();
    const received: unknown[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
      fake.deliverSms(upstreamId, { text: 'Telegram code 55555', code: '55555' });
      expect(await fake.pushSms(`http://127.0.0.1:${port}/webhooks/providers/sa-test`, upstreamId)).toBe(200);
      const parsed = provider.parsePush?.(push(received[0]));
      expect(parsed && value(parsed)).toEqual([{ upstreamId, code: '55555', text: 'Telegram code 55555', receivedAt: null }]);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('records an SMS that arrives after cancelling as late', async () => {
    const { provider, fake } = await upstream();
    const { upstreamId } = value(await provider.buyNumber({ service: 'tg', country: 'US' }));
    value(await provider.cancel(upstreamId));
    expect(fake.deliverSms(upstreamId, { text: 'late 1', code: '1' }).late).toBe(true);
    expect(value(await provider.checkStatus(upstreamId)).state).toBe('cancelled');
  });
});
