import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { postRevenueCatWebhook, revenueCatSample } from '../../../../test/fakes/revenuecat-events.ts';
import { verifyRevenueCatAuthorization } from '../authorization.ts';
import { readRevenueCatWebhook } from '../normalise.ts';

const AUTH = 'Bearer rc-webhook-secret-0123456789';

describe('a RevenueCat webhook over HTTP', () => {
  it('is checked, parsed and normalised the way a route would', async () => {
    const facts: unknown[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (!verifyRevenueCatAuthorization(req.headers.authorization, AUTH)) return void res.writeHead(401).end();
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return void res.writeHead(400).end('invalid JSON');
        }
        const reading = readRevenueCatWebhook(body);
        if (!reading.ok) return void res.writeHead(400).end(reading.message);
        facts.push(reading.fact);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/revenuecat`;
      expect(await postRevenueCatWebhook(url, revenueCatSample('initialPurchase'), AUTH)).toEqual({ status: 200, body: '' });
      expect(await postRevenueCatWebhook(url, revenueCatSample('initialPurchase'), 'Bearer wrong')).toMatchObject({ status: 401 });
      expect(await postRevenueCatWebhook(url, revenueCatSample('initialPurchase'))).toMatchObject({ status: 401 });
      expect(await postRevenueCatWebhook(url, '{"event":', AUTH)).toEqual({ status: 400, body: 'invalid JSON' });
      expect(await postRevenueCatWebhook(url, revenueCatSample('initialPurchase', { transaction_id: null }), AUTH)).toMatchObject({
        status: 400,
        body: expect.stringContaining('has no transaction_id'),
      });
      expect(facts).toEqual([expect.objectContaining({ kind: 'purchase', reference: '123456789012345' })]);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
