// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Plans } from '../components/Plans.tsx';
import { formatDateTime } from '../lib/format.ts';
import type { Payment, PaymentSubscription } from '../lib/types.ts';
import { apiError, json } from '../test/fake-api.ts';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';
import { Payments } from './Payments.tsx';

const payment = (over: Partial<Payment>): Payment => ({
  id: 'pay_01',
  status: 'paid',
  method: 'card',
  package: 'starter',
  credits: 500,
  amount: 500,
  currency: 'USD',
  createdAt: '2030-01-02T10:00:00.000Z',
  paidAt: '2030-01-02T10:00:05.000Z',
  refunded: 0,
  failureReason: null,
  receipt: '/api/v1/payments/pay_01/receipt',
  ...over,
});

const plan = (over: Partial<PaymentSubscription>): PaymentSubscription => ({
  id: 'pln_01',
  package: 'monthly',
  processor: 'stripe',
  status: 'active',
  currentPeriodEnd: '2030-02-01T10:00:00.000Z',
  cancelAtPeriodEnd: false,
  store: null,
  manageUrl: null,
  ...over,
});

const packages = {
  packages: [
    { code: 'monthly', credits: 1000, price: 900, currency: 'EUR', interval: 'month', storeProduct: 'otp_monthly' },
    { code: 'yearly', credits: 12000, price: 9000, currency: 'EUR', interval: 'year', storeProduct: 'otp_yearly' },
  ],
};

