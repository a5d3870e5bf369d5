// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api.ts';
import { at } from '../../test/render.tsx';
import { ConsoleApp } from '../ConsoleApp.tsx';
import { ConsoleSessionProvider } from '../session.tsx';
import './index.tsx';
import type { StaffOrderItem, StaffOrderLife } from './Orders.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const item = (over: Partial<StaffOrderItem> = {}): StaffOrderItem => ({
  id: 'act_1',
  accountId: 'acc_c1',
  service: 'tg',
  country: 'GB',
  provider: 'alpha',
  phone: '+44…0123',
  status: 'waiting',
  price: 60,
  failureReason: null,
  sandbox: false,
  createdAt: '2030-01-02T10:00:00.000Z',
  endedAt: null,
  ...over,
});

const life: StaffOrderLife = {
  order: {
    ...item({ phone: '+447700900123', status: 'completed', endedAt: '2030-01-02T10:05:00.000Z' }),
    orderNumber: 100000042,
    upstreamId: '991',
    providerCost: 500000,
    providerCurrency: 'USD',
    expiresAt: '2030-01-02T10:20:00.000Z',
    receivedAt: '2030-01-02T10:02:00.000Z',
  },
  sms: [
    {
      id: 'sms_1',
      code: '48213',
      text: 'Telegram code: 48213',
      late: false,
      source: 'provider_poll',
      receivedAt: '2030-01-02T10:02:00.000Z',
    },
  ],
  events: [
    { id: 'aev_1', type: 'created', fromStatus: null, toStatus: 'requesting', actor: 'customer', at: '2030-01-02T10:00:00.000Z' },
    {
      id: 'aev_2',
      type: 'number_assigned',
      fromStatus: 'requesting',
      toStatus: 'waiting',
      actor: 'provider',
      at: '2030-01-02T10:00:01.000Z',
    },
  ],
  ledger: [{ id: 'txn_1', kind: 'hold', phase: 'pending', amount: 60, reason: 'Telegram number', at: '2030-01-02T10:00:00.000Z' }],
  webhooks: [
    {
      id: 7,
      type: 'activation.updated',
      status: 'failed',
      attempts: 3,
      lastResponseStatus: 500,
      lastError: 'server error',
      lastAttemptAt: '2030-01-02T10:03:00.000Z',
      deliveredAt: null,
    },
  ],
  providerTasks: [],
  providerCalls: [
    { id: 1, provider: 'alpha', action: 'buy', outcome: 'ok', durationMs: 120, answer: 'a number sold', at: '2030-01-02T10:00:01.000Z' },
    {
      id: 2,
      provider: 'alpha',
      action: 'status',
      outcome: 'timeout',
      durationMs: 2000,
      answer: 'no answer',
      at: '2030-01-02T10:01:00.000Z',
    },
  ],
};

const show = (path: string) => {
  at(path);
  const api = new FakeApi().on('GET', '/me', { id: 'acc_staff', email: 'staff@example.com', role: 'support' });
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

describe('Orders page', () => {
  it('lists orders with masked numbers, searches by a spaced number with filters, and pages on', async () => {
    const { api, render: go } = show('/admin/orders');
    api
      .on('GET', '/admin/orders', { by: null, items: [item(), item({ id: 'act_2', sandbox: true })], nextCursor: 'act_2' })
      .on('GET', '/admin/orders?cursor=act_2', { by: null, items: [item({ id: 'act_3' })], nextCursor: null })
      .on('GET', /^\/admin\/orders\?q=/, { by: 'number', items: [item()], nextCursor: null });
    go();
    const table = await screen.findByRole('table', { name: 'Orders, newest first' });
    const row = within(table).getByRole('row', { name: /act_1/ });
    expect(row.textContent).toContain('+44…0123');
    expect(within(row).getByRole('link', { name: 'acc_c1' }).getAttribute('href')).toBe('/admin/accounts/acc_c1');
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    expect(await within(table).findByRole('row', { name: /act_3/ })).toBeTruthy();

    const form = screen.getByRole('form', { name: 'Filter the orders' });
    fireEvent.change(within(form).getByLabelText('Order id, order number or rented number'), { target: { value: ' +44 7700 900123 ' } });
    fireEvent.change(within(form).getByLabelText('Status'), { target: { value: 'waiting' } });
    fireEvent.change(within(form).getByLabelText('Country code'), { target: { value: 'gb' } });
    fireEvent.change(within(form).getByLabelText('Created from'), { target: { value: '2030-01-01' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Find' }));
    await vi.waitFor(() => expect(api.calls('GET', /^\/admin\/orders\?q=/)).toHaveLength(1));
    const asked = api.calls('GET', /^\/admin\/orders\?q=/)[0]?.path as string;
    expect(Object.fromEntries(new URLSearchParams(asked.split('?')[1]))).toEqual({
      q: '+44 7700 900123',
      status: 'waiting',
      country: 'GB',
      from: '2030-01-01T00:00:00Z',
    });
  });

  it('says when a search term is not an id or a number', async () => {
    const { api, render: go } = show('/admin/orders');
    api
      .on('GET', '/admin/orders', { by: null, items: [], nextCursor: null })
      .on('GET', /^\/admin\/orders\?q=/, { by: null, items: [], nextCursor: null });
    go();
    expect(await screen.findByText('No order matches.')).toBeTruthy();
    const form = screen.getByRole('form', { name: 'Filter the orders' });
    fireEvent.change(within(form).getByLabelText('Order id, order number or rented number'), { target: { value: 'hello' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Find' }));
    expect(await screen.findByText('That is not an order id, an order number or a phone number.')).toBeTruthy();
  });

  it("shows one order's life: the number opened, the code, and a timeline with failures marked", async () => {
    const { api, render: go } = show('/admin/orders/act_1');
    api.on('GET', '/admin/orders/act_1', life);
    go();
    expect(await screen.findByRole('heading', { name: 'Order act_1' })).toBeTruthy();
    expect(await screen.findByText('+447700900123')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open the customer’s account' }).getAttribute('href')).toBe('/admin/accounts/acc_c1');
    expect(within(screen.getByRole('region', { name: 'Codes received' })).getByText('48213')).toBeTruthy();
    const steps = within(screen.getByRole('region', { name: 'What happened' })).getAllByRole('listitem');
    const texts = steps.map((step) => step.textContent ?? '');
    expect(texts[0]).toContain('created');
    expect(texts.some((text) => text.includes('buy at alpha: ok in 120 ms — a number sold'))).toBe(true);
    expect(texts.some((text) => text.includes('code 48213: “Telegram code: 48213”'))).toBe(true);
    expect(texts.findIndex((text) => text.includes('timeout'))).toBeLessThan(texts.findIndex((text) => text.includes('code 48213')));
    const failed = steps.filter((step) => step.className.includes('console-timeline__failed'));
    expect(failed.map((step) => step.textContent)).toEqual([expect.stringContaining('timeout'), expect.stringContaining('HTTP 500')]);
  });
});
