// @vitest-environment happy-dom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from './App.tsx';
import { navigate } from './lib/router.tsx';
import { SessionProvider } from './state/session.tsx';
import { apiError, json } from './test/fake-api.ts';
import { labelsNotStartingWithVisibleText } from './test/label-in-name.ts';
import { at, fakeApi, me } from './test/render.tsx';

const policy = {
  version: '2030-02-01.def',
  lastUpdated: '2030-02-01',
  minimumAge: 18,
  text: '# Privacy policy\n\n## Changes\n\nWe ask again.',
};

const renderApp = () =>
  render(
    <SessionProvider>
      <App />
    </SessionProvider>,
  );

describe('the app', () => {
  it('sends someone signed out from a signed-in page to the log-in page, and back after logging in', async () => {
    at('/history');
    let signedIn = false;
    const api = fakeApi()
      .on('GET', '/me', () => (signedIn ? json(200, me()) : apiError(401, 'UNAUTHENTICATED', 'Sign in first.')))
      .on('POST', '/auth/login', () => {
        signedIn = true;
        return json(200, { accountId: 'acc_01', expiresAt: 'x' });
      })
      .on('GET', /^\/activations\?limit=25/, { activations: [], nextCursor: null });
    renderApp();

    await screen.findByRole('heading', { name: 'Log in' });
    expect(window.location.pathname + window.location.search).toBe('/login?next=%2Fhistory');
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'me@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a long passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByRole('heading', { name: 'History' });
    expect(window.location.pathname).toBe('/history');
    expect(api.calls('POST', '/auth/login')[0]?.headers['content-type']).toBe('application/json');
  });

  it('announces a changed privacy policy and takes its acceptance with the age confirmation (P14)', async () => {
    at('/buy');
    let accepted = false;
    const api = fakeApi()
      .on('GET', '/me', () =>
        json(
          200,
          me({
            policy: {
              acceptedVersion: accepted ? policy.version : '2030-01-01.abc',
              currentVersion: policy.version,
              lastUpdated: policy.lastUpdated,
              acceptanceRequired: !accepted,
            },
          }),
        ),
      )
      .on('GET', '/privacy/policy', policy)
      .on('GET', '/privacy/requests?limit=100', { requests: [], nextCursor: null })
      .on('POST', '/privacy/consent', () => {
        accepted = true;
        return new Response(null, { status: 204 });
      });
    renderApp();

    const banner = await screen.findByRole('region', { name: 'A new version needs your acceptance' });
    // The date in the reader's own locale.
    expect(banner.textContent).toMatch(/Our privacy policy changed on (1 February 2030|February 1, 2030)\./);
    fireEvent.click(screen.getByRole('link', { name: 'Review the policy' }));
    await screen.findByRole('heading', { name: 'Privacy centre' });
    // The policy itself arrives after the page: wait for it rather than race it.
    expect(await screen.findByText(/Last updated (1 February 2030|February 1, 2030)/)).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Changes' })).toBeTruthy();
    expect(screen.getByText(/make a request below. We answer within 30 days/)).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Your rights requests' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Accept the new policy' }));
    expect(api.calls('POST', '/privacy/consent')).toHaveLength(0);
    fireEvent.click(screen.getByLabelText('I am at least 18 years old'));
    fireEvent.click(screen.getByRole('button', { name: 'Accept the new policy' }));
    await screen.findByText('Thank you: you accepted the current policy.');
    expect(api.calls('POST', '/privacy/consent')[0]?.body).toEqual({ policyVersion: policy.version, ageConfirmed: true });
    fireEvent.click(screen.getByRole('link', { name: /Buy/ }));
    await screen.findByRole('heading', { name: 'Buy a number' });
    expect(screen.queryByRole('region', { name: 'A new version needs your acceptance' })).toBeNull();
  });

  it('says so when the session ends, and asks to log in again', async () => {
    at('/account');
    let alive = true;
    fakeApi()
      .on('GET', '/me', () => (alive ? json(200, me()) : apiError(401, 'UNAUTHENTICATED', 'Sign in first.')))
      .on('GET', '/sessions', () => (alive ? json(200, { sessions: [] }) : apiError(401, 'UNAUTHENTICATED', 'Sign in first.')))
      .on('GET', /^\/security-events/, () => {
        alive = false;
        return apiError(401, 'UNAUTHENTICATED', 'Sign in first.');
      });
    renderApp();
    await screen.findByText('Your session ended. Log in again to continue.');
    await waitFor(() => expect(window.location.pathname).toBe('/login'));
  });

  it('names the balance chip by the credits it shows, then what they are (WCAG 2.5.3)', async () => {
    at('/history');
    fakeApi()
      .on('GET', '/me', me())
      .on('GET', /^\/activations\?limit=25/, { activations: [], nextCursor: null });
    const { container } = renderApp();

    await screen.findByRole('heading', { name: 'History' });
    expect(screen.getByRole('link', { name: '500 credits, your balance' })).toBeTruthy();
    expect(labelsNotStartingWithVisibleText(container)).toEqual([]);
  });

  it('reaches Top up from the navigation and from the balance, and the payments from the balance', async () => {
    at('/balance');
    fakeApi()
      .on('GET', '/me', me())
      .on('GET', /^\/ledger\/statement/, { lines: [], nextCursor: null })
      .on('GET', '/packages', {
        packages: [{ code: 'starter', credits: 500, price: 500, currency: 'USD', interval: null, storeProduct: null }],
      })
      .on('GET', '/subscriptions', { subscriptions: [] })
      .on('GET', '/payments?limit=25', { payments: [], nextCursor: null })
      .on('GET', '/payments/pay_01', {
        id: 'pay_01',
        status: 'paid',
        method: 'card',
        package: 'starter',
        credits: 500,
        amount: 500,
        currency: 'USD',
        createdAt: '2030-01-01T10:00:00.000Z',
        paidAt: '2030-01-01T10:00:05.000Z',
      });
    renderApp();

    await screen.findByRole('heading', { name: 'Balance' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Top up' }).getAttribute('href')).toBe('/top-up');
    fireEvent.click(screen.getByRole('link', { name: 'Payment history' }));
    await screen.findByText('No payments yet.');
    expect(within(nav).getByRole('link', { name: 'Balance' }).getAttribute('aria-current')).toBe('page');
    fireEvent.click(screen.getByRole('main').querySelector('a[href="/top-up"]') as HTMLElement);
    await screen.findByRole('button', { name: 'Pay $5.00 by card' });
    // The page's code loads on first use; its heading still takes the focus once it is there.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Top up' })));
    expect(within(nav).getByRole('link', { name: 'Top up' }).getAttribute('aria-current')).toBe('page');

    // The card processor's return address.
    act(() => navigate('/payments/pay_01'));
    await screen.findByText('Paid: 500 credits were added to your balance.');
  });
});
