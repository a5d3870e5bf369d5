// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { rememberBitcoinCheckout } from '../lib/payments.ts';
import type { Payment as PaymentView } from '../lib/types.ts';
import { apiError, json, liveStream } from '../test/fake-api.ts';
import { labelsNotStartingWithVisibleText } from '../test/label-in-name.ts';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';
import { Payment } from './Payment.tsx';

const payment = (over: Partial<PaymentView> = {}): PaymentView => ({
  id: 'pay_01',
  status: 'created',
  method: 'card',
  package: 'starter',
  credits: 500,
  amount: 500,
  currency: 'USD',
  createdAt: '2030-01-01T10:00:00.000Z',
  paidAt: null,
  refunded: 0,
  failureReason: null,
  receipt: null,
  ...over,
});

const packages = {
  packages: [
    { code: 'starter', credits: 500, price: 500, currency: 'USD', interval: null, storeProduct: null },
    { code: 'monthly', credits: 1000, price: 900, currency: 'EUR', interval: 'month', storeProduct: null },
  ],
};

describe('the payment page', () => {
  it('back from the card processor, waits for the server and turns paid live, without trusting the redirect', async () => {
    at('/payments/pay_01');
    const live = liveStream();
    const api = fakeApi().on('GET', '/events', live.respond).on('GET', '/packages', packages).on('GET', '/payments/pay_01', payment());
    renderSignedIn(<Payment id="pay_01" />);

    await screen.findByText('Waiting for the card processor to confirm the payment…');
    await screen.findByText('Live: this page updates by itself.');
    expect(screen.getByText('Awaiting payment')).toBeTruthy();
    expect(screen.getByText('$5.00')).toBeTruthy();
    expect(screen.getByText('pay_01')).toBeTruthy();

    const reads = api.calls('GET', '/payments/pay_01').length;
    live.send('payment.updated', payment({ status: 'paid', paidAt: '2030-01-01T10:00:05.000Z' }));
    live.send('balance.updated', { available: 1000, held: 0, demo: { available: 0, held: 0 } });
    await screen.findByText('Paid: 500 credits were added to your balance.');
    await screen.findByText('Your balance: 1,000 credits.');
    expect(screen.getByRole('link', { name: 'Buy a number' }).getAttribute('href')).toBe('/buy');
    expect(screen.queryByText('Live: this page updates by itself.')).toBeNull();
    // The event carried the payment: nothing was read again for it.
    expect(api.calls('GET', '/payments/pay_01')).toHaveLength(reads);
  });

  it('asks the server to read the payment back from the processor on arrival, and links its receipt once paid', async () => {
    at('/payments/pay_01');
    const api = fakeApi()
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_01', payment())
      .on(
        'POST',
        '/payments/pay_01/refresh',
        payment({ status: 'paid', paidAt: '2030-01-01T10:00:05.000Z', refunded: 100, receipt: '/api/v1/payments/pay_01/receipt' }),
      );
    renderSignedIn(<Payment id="pay_01" />);

    await screen.findByText('Paid: 500 credits were added to your balance.');
    expect(api.calls('POST', '/payments/pay_01/refresh')).toHaveLength(1);
    expect(screen.getByRole('link', { name: 'View the receipt' }).getAttribute('href')).toBe('/payments/pay_01/receipt');
    expect(screen.getByText('Refunded')).toBeTruthy();
    expect(screen.getByText('$1.00')).toBeTruthy();
  });

  it('says why a payment failed when the server knows', async () => {
    at('/payments/pay_01');
    fakeApi()
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_01', payment({ status: 'failed', failureReason: 'the payment page expired' }));
    renderSignedIn(<Payment id="pay_01" />);
    expect((await screen.findByRole('alert')).textContent).toContain(
      'This payment did not go through: the payment page expired. Nothing was charged.',
    );
  });

  it('reads the payment again while the live stream is down, until the money has arrived', async () => {
    at('/payments/pay_01');
    let reads = 0;
    const api = fakeApi()
      .on('GET', '/events', () => apiError(503, 'SERVICE_UNAVAILABLE', 'Try again later.'))
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_01', () => {
        reads += 1;
        return json(
          200,
          reads < 3
            ? payment({ status: reads === 1 ? 'created' : 'pending' })
            : payment({ status: 'paid', paidAt: '2030-01-01T10:01:00.000Z' }),
        );
      });
    renderSignedIn(<Payment id="pay_01" pollMs={20} />);

    await screen.findByText('Paid: 500 credits were added to your balance.');
    const count = api.calls('GET', '/payments/pay_01').length;
    expect(count).toBeGreaterThanOrEqual(3);
    // Paid: no more reading.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api.calls('GET', '/payments/pay_01')).toHaveLength(count);
  });

  it('says nothing was charged when the customer left the processor’s page, and still shows what the server knows', async () => {
    at('/payments/pay_01?cancelled=1');
    fakeApi().on('GET', '/packages', packages).on('GET', '/payments/pay_01', payment());
    renderSignedIn(<Payment id="pay_01" />);

    await screen.findByText('You left the payment page before paying. Nothing was charged.');
    expect(screen.getByRole('link', { name: 'Try again' }).getAttribute('href')).toBe('/top-up');
  });

  it('shows a payment paid even when the redirect said cancelled: the server’s word wins', async () => {
    at('/payments/pay_01?cancelled=1');
    fakeApi()
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_01', payment({ status: 'paid', paidAt: '2030-01-01T10:00:05.000Z' }));
    renderSignedIn(<Payment id="pay_01" />);

    await screen.findByText('Paid: 500 credits were added to your balance.');
    expect(screen.queryByText(/You left the payment page/)).toBeNull();
  });

  it('words a failed, a refunded and a disputed payment', async () => {
    at('/payments/pay_01');
    let status: PaymentView['status'] = 'failed';
    fakeApi()
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_01', () => json(200, payment({ status })));
    const first = renderSignedIn(<Payment id="pay_01" />);
    expect((await screen.findByRole('alert')).textContent).toContain('This payment did not go through. Nothing was charged.');
    expect(screen.getByRole('link', { name: 'Try again' }).getAttribute('href')).toBe('/top-up');
    first.unmount();

    status = 'refunded';
    const second = renderSignedIn(<Payment id="pay_01" />);
    await screen.findByText('Refunded: the money went back to you and the payment’s credits were taken back.');
    second.unmount();

    status = 'disputed';
    renderSignedIn(<Payment id="pay_01" />);
    await screen.findByText(/Your account is restricted until the dispute is settled/);
  });

  it('shows the API’s refusal for a payment that is not the customer’s', async () => {
    at('/payments/pay_99');
    fakeApi()
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_99', () => apiError(404, 'NOT_FOUND', 'No such payment.'));
    renderSignedIn(<Payment id="pay_99" />);

    expect((await screen.findByRole('alert')).textContent).toContain('No such payment.');
  });

  it('words a plan’s renewal and the 24-hour rule on a plan’s payment', async () => {
    at('/payments/pay_01');
    fakeApi()
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_01', payment({ package: 'monthly', credits: 1000, amount: 900, currency: 'EUR', status: 'paid' }));
    renderSignedIn(<Payment id="pay_01" />);

    await screen.findByText('This plan adds 1,000 credits every month and renews by itself until you cancel it.');
    expect(screen.getByText(/cancel at least 24 hours before the current period ends/)).toBeTruthy();
  });

  it('shows a bitcoin payment’s address, amount, QR code and countdown, then its confirmation live', async () => {
    at('/payments/pay_02');
    const live = liveStream();
    const address = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
    rememberBitcoinCheckout({
      paymentId: 'pay_02',
      status: 'created',
      address,
      amountBtc: '0.00020000',
      uri: `bitcoin:${address}?amount=0.00020000`,
      expiresAt: new Date(Date.now() + 9 * 60_000 + 30_000).toISOString(),
    });
    fakeApi()
      .on('GET', '/events', live.respond)
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_02', payment({ id: 'pay_02', method: 'bitcoin' }));
    const { container } = renderSignedIn(<Payment id="pay_02" />);

    await screen.findByText('Waiting for your bitcoin payment…');
    expect(screen.getByText(address)).toBeTruthy();
    expect(screen.getByText('0.00020000 BTC')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy address' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy amount' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open in a wallet app' }).getAttribute('href')).toBe(`bitcoin:${address}?amount=0.00020000`);
    expect(screen.getByText(/^9:(30|29|28)$/)).toBeTruthy();
    const qr = await screen.findByRole('img', { name: 'QR code: pay 0.00020000 BTC to the address below' });
    expect(qr.querySelector('path')?.getAttribute('d')).toMatch(/^M\d+ \d+h\d+v1h-\d+z/);
    expect(labelsNotStartingWithVisibleText(container)).toEqual([]);

    live.send('payment.updated', payment({ id: 'pay_02', method: 'bitcoin', status: 'pending' }));
    await screen.findByText(/Your payment was seen on the bitcoin network/);
    expect(screen.queryByText(address)).toBeNull();
    live.send('payment.updated', payment({ id: 'pay_02', method: 'bitcoin', status: 'paid', paidAt: '2030-01-01T10:20:00.000Z' }));
    await screen.findByText('Paid: 500 credits were added to your balance.');
  });

  it('says a bitcoin quote has ended and no longer shows its address', async () => {
    at('/payments/pay_02');
    rememberBitcoinCheckout({
      paymentId: 'pay_02',
      status: 'created',
      address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      amountBtc: '0.00020000',
      uri: 'bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=0.00020000',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    fakeApi()
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_02', payment({ id: 'pay_02', method: 'bitcoin' }));
    renderSignedIn(<Payment id="pay_02" />);

    await screen.findByText(/This price quote has ended: for a current price, start a new top up/);
    expect(screen.queryByText('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBeNull();
    expect(screen.getByRole('link', { name: 'Start a new top up' }).getAttribute('href')).toBe('/top-up');
  });

  it('ignores an older answer that arrives after a newer event', async () => {
    at('/payments/pay_01');
    const live = liveStream();
    let answer: (response: Response) => void = () => {};
    const api = fakeApi()
      .on('GET', '/events', live.respond)
      .on('GET', '/packages', packages)
      .on('GET', '/payments/pay_01', () => new Promise<Response>((resolve) => (answer = resolve)));
    renderSignedIn(<Payment id="pay_01" />);

    // Read when shown, and again when the stream opened: both answers are still to come.
    await waitFor(() => expect(api.calls('GET', '/payments/pay_01')).toHaveLength(2));
    live.send('payment.updated', payment({ status: 'paid', paidAt: '2030-01-01T10:00:05.000Z' }));
    await screen.findByText('Paid: 500 credits were added to your balance.');
    answer(json(200, payment()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.getByText('Paid: 500 credits were added to your balance.')).toBeTruthy();
  });
});