describe('the payment history', () => {
  it('lists each payment with its credits, amount, way of paying, status and date, newest first, page by page', async () => {
    at('/payments');
    const api = fakeApi()
      .on('GET', '/subscriptions', { subscriptions: [] })
      .on('GET', '/packages', packages)
      .on('GET', '/payments?limit=25', {
        payments: [
          payment({}),
          payment({ id: 'pay_00', status: 'pending', method: 'bitcoin', credits: 2000, amount: 1500, currency: 'JPY', paidAt: null }),
        ],
        nextCursor: 'pay_00',
      })
      .on('GET', '/payments?limit=25&cursor=pay_00', {
        payments: [payment({ id: 'pay_a', status: 'refunded', createdAt: '2029-12-01T10:00:00.000Z' })],
        nextCursor: null,
      });
    renderSignedIn(<Payments />);

    const rows = await screen.findAllByRole('row');
    expect(rows).toHaveLength(3);
    const first = within(rows[1] as HTMLElement);
    expect(first.getByText('500 credits')).toBeTruthy();
    expect(first.getByText('$5.00')).toBeTruthy();
    expect(first.getByText('Card')).toBeTruthy();
    expect(first.getByText('Paid')).toBeTruthy();
    expect(first.getByRole('link', { name: formatDateTime('2030-01-02T10:00:00.000Z') }).getAttribute('href')).toBe('/payments/pay_01');
    const second = within(rows[2] as HTMLElement);
    expect(second.getByText('¥1,500')).toBeTruthy();
    expect(second.getByText('Bitcoin')).toBeTruthy();
    expect(second.getByText('In progress')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    await screen.findByText('Refunded');
    expect(api.calls('GET', /^\/payments\?/)).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    // No plan held: no plans section.
    expect(screen.queryByRole('heading', { name: 'Your plans' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Top up' }).getAttribute('href')).toBe('/top-up');
  });

  it('says when there is no payment yet, and offers a retry when the list could not be read', async () => {
    at('/payments');
    let reads = 0;
    fakeApi()
      .on('GET', '/subscriptions', { subscriptions: [] })
      .on('GET', '/packages', packages)
      .on('GET', '/payments?limit=25', () => {
        reads += 1;
        return reads === 1
          ? apiError(503, 'SERVICE_UNAVAILABLE', 'The service is busy; try again in a moment.')
          : json(200, { payments: [], nextCursor: null });
      });
    renderSignedIn(<Payments />);

    expect((await screen.findByRole('alert')).textContent).toContain('The service is busy; try again in a moment.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('No payments yet.');
  });
});

describe('the plans', () => {
  it('gives a card plan’s next renewal, the last moment to cancel it (24 hours before), and the processor’s portal', async () => {
    at('/payments');
    const api = fakeApi()
      .on('GET', '/subscriptions', { subscriptions: [plan({})] })
      .on('GET', '/packages', packages)
      .on('POST', '/subscriptions/pln_01/portal', { url: 'https://billing.stripe.com/p/session/bps_1' });
    const leave = vi.fn();
    renderSignedIn(<Plans leave={leave} />);

    await screen.findByRole('heading', { name: /1,000 credits every month/ });
    expect(screen.getByText('Active')).toBeTruthy();
    const renewal = screen.getByText(/^Renews on/).textContent ?? '';
    expect(renewal).toContain(`Renews on ${formatDateTime('2030-02-01T10:00:00.000Z')}.`);
    expect(renewal).toContain(`cancel before ${formatDateTime('2030-01-31T10:00:00.000Z')}.`);
    expect(screen.getByText(/cancel at least 24 hours before the current period ends/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Manage or cancel on the card processor’s page' }));
    await waitFor(() => expect(leave).toHaveBeenCalledWith('https://billing.stripe.com/p/session/bps_1'));
    expect(api.calls('POST', '/subscriptions/pln_01/portal')).toHaveLength(1);
  });

  it('sends app-store plans to the store they were bought from, and names a plan no longer on sale by its code', async () => {
    at('/payments');
    fakeApi()
      .on('GET', '/subscriptions', {
        subscriptions: [
          plan({
            id: 'pln_a',
            processor: 'revenuecat',
            package: 'yearly',
            store: 'play_store',
            manageUrl: 'https://play.google.com/store/account/subscriptions',
          }),
          plan({ id: 'pln_b', package: 'legacy-plan' }),
        ],
      })
      .on('GET', '/packages', packages);
    renderSignedIn(<Plans leave={vi.fn()} />);

    await screen.findByRole('heading', { name: /12,000 credits every year/ });
    expect(screen.getByText(/Bought in the app: cancel it in the store you bought it from/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Manage or cancel in Google Play' }).getAttribute('href')).toBe(
      'https://play.google.com/store/account/subscriptions',
    );
    expect(screen.getByRole('heading', { name: /Plan legacy-plan/ })).toBeTruthy();
    // Only the card plan has the processor's portal.
    expect(screen.getAllByRole('button', { name: 'Manage or cancel on the card processor’s page' })).toHaveLength(1);
  });

  it('says a cancelled plan ends without renewing', async () => {
    at('/payments');
    fakeApi()
      .on('GET', '/subscriptions', {
        subscriptions: [plan({ cancelAtPeriodEnd: true }), plan({ id: 'pln_old', status: 'cancelled', currentPeriodEnd: null })],
      })
      .on('GET', '/packages', packages);
    renderSignedIn(<Plans leave={vi.fn()} />);

    await screen.findByText(`Cancelled: it ends on ${formatDateTime('2030-02-01T10:00:00.000Z')} and will not renew.`);
    expect(screen.getByText('Ended.')).toBeTruthy();
    expect(screen.queryByText(/^Renews on/)).toBeNull();
  });

  it('words the refusal when the portal cannot be opened', async () => {
    at('/payments');
    fakeApi()
      .on('GET', '/subscriptions', { subscriptions: [plan({})] })
      .on('GET', '/packages', packages)
      .on('POST', '/subscriptions/pln_01/portal', () =>
        apiError(503, 'PAYMENT_PROCESSOR_UNAVAILABLE', 'The page to manage this plan could not be opened; try again in a moment.'),
      );
    const leave = vi.fn();
    renderSignedIn(<Plans leave={leave} />);

    fireEvent.click(await screen.findByRole('button', { name: 'Manage or cancel on the card processor’s page' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The page to manage this plan could not be opened');
    expect(leave).not.toHaveBeenCalled();
  });
});
