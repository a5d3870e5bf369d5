// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, json, type Recorded } from '../../test/fake-api.ts';
import { consoleAt } from '../test-console.tsx';
import type { AdminProvider } from './Providers.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const provider = (over: Partial<AdminProvider> = {}): AdminProvider => ({
  id: 'prv_1',
  name: 'alpha',
  kind: 'sms-activate',
  baseUrl: 'https://alpha.example.com',
  priority: 10,
  markupPercent: '25',
  feeCredits: 0,
  currency: 'USD',
  health: 'ok',
  circuitOpen: false,
  lastError: null,
  lastErrorAt: null,
  balance: 42.5,
  balanceAt: '2030-01-01T00:00:00.000Z',
  lowBalance: 5,
  balanceLow: false,
  offers: 120,
  syncedAt: '2030-01-01T10:00:00.000Z',
  removed: false,
  ...over,
});

const show = (role: 'admin' | 'support', providers: AdminProvider[]) =>
  consoleAt('/admin/providers', role, { '/admin/providers': { providers } });

describe('Providers page', () => {
  it('lists terms, health, circuit and balance, alerts on a low balance, and offers support staff no change', async () => {
    show('support', [
      provider(),
      provider({
        id: 'prv_2',
        name: 'beta',
        health: 'circuit_open',
        circuitOpen: true,
        lastError: 'timeout',
        balance: 1.2,
        balanceLow: true,
      }),
    ]);
    const table = await screen.findByRole('table', { name: 'Providers' });
    const beta = within(table).getByRole('row', { name: /beta/ });
    expect(beta.textContent).toContain('refused (circuit open)');
    expect(beta.textContent).toContain('1.20 USD');
    expect(beta.textContent).toContain('low');
    expect(screen.getByRole('alert').textContent).toContain('beta: 1.20 USD (alert below 5.00 USD)');
    expect(screen.queryByRole('button', { name: /Change|Remove|Add a provider/ })).toBeNull();
    expect(screen.getByRole('link', { name: 'Providers' }).getAttribute('aria-current')).toBe('page');
  });

  it('lets an admin change the terms with a reason, then shows the list again', async () => {
    const api = show('admin', [provider()]);
    api.on('POST', '/admin/providers/prv_1', (request: Recorded) => json(200, { ...provider(), ...(request.body as object) }));
    fireEvent.click(await screen.findByRole('button', { name: 'Change alpha' }));
    const form = screen.getByRole('form', { name: 'Change the terms of alpha' });
    fireEvent.change(within(form).getByLabelText('Priority'), { target: { value: '3' } });
    fireEvent.change(within(form).getByLabelText('Markup (percent)'), { target: { value: '12.5' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'cheaper supplier' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('status')).textContent).toContain('alpha changed');
    expect(api.calls('POST', '/admin/providers/prv_1')[0]?.body).toEqual({
      priority: 3,
      markupPercent: '12.5',
      feeCredits: 0,
      lowBalance: '5',
      reason: 'cheaper supplier',
    });
    // The list is read again after the change; that read may follow the status line.
    await waitFor(() => expect(api.calls('GET', '/admin/providers')).toHaveLength(2));
  });

  it('adds a provider: the key is sent once, never shown, and the push URL is shown once', async () => {
    const api = show('admin', []);
    api.on('POST', '/admin/providers', (request: Recorded) => {
      const body = request.body as { name: string };
      return json(201, {
        provider: provider({ name: body.name }),
        pushUrl: 'https://otp.example.com/webhooks/providers/gamma?token=pst_x',
        warnings: [],
      });
    });
    expect(await screen.findByText(/No upstream provider/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add a provider…' }));
    const form = screen.getByRole('form', { name: 'Add a provider' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'gamma' } });
    fireEvent.change(within(form).getByLabelText('Base URL'), { target: { value: 'https://gamma.example.com/api' } });
    const key = within(form).getByLabelText('API key');
    expect(key.getAttribute('type')).toBe('password');
    fireEvent.change(key, { target: { value: 'secret-key-1' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'new supplier' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add the provider' }));
    expect((await screen.findByTestId('push-url')).textContent).toContain('token=pst_x');
    expect(api.calls('POST', '/admin/providers')[0]?.body).toMatchObject({
      kind: 'sms-activate',
      name: 'gamma',
      apiKey: 'secret-key-1',
      reason: 'new supplier',
    });
    expect(document.body.textContent).not.toContain('secret-key-1');
  });

  it('removes a provider with a reason and shows the server refusal when there is one', async () => {
    const api = show('admin', [provider()]);
    let tries = 0;
    api.on('POST', '/admin/providers/prv_1/remove', () =>
      ++tries === 1 ? apiError(409, 'CONFLICT', 'Busy, try again.') : json(200, { name: 'alpha', draining: 2, deleted: false }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Remove alpha' }));
    const form = screen.getByRole('form', { name: 'Remove alpha' });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'contract ended' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Remove the provider' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('Busy, try again.');
    fireEvent.click(within(form).getByRole('button', { name: 'Remove the provider' }));
    expect((await screen.findByRole('status')).textContent).toContain('2 open order(s)');
    expect(api.calls('POST', '/admin/providers/prv_1/remove')[1]?.body).toEqual({ reason: 'contract ended' });
  });
});
