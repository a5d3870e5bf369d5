import { cleanup, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, vi } from 'vitest';
import { resetCatalogForTests } from '../lib/catalog-data.ts';
import { resetPaymentsForTests } from '../lib/payments.ts';
import { resetPreferencesForTests } from '../lib/preferences.ts';
import { resetSandboxForTests } from '../lib/sandbox.ts';
import type { Profile } from '../lib/types.ts';
import { OrdersProvider } from '../state/orders.tsx';
import { SessionProvider } from '../state/session.tsx';
import { FakeApi } from './fake-api.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.localStorage.clear();
  window.sessionStorage.clear();
  resetCatalogForTests();
  resetPaymentsForTests();
  resetPreferencesForTests();
  resetSandboxForTests();
});

export const me = (over: Partial<Profile> = {}): Profile => ({
  id: 'acc_01',
  email: 'me@example.com',
  kind: 'email',
  role: 'customer',
  emailVerified: true,
  createdAt: '2030-01-01T00:00:00.000Z',
  policy: { acceptedVersion: '2030-01-01.abc', currentVersion: '2030-01-01.abc', lastUpdated: '2030-01-01', acceptanceRequired: false },
  balance: { available: 500, held: 0, demo: { available: 0, held: 0 } },
  ...over,
});

/** A fake API with what every signed-in page reads in the background (catalog names, the live stream, open orders). */
export function fakeApi(): FakeApi {
  const api = new FakeApi()
    .on('GET', '/services', {
      services: [{ code: 'tg', name: 'Telegram', aliases: ['tg'], icon: null, color: null, available: 10, fromPrice: 14 }],
    })
    .on('GET', '/countries', {
      countries: [{ code: 'ID', name: 'Indonesia', dialCode: '62', aliases: [], flag: '🇮🇩', available: 9400, fromPrice: 17 }],
    })
    .on('GET', '/activations?status=waiting,received&limit=100', { activations: [] })
    .on('GET', '/events', () => new Promise<Response>(() => {}))
    .on('GET', '/sandbox', { sells: false, demoCredits: { cap: 0 } });
  api.install();
  return api;
}

export function at(path: string): void {
  window.history.replaceState(null, '', path);
}

/** Render signed in, inside the providers the app has around every signed-in page. */
export function renderSignedIn(ui: ReactNode, profile: Profile = me()) {
  return render(
    <SessionProvider initial={{ status: 'signed-in', me: profile }}>
      <OrdersProvider accountId={profile.id}>{ui}</OrdersProvider>
    </SessionProvider>,
  );
}
