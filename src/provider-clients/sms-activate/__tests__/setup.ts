import { afterEach } from 'vitest';
import { type FakeSmsActivate, type FakeSmsActivateOptions, startFakeSmsActivate } from '../../../../test/fakes/sms-activate-server.ts';
import type { Result } from '../../port.ts';
import { type SmsActivateOptions, SmsActivateProvider } from '../adapter.ts';

const open: FakeSmsActivate[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((fake) => fake.close()));
});

/** A fake upstream and an adapter pointed at it; both closed after the test. */
export async function upstream(
  fakeOptions: FakeSmsActivateOptions = {},
  adapterOptions: Partial<SmsActivateOptions> = {},
): Promise<{ fake: FakeSmsActivate; provider: SmsActivateProvider }> {
  const fake = await startFakeSmsActivate(fakeOptions);
  open.push(fake);
  const provider = new SmsActivateProvider({ name: 'sa-test', baseUrl: fake.baseUrl, apiKey: fake.apiKey, ...adapterOptions });
  return { fake, provider };
}

export function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.failure.kind}: ${result.failure.message}`);
  return result.value;
}

export function failure<T>(result: Result<T>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure;
}
