// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { bitcoinCheckoutOf } from '../lib/payments.ts';
import { apiError, json } from '../test/fake-api.ts';
import { labelsNotStartingWithVisibleText } from '../test/label-in-name.ts';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';
import { TopUp } from './TopUp.tsx';

const packages = {
  packages: [
    { code: 'starter', credits: 500, price: 500, currency: 'USD', interval: null, storeProduct: null },
    { code: 'big-yen', credits: 2000, price: 1500, currency: 'JPY', interval: null, storeProduct: null },
    { code: 'monthly', credits: 1000, price: 900, currency: 'EUR', interval: 'month', storeProduct: 'otp_monthly' },
  ],
};

const cardCheckout = { paymentId: 'pay_01', status: 'created', url: 'https://checkout.stripe.com/c/pay/cs_test_1' };
const bitcoinCheckout = {
  paymentId: 'pay_02',
  status: 'created',
  address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  amountBtc: '0.00020000',
  uri: 'bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=0.00020000',
  expiresAt: '2030-01-01T00:10:00.000Z',
};

describe('the Top up page', () => {
  it('shows each package with its price in its own currency, and its credits', async () => {
    at('/top-up');
    fakeApi().on('GET', '/packages', packages);
    const { container } = renderSignedIn(<TopUp leave={vi.fn()} />);

    const starter = await screen.findByRole('radio', { name: /500 credits/ });
    expect(starter.closest('label')?.textContent).toContain('$5.00');
    expect(screen.getByRole('radio', { name: /2,000 credits/ }).closest('label')?.textContent).toContain('¥1,500');
    const plan = screen.getByRole('radio', { name: /1,000 credits every month/ });
    expect(plan.closest('label')?.textContent).toContain('€9.00 a month');
    expect(plan.closest('label')?.textContent).toContain('Plan');
    expect((starter as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText(/You have 500 credits/)).toBeTruthy();
    expect(labelsNotStartingWithVisibleText(container)).toEqual([]);
  });

  it('pays by card: one checkout with an Idempotency-Key, then off to the processor’s page', async () => {
    at('/top-up');
    const api = fakeApi()
      .on('GET', '/packages', packages)
      .on('POST', '/payments/checkout', () => json(201, cardCheckout));
    const leave = vi.fn();
    renderSignedIn(<TopUp leave={leave} />);

    const pay = await screen.findByRole('button', { name: 'Pay $5.00 by card' });
    fireEvent.click(pay);
    fireEvent.click(pay);
    await waitFor(() => expect(leave).toHaveBeenCalledWith(cardCheckout.url));
    const posts = api.calls('POST', '/payments/checkout');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({ package: 'starter', method: 'card' });
    expect(posts[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    expect(screen.getByRole('button', { name: 'Opening the payment page…' })).toHaveProperty('disabled', true);
  });

  it('retries a checkout whose answer was lost with the same key, and uses a new one for another package', async () => {
    at('/top-up');
    let attempts = 0;
    const api = fakeApi()
      .on('GET', '/packages', packages)
      .on('POST', '/payments/checkout', () => {
        attempts += 1;
        if (attempts === 1) throw new TypeError('Failed to fetch');
        if (attempts === 2)
          return apiError(503, 'PAYMENT_PROCESSOR_UNAVAILABLE', 'The card payment page could not be opened; nothing was charged.');
        return json(201, cardCheckout);
      });
    const leave = vi.fn();
    renderSignedIn(<TopUp leave={leave} />);

    fireEvent.click(await screen.findByRole('button', { name: 'Pay $5.00 by card' }));
    await screen.findByText('We could not reach otpbox. Check your connection and try again.');
    fireEvent.click(screen.getByRole('button', { name: 'Pay $5.00 by card' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The card payment page could not be opened; nothing was charged.');
    fireEvent.click(screen.getByRole('radio', { name: /2,000 credits/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Pay ¥1,500 by card' }));
    await waitFor(() => expect(leave).toHaveBeenCalledOnce());

    const [first, second, third] = api.calls('POST', '/payments/checkout');
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
    expect(third?.headers['idempotency-key']).not.toBe(first?.headers['idempotency-key']);
    expect(third?.body).toEqual({ package: 'big-yen', method: 'card' });
  });

  it('pays with Bitcoin: the payment’s page shows what the checkout handed over', async () => {
    at('/top-up');
    const api = fakeApi()
      .on('GET', '/packages', packages)
      .on('POST', '/payments/checkout', () => json(201, bitcoinCheckout));
    renderSignedIn(<TopUp leave={vi.fn()} />);

    fireEvent.click(await screen.findByRole('radio', { name: 'Bitcoin' }));
    expect(screen.getByText(/you get an address, the amount and a QR code/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Pay $5.00 with Bitcoin' }));
    await waitFor(() => expect(window.location.pathname).toBe('/payments/pay_02'));
    expect(api.calls('POST', '/payments/checkout')[0]?.body).toEqual({ package: 'starter', method: 'bitcoin' });
    expect(bitcoinCheckoutOf('pay_02')).toEqual(bitcoinCheckout);
  });

  it('takes a way to pay the server refuses off the page for that currency, and says so', async () => {
    at('/top-up');
    fakeApi()
      .on('GET', '/packages', packages)
      .on('POST', '/payments/checkout', () =>
        apiError(422, 'PAYMENT_METHOD_UNAVAILABLE', 'Bitcoin cannot pay for packages priced in USD here.', {
          method: 'bitcoin',
        }),
      );
    renderSignedIn(<TopUp leave={vi.fn()} />);

    fireEvent.click(await screen.findByRole('radio', { name: 'Bitcoin' }));
    fireEvent.click(screen.getByRole('button', { name: 'Pay $5.00 with Bitcoin' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Bitcoin cannot pay for packages priced in USD here.');
    expect(screen.getByText('Bitcoin cannot pay for this package here: choose another way to pay.')).toBeTruthy();
    expect(screen.queryByRole('radio', { name: 'Bitcoin' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Pay $5.00 by card' })).toBeTruthy();
    // A package in another currency may still be paid in bitcoin.
    fireEvent.click(screen.getByRole('radio', { name: /2,000 credits/ }));
    expect(screen.getByRole('radio', { name: 'Bitcoin' })).toBeTruthy();
  });

  it('offers only the ways to pay the server names', async () => {
    at('/top-up');
    fakeApi().on('GET', '/packages', { ...packages, methods: ['bitcoin'] });
    renderSignedIn(<TopUp leave={vi.fn()} />);

    await screen.findByRole('button', { name: 'Pay $5.00 with Bitcoin' });
    expect(screen.queryByRole('radio', { name: 'Card' })).toBeNull();
    // A plan renews, which bitcoin cannot: with no card, plans cannot be bought here.
    fireEvent.click(screen.getByRole('radio', { name: /1,000 credits every month/ }));
    expect(screen.getByText(/Plans renew automatically and are paid by card, which this service does not take/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Pay / })).toBeNull();
  });

  it('says so when the server takes no payment at all', async () => {
    at('/top-up');
    fakeApi().on('GET', '/packages', { ...packages, methods: [] });
    renderSignedIn(<TopUp leave={vi.fn()} />);

    await screen.findByText('Buying credits is not available on this service yet. Ask its operator.');
    expect(screen.queryByRole('button', { name: /^Pay / })).toBeNull();
  });

  it('words a plan’s renewal and the 24-hour rule, and pays a plan by card only', async () => {
    at('/top-up');
    fakeApi().on('GET', '/packages', packages);
    renderSignedIn(<TopUp leave={vi.fn()} />);

    fireEvent.click(await screen.findByRole('radio', { name: /1,000 credits every month/ }));
    expect(screen.getByText('This plan adds 1,000 credits every month and renews by itself until you cancel it.')).toBeTruthy();
    expect(screen.getByText(/cancel at least 24 hours before the current period ends/)).toBeTruthy();
    expect(screen.queryByRole('radio', { name: 'Bitcoin' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Pay €9.00 by card' })).toBeTruthy();
  });

  it('says when nothing is on sale, and offers a retry when the packages could not be read', async () => {
    at('/top-up');
    let reads = 0;
    fakeApi().on('GET', '/packages', () => {
      reads += 1;
      return reads === 1 ? apiError(500, 'INTERNAL', 'Something went wrong on our side.') : json(200, { packages: [] });
    });
    renderSignedIn(<TopUp leave={vi.fn()} />);

    expect((await screen.findByRole('alert')).textContent).toContain('Reference: req_test');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('No credit packs are on sale right now. Please come back later.');
  });
});
