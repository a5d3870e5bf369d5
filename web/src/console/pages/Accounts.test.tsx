// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeApi, json, type Recorded } from '../../test/fake-api.ts';
import { at } from '../../test/render.tsx';
import { ConsoleApp } from '../ConsoleApp.tsx';
import { ConsoleSessionProvider } from '../session.tsx';
import './index.tsx';

afterEach(cleanup);
// Each step waits on a round trip through the fake API and a render: on a loaded machine (the whole suite on two cores) that can take over a second.
configure({ asyncUtilTimeout: 5000 });

const customer = {
  id: 'acc_01customer',
  kind: 'email',
  email: 'ann@example.com',
  role: 'customer',
  status: 'active',
  createdAt: '2030-01-01T00:00:00Z',
};
const activity = (available: number) => ({
  balance: { available, held: 0, demo: { available: 0, held: 0 } },
  statement: [],
  orders: [
    { id: 'act_1', service: 'tg', country: 'ID', phone: '+6281234567', status: 'waiting', price: 40, createdAt: '2030-01-01T00:00:00Z' },
  ],
  rentals: [
    {
      id: 'rnt_1',
      number: '+14…0123',
      country: 'US',
      status: 'active',
      pricePerDay: 25,
      startedAt: '2030-01-01T00:00:00Z',
      endsAt: '2030-01-08T00:00:00Z',
      endedAt: null,
      smsCount: 3,
    },
  ],
  payments: [],
  sessions: [],
  securityEvents: [],
  staffActions: [],
});

function openConsole(role: 'support' | 'admin') {
  let balance = 0;
  const api = new FakeApi()
    .on('GET', '/me', { id: 'acc_staff', email: 'staff@example.com', role })
    .on('GET', /^\/admin\/accounts\?q=/, { by: 'number', accounts: [customer] })
    .on('GET', '/admin/accounts/acc_01customer', { ...customer, emailVerified: true, suspendedReason: null })
    .on('GET', '/admin/accounts/acc_01customer/activity', () => json(200, activity(balance)))
    .on('GET', '/admin/settings/support-grant-limit', { credits: 500, perDay: 2000 })
    .on('POST', '/admin/accounts/acc_01customer/credits', (request: Recorded) => {
      balance += (request.body as { amount: number }).amount;
      return json(201, { transferId: 'txn_1', amount: (request.body as { amount: number }).amount });
    });
  api.install();
  render(
    <ConsoleSessionProvider>
      <ConsoleApp />
    </ConsoleSessionProvider>,
  );
  return api;
}

describe('the Accounts pages', () => {
  it('find an account by its rented number, open it, and grant credits with a reason', async () => {
    at('/admin/accounts');
    const api = openConsole('support');
    const nav = await screen.findByRole('navigation', { name: 'Console' });
    expect(within(nav).getByRole('link', { name: 'Accounts' }).getAttribute('aria-current')).toBe('page');
    fireEvent.change(screen.getByLabelText('E-mail, account id, order id or rented number'), { target: { value: '+62 812 345 67' } });
    fireEvent.click(screen.getByRole('button', { name: 'Find' }));
    fireEvent.click(await screen.findByRole('link', { name: 'acc_01customer' }));
    await waitFor(() => expect(window.location.pathname).toBe('/admin/accounts/acc_01customer'));
    expect(await screen.findByRole('heading', { level: 1, name: 'ann@example.com' })).toBeTruthy();
    expect(screen.getByText('+6281234567')).toBeTruthy();
    const rentals = screen.getByRole('region', { name: 'Rentals (own numbers)' });
    const rental = within(rentals).getByRole('row', { name: /\+14…0123/ });
    expect(rental.textContent).toContain('active');
    expect(rental.textContent).toContain('2030');
    expect(rental.textContent).toContain('25');
    expect(await screen.findByText('Support staff may grant up to 500 credits at a time, and 2,000 in all over 24 hours.')).toBeTruthy();
    // Admin-only actions are not offered to support.
    expect(screen.queryByRole('heading', { name: 'Change the role' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Lift the restriction' })).toBeNull();

    const grant = screen.getByRole('form', { name: 'Grant credits' });
    fireEvent.change(within(grant).getByLabelText('Credits'), { target: { value: '120' } });
    fireEvent.change(within(grant).getByLabelText('Reason (required, shown to the customer)'), {
      target: { value: 'refund for ticket 7' },
    });
    fireEvent.click(within(grant).getByRole('button', { name: 'Grant credits' }));
    expect((await within(grant).findByRole('status')).textContent).toContain('Granted 120 credits.');
    expect(api.calls('POST', '/admin/accounts/acc_01customer/credits')[0]?.body).toEqual({ amount: 120, reason: 'refund for ticket 7' });
    // One key per form: a retry (a double click, a lost answer) is one grant.
    expect(api.calls('POST', '/admin/accounts/acc_01customer/credits')[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    await waitFor(() => expect(screen.getByTestId('balance').textContent).toContain('Available: 120'));
    expect(api.calls('GET', /^\/admin\/accounts\?q=/)[0]?.path).toBe('/admin/accounts?q=%2B62%20812%20345%2067');
  });

  it('offers admins the role change and lifting a restriction', async () => {
    at('/admin/accounts/acc_01customer');
    openConsole('admin');
    expect(await screen.findByRole('heading', { name: 'Change the role' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Lift the restriction' })).toBeTruthy();
  });
});
