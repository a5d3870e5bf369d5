import { describe, expect, it } from 'vitest';
import type { FakeSmsActivate } from '../../../../test/fakes/sms-activate-server.ts';
import type { SmsActivateProvider } from '../adapter.ts';
import { upstream, value } from './setup.ts';

/** P7: what a full activation cycle sends upstream, request by request. */
const ALLOWED_PARAMS = new Set(['action', 'api_key', 'service', 'country', 'maxPrice', 'id', 'status']);
/** What Node's fetch sends on its own; nothing of ours may ride in a header. */
const USUAL_HEADERS = new Set([
  'host',
  'connection',
  'content-type',
  'content-length',
  'accept',
  'accept-language',
  'accept-encoding',
  'sec-fetch-mode',
  'user-agent',
]);

async function fullCycle(provider: SmsActivateProvider, fake: FakeSmsActivate): Promise<void> {
  value(await provider.getBalance());
  value(await provider.fetchOffers());
  const kept = value(await provider.buyNumber({ service: 'tg', country: 'US', maxCost: 900_000 }));
  value(await provider.checkStatus(kept.upstreamId));
  fake.deliverSms(kept.upstreamId, { text: 'Telegram code 11111', code: '11111' });
  value(await provider.checkStatus(kept.upstreamId));
  value(await provider.requestAnotherSms(kept.upstreamId));
  fake.deliverSms(kept.upstreamId, { text: 'Telegram code 22222', code: '22222' });
  value(await provider.checkStatus(kept.upstreamId));
  value(await provider.finish(kept.upstreamId));
  const dropped = value(await provider.buyNumber({ service: 'wa', country: 'ID' }));
  value(await provider.cancel(dropped.upstreamId));
}

describe.each(['POST', 'GET'] as const)('privacy of the SMS-Activate adapter over %s', (method) => {
  it('sends only the allowed parameters, the key only where the method puts it, and no header of ours', async () => {
    const { provider, fake } = await upstream({}, { method });
    await fullCycle(provider, fake);

    const actions = fake.requests.map((request) => `${request.params.action}${request.params.status ? ` ${request.params.status}` : ''}`);
    expect(actions).toEqual([
      'getBalance',
      'getPrices',
      'getNumberV2',
      'getStatusV2',
      'getStatusV2',
      'setStatus 3',
      'getStatusV2',
      'setStatus 6',
      'getNumberV2',
      'setStatus 8',
    ]);

    for (const request of fake.requests) {
      expect(request.method).toBe(method);
      expect(request.path).toBe('/stubs/handler_api.php');
      for (const name of [...Object.keys(request.query), ...Object.keys(request.form)]) expect(ALLOWED_PARAMS, name).toContain(name);
      expect(request.params.api_key).toBe(fake.apiKey);
      if (method === 'POST') expect(request.query).toEqual({});
      else expect(request.form).toEqual({});
      for (const [name, headerValue] of Object.entries(request.headers)) {
        expect(USUAL_HEADERS, name).toContain(name);
        expect(String(headerValue), name).not.toContain(fake.apiKey);
      }
    }
  });
});
