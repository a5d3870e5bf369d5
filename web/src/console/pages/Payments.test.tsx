// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, FakeApi, json, type Recorded } from '../../test/fake-api.ts';
import { at } from '../../test/render.tsx';
import { ConsoleApp } from '../ConsoleApp.tsx';
import { ConsoleSessionProvider } from '../session.tsx';
import './index.tsx';
import { formatMoney, type StaffPayment, toMinor } from './Payments.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const payment = (over: Partial<StaffPayment> = {}): StaffPayment => ({
  id: 'pay_1',
  accountId: 'acc_c1',
  email: 'buyer@example.com',
  status: 'paid',
  method: 'card',
  processor: 'stripe',
  package: 'starter',
  credits: 300,
  amount: 1000,
  currency: 'USD',
  refunded: 0,
  creditsTakenBack: 0,
  dispute: 'none',
  failureReason: null,
  processorRef: 'cs_1',
  createdAt: '2030-01-02T10:00:00.000Z',
  paidAt: '2030-01-02T10:01:00.000Z',
  refundedAt: null,
  disputedAt: null,
  ...over,
});

const show = (path: string, role: 'admin' | 'support' = 'admin') => {
  at(path);
  const api = new FakeApi().on('GET', '/me', { id: 'acc_staff', email: 'staff@example.com', role });
  api.install();
  return {
    api,
    render: () =>
      render(
        <ConsoleSessionProvider>
          <ConsoleApp />
        </ConsoleSessionProvider>,
      ),
  };
};

describe('Payments page', () => {
  it('lists the open disputes and the payments, filters them and pages on', async () => {
    const { api, render: go } = show('/admin/payments', 'support');
    api
      .on('GET', '/admin/payments?status=disputed', {
        items: [payment({ id: 'pay_d', status: 'disputed', dispute: 'open' })],
        nextCursor: null,
      })
      .on('GET', '/admin/payments', {
        items: [payment(), payment({ id: 'pay_2', refunded: 250, creditsTakenBack: 75 })],
        nextCursor: 'pay_2',
      })
      .on('GET', '/admin/payments?cursor=pay_2', { items: [payment({ id: 'pay_3', method: 'bitcoin' })], nextCursor: null })
      .on('GET', /^\/admin\/payments\?status=refunded/, { items: [], nextCursor: null });
    go();
    const disputes = await screen.findByRole('table', { name: 'Disputes' });
    expect(within(disputes).getByRole('row', { name: /pay_d/ }).textContent).toContain('disputed · dispute open');
    const all = await screen.findByRole('table', { name: 'All payments' });
    const refunded = within(all).getByRole('row', { name: /pay_2/ });
    expect(refunded.textContent).toContain('10.00 USD');
    expect(refunded.textContent).toContain('(2.50 USD refunded)');
    expect(refunded.textContent).toContain('(−75)');
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    expect(await within(all).findByRole('row', { name: /pay_3/ })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();

    const filters = screen.getByRole('form', { name: 'Filter the payments' });
    fireEvent.change(within(filters).getByLabelText('Status'), { target: { value: 'refunded' } });
    fireEvent.change(within(filters).getByLabelText('Method'), { target: { value: 'card' } });
    fireEvent.change(within(filters).getByLabelText('Customer account id'), { target: { value: 'acc_c1' } });
    fireEvent.change(within(filters).getByLabelText('Created from'), { target: { value: '2030-01-01' } });
    fireEvent.change(within(filters).getByLabelText('Created until'), { target: { value: '2030-01-31' } });
    fireEvent.click(within(filters).getByRole('button', { name: 'Filter' }));
    expect(await screen.findByText('No payment matches.')).toBeTruthy();
    const asked = api.calls('GET', /^\/admin\/payments\?status=refunded/)[0]?.path as string;
    expect(Object.fromEntries(new URLSearchParams(asked.split('?')[1]))).toEqual({
      status: 'refunded',
      method: 'card',
      accountId: 'acc_c1',
      from: '2030-01-01T00:00:00Z',
      to: '2030-02-01T00:00:00.000Z',
    });
  });

  it('shows one payment and lets an admin refund part of it with a reason', async () => {
    const { api, render: go } = show('/admin/payments/pay_1');
    let refunded = 0;
    api
      .on('GET', '/admin/payments/pay_1', () => json(200, payment({ refunded })))
      .on('POST', '/admin/payments/pay_1/refund', (request: Recorded) => {
        const body = request.body as { amount?: number; reason: string };
        if (body.amount === 99999) return apiError(400, 'VALIDATION_FAILED', 'Too much.');
        refunded += body.amount ?? 1000;
        return json(200, { payment: payment({ refunded }), refundId: 're_1', refunded: body.amount, creditsTakenBack: 75 });
      });
    go();
    expect(await screen.findByRole('heading', { name: 'Payment pay_1' })).toBeTruthy();
    expect(await screen.findByText(/buyer@example.com/)).toBeTruthy();
    const form = screen.getByRole('form', { name: 'Refund' });
    expect(form.textContent).toContain('Up to 10.00 USD is left');
    fireEvent.change(within(form).getByLabelText('Amount to refund (USD)'), { target: { value: '2.505' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'one number failed' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Refund' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('at most the currency’s decimals');
    expect(api.calls('POST', '/admin/payments/pay_1/refund')).toHaveLength(0);
    fireEvent.change(within(form).getByLabelText('Amount to refund (USD)'), { target: { value: '2.50' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Refund' }));
    expect((await screen.findByRole('status')).textContent).toBe('Refunded 2.50 USD; 75 credits taken back.');
    // With the refunded total the admin saw: refunded further since, the server answers 409.
    expect(api.calls('POST', '/admin/payments/pay_1/refund')[0]?.body).toEqual({
      amount: 250,
      refundedBefore: 0,
      reason: 'one number failed',
    });
    expect(await screen.findByText(/Up to 7.50 USD is left/)).toBeTruthy();
  });

  it('offers support staff no refund', async () => {
    const { api, render: go } = show('/admin/payments/pay_1', 'support');
    api.on('GET', '/admin/payments/pay_1', payment());
    go();
    expect(await screen.findByText(/buyer@example.com/)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Refund' })).toBeNull();
  });

  it('converts amounts by the currency’s decimals', () => {
    expect(toMinor('2.5', 'USD')).toBe(250);
    expect(toMinor('300', 'JPY')).toBe(300);
    expect(toMinor('1.5', 'JPY')).toBeUndefined();
    expect(toMinor('0', 'USD')).toBeUndefined();
    expect(formatMoney(1050, 'EUR')).toBe('10.50 EUR');
  });
});
