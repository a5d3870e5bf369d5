import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSmsActivate, startFakeSmsActivate } from '../../../../test/fakes/sms-activate-server.ts';

/** The fake's own protocol surface, for the actions the adapter does not use. */
let fake: FakeSmsActivate | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(server: FakeSmsActivate, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.baseUrl}/stubs/handler_api.php?${new URLSearchParams(params)}`);
  return { status: response.status, body: await response.text() };
}

describe('fake SMS-Activate server', () => {
  it('serves getCountries and getNumbersStatus as documented', async () => {
    fake = await startFakeSmsActivate();
    const countries = JSON.parse((await call(fake, { api_key: fake.apiKey, action: 'getCountries' })).body);
    expect(countries['187']).toMatchObject({ id: 187, eng: 'USA', visible: 1 });
    expect(countries['12']).toMatchObject({ id: 12, eng: 'USA (virtual)' });
    const stock = JSON.parse((await call(fake, { api_key: fake.apiKey, action: 'getNumbersStatus', country: '187' })).body);
    expect(stock).toEqual({ tg_0: 120 });
  });

  it('checks the key and the action, and answers status 1 while waiting', async () => {
    fake = await startFakeSmsActivate();
    expect((await call(fake, { action: 'getBalance' })).body).toBe('NO_KEY');
    expect((await call(fake, { api_key: 'wrong', action: 'getBalance' })).body).toBe('BAD_KEY');
    expect((await call(fake, { api_key: fake.apiKey, action: 'getEverything' })).body).toBe('BAD_ACTION');
    const bought = (await call(fake, { api_key: fake.apiKey, action: 'getNumber', service: 'wa', country: '6' })).body;
    const id = bought.split(':')[1] ?? '';
    expect(bought).toMatch(/^ACCESS_NUMBER:\d+:62\d+$/);
    expect((await call(fake, { api_key: fake.apiKey, action: 'setStatus', id, status: '1' })).body).toBe('ACCESS_READY');
    expect((await call(fake, { api_key: fake.apiKey, action: 'setStatus', id, status: '7' })).body).toBe('BAD_STATUS');
    const elsewhere = await fetch(`${fake.baseUrl}/other`);
    expect(elsewhere.status).toBe(404);
    await elsewhere.body?.cancel();
  });
});
