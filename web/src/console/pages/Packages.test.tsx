// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, json, type Recorded } from '../../test/fake-api.ts';
import { consoleAt } from '../test-console.tsx';
import { packagePrice, type StaffPackage, toMinor } from './Packages.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const pack = (over: Partial<StaffPackage> = {}): StaffPackage => ({
  id: 'pkg_1',
  code: 'starter',
  credits: 300,
  price: 999,
  currency: 'USD',
  interval: null,
  storeProduct: null,
  active: true,
  sold: 1234,
  createdAt: '2030-01-01T10:00:00.000Z',
  ...over,
});

const show = (role: 'admin' | 'support', packages: StaffPackage[]) =>
  consoleAt('/admin/packages', role, { '/admin/packages': { packages } });

describe('Packages page', () => {
  it('lists code, credits, price, plan, store product, status and sales, and offers support staff no change', async () => {
    show('support', [
      pack(),
      pack({
        id: 'pkg_2',
        code: 'monthly',
        interval: 'month',
        price: 500,
        currency: 'JPY',
        storeProduct: 'com.otp.monthly',
        active: false,
        sold: 0,
      }),
    ]);
    const table = await screen.findByRole('table', { name: 'Packages' });
    const starter = within(table).getByRole('row', { name: /starter/ });
    expect(starter.textContent).toContain('9.99 USD');
    expect(starter.textContent).toContain('one-off pack');
    expect(starter.textContent).toContain('on sale');
    expect(starter.textContent).toContain('1,234');
    const monthly = within(table).getByRole('row', { name: /monthly/ });
    expect(monthly.textContent).toContain('500 JPY');
    expect(monthly.textContent).toContain('plan, every month');
    expect(monthly.textContent).toContain('com.otp.monthly');
    expect(monthly.textContent).toContain('disabled');
    expect(screen.queryByRole('button', { name: /Disable|Add a package/ })).toBeNull();
    expect(screen.getByRole('link', { name: 'Packages' }).getAttribute('aria-current')).toBe('page');
  });

  it('adds a package with a reason: the price typed in the currency is sent in its smallest unit', async () => {
    const api = show('admin', []);
    let tries = 0;
    api.on('POST', '/admin/packages', (request: Recorded) =>
      ++tries === 1
        ? apiError(409, 'CONFLICT', 'A package with the code spring exists: packages are never edited.')
        : json(201, pack({ code: (request.body as { code: string }).code })),
    );
    expect(await screen.findByText(/No packages: customers cannot buy credits/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add a package…' }));
    const form = screen.getByRole('form', { name: 'Add a package' });
    fireEvent.change(within(form).getByLabelText('Code'), { target: { value: 'spring' } });
    fireEvent.change(within(form).getByLabelText('Credits'), { target: { value: '1200' } });
    fireEvent.change(within(form).getByLabelText('Currency'), { target: { value: 'eur' } });
    fireEvent.change(within(form).getByLabelText('Price (EUR)'), { target: { value: '49.99' } });
    expect(within(form).getByText('Customers pay 49.99 EUR.')).toBeTruthy();
    fireEvent.change(within(form).getByLabelText('Sold as'), { target: { value: 'year' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'spring offer' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add the package' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('A package with the code spring exists');
    fireEvent.click(within(form).getByRole('button', { name: 'Add the package' }));
    expect((await screen.findByRole('status')).textContent).toBe('spring is on sale.');
    expect(api.calls('POST', '/admin/packages')[1]?.body).toEqual({
      code: 'spring',
      credits: 1200,
      price: 4999,
      currency: 'EUR',
      interval: 'year',
      reason: 'spring offer',
    });
    // The list is read again after the package is added (the status may show before that read is made).
    await waitFor(() => expect(api.calls('GET', '/admin/packages')).toHaveLength(2));
  });

  it('says what is wrong with a price before sending it', async () => {
    const api = show('admin', []);
    fireEvent.click(await screen.findByRole('button', { name: 'Add a package…' }));
    const form = screen.getByRole('form', { name: 'Add a package' });
    fireEvent.change(within(form).getByLabelText('Code'), { target: { value: 'bad' } });
    fireEvent.change(within(form).getByLabelText('Credits'), { target: { value: '10' } });
    fireEvent.change(within(form).getByLabelText('Price (USD)'), { target: { value: '9.999' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'testing' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add the package' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('The price in USD is a number with at most 2 decimals.');
    expect(api.calls('POST', '/admin/packages')).toHaveLength(0);
  });

  it('disables a package with a reason', async () => {
    const api = show('admin', [pack()]);
    api.on('POST', '/admin/packages/starter/disable', () => json(200, { disabled: true }));
    fireEvent.click(await screen.findByRole('button', { name: 'Disable starter' }));
    const form = screen.getByRole('form', { name: 'Stop selling starter' });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'new prices' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Stop selling it' }));
    expect((await screen.findByRole('status')).textContent).toBe('starter is no longer on sale.');
    expect(api.calls('POST', '/admin/packages/starter/disable')[0]?.body).toEqual({ reason: 'new prices' });
  });

  it('reads prices in each currency’s own decimals', () => {
    expect(packagePrice(999, 'USD')).toBe('9.99 USD');
    expect(packagePrice(1500, 'JPY')).toBe('1500 JPY');
    expect(toMinor('9.5', 'USD')).toBe(950);
    expect(toMinor('9,99', 'EUR')).toBe(999);
    expect(toMinor('1500', 'JPY')).toBe(1500);
    expect(toMinor('15.5', 'JPY')).toBeUndefined();
    expect(toMinor('-1', 'USD')).toBeUndefined();
  });
});
