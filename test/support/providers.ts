import type { AddProviderInput } from '../../src/modules/providers/index.ts';
import { addProvider } from '../../src/modules/providers/index.ts';
import { type FakeSmsActivate, type FakeSmsActivateOptions, startFakeSmsActivate } from '../fakes/sms-activate-server.ts';
import { ctxOf } from './actors.ts';
import type { TestApp } from './app.ts';

/**
 * A fake SMS-Activate server connected to the test app as an upstream provider, the way an operator
 * connects one (`providers add`), its catalog synced and loaded as the running server would on NOTIFY.
 */
export async function connectSmsActivate(
  t: TestApp,
  name: string,
  options: FakeSmsActivateOptions & Partial<Pick<AddProviderInput, 'markupPercent' | 'priority' | 'feeCredits'>> = {},
): Promise<{ fake: FakeSmsActivate; pushToken: string; close(): Promise<void> }> {
  const { markupPercent, priority, feeCredits, ...fakeOptions } = options;
  const fake = await startFakeSmsActivate(fakeOptions);
  const added = await addProvider(ctxOf(t, 'cli'), {
    kind: 'sms-activate',
    name,
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    markupPercent,
    priority,
    feeCredits,
  });
  await syncProviders(t);
  return { fake, pushToken: added.pushToken, close: () => fake.close() };
}

/** What the running server does when providers change: reload them, sync their catalogs, reload offers. */
export async function syncProviders(t: TestApp): Promise<void> {
  const runtime = t.orders.providers;
  await runtime.reload('providers');
  await runtime.syncAll(t.clock.now());
  await runtime.reload('offers');
}
