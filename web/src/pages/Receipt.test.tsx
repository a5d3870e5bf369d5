// @vitest-environment happy-dom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PaymentReceipt } from '../lib/types.ts';
import { apiError } from '../test/fake-api.ts';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';
import { Receipt } from './Receipt.tsx';

const receipt = (over: Partial<PaymentReceipt> = {}): PaymentReceipt => ({
  number: 'pay_01',
  issuedAt: '2030-01-02T10:00:05.000Z',
  seller: { name: 'Example Numbers Ltd', contact: 'help@example.com', website: 'https://numbers.example.com' },
  customer: 'acc_01',
  description: '500 credits (starter)',
  package: 'starter',
  credits: 500,
  amount: 500,
  currency: 'USD',
  method: 'card',
  status: 'paid',
  reference: 'pi_123',
  refunded: 0,
  refundedAt: null,
  bitcoin: null,
  ...over,
});

describe('the receipt page', () => {
  it('shows who sold what, for how much, when and how, with what was refunded, and offers to print', async () => {
    at('/payments/pay_01/receipt');
    fakeApi().on('GET', '/payments/pay_01/receipt', receipt({ refunded: 250, refundedAt: '2030-01-03T09:00:00.000Z' }));
    renderSignedIn(<Receipt id="pay_01" />);

    await screen.findByRole('heading', { name: 'Example Numbers Ltd' });
    expect(screen.getByText('500 credits (starter)')).toBeTruthy();
    expect(screen.getByText('$5.00')).toBeTruthy();
    expect(screen.getByText('pi_123')).toBeTruthy();
    expect(screen.getByText(/\$2\.50 on/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Print or save as PDF' })).toBeTruthy();
    expect(screen.getByRole('link', { name: /Back to the payment/ }).getAttribute('href')).toBe('/payments/pay_01');
  });

  it('lists the bitcoin transactions that paid it', async () => {
    at('/payments/pay_02/receipt');
    fakeApi().on(
      'GET',
      '/payments/pay_02/receipt',
      receipt({
        number: 'pay_02',
        method: 'bitcoin',
        bitcoin: { address: 'bc1qexample', transactions: [{ txid: 'ab'.repeat(32), btc: '0.00020000' }] },
      }),
    );
    renderSignedIn(<Receipt id="pay_02" />);
    await screen.findByText('ab'.repeat(32));
    expect(screen.getByText(/0\.00020000 BTC/)).toBeTruthy();
  });

  it('says there is no receipt until the payment is paid', async () => {
    at('/payments/pay_03/receipt');
    fakeApi().on('GET', '/payments/pay_03/receipt', () =>
      apiError(409, 'CONFLICT', 'Payment pay_03 is created: a receipt exists once it is paid.'),
    );
    renderSignedIn(<Receipt id="pay_03" />);
    await screen.findByText('There is no receipt yet: a receipt exists once the payment is paid.');
  });
});
