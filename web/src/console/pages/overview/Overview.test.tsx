// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { components } from '../../../lib/api.gen.ts';
import { FakeApi, json, liveStream, type Recorded } from '../../../test/fake-api.ts';
import { OverviewPage } from './Overview.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

type OverviewData = components['schemas']['Overview'];

const bucket = (at: string, over: Partial<OverviewData['series'][number]> = {}): OverviewData['series'][number] => ({
  at,
  completed: 0,
  cancelled: 0,
  expired: 0,
  failed: 0,
  revenue: 0,
  providerCost: 0,
  margin: 0,
  released: 0,
  newAccounts: { email: 0, device: 0 },
  ...over,
});

const figures = (completed: number): OverviewData => ({
  from: '2030-01-01T00:00:00.000Z',
  to: '2030-01-01T02:00:00.000Z',
  granularity: 'hour',
  series: [
    bucket('2030-01-01T00:00:00.000Z', {
      completed,
      failed: 2,
      revenue: 300,
      providerCost: 120,
      margin: 180,
      newAccounts: { email: 4, device: 9 },
    }),
    bucket('2030-01-01T01:00:00.000Z', { completed: 1, cancelled: 3, revenue: 100, providerCost: 40, margin: 60 }),
  ],
  totals: {
    completed: completed + 1,
    cancelled: 3,
    expired: 0,
    failed: 2,
    codeRate: 0.5,
    timeToCode: { p50: 20, p90: 60, p99: 300 },
    revenue: 400,
    providerCost: 160,
    margin: 240,
    released: 30,
    newAccounts: { email: 4, device: 9 },
  },
  providers: [
    {
      value: 'smsactivate',
      completed: 5,
      cancelled: 1,
      expired: 0,
      failed: 0,
      codeRate: 0.833,
      timeToCode: { p50: 18, p90: 55, p99: 280 },
    },
    { value: 'fivesim', completed: 0, cancelled: 0, expired: 0, failed: 2, codeRate: null, timeToCode: null },
  ],
  services: [
    { value: 'tg', completed: 5, cancelled: 1, expired: 0, failed: 2, codeRate: 0.833, timeToCode: { p50: 19, p90: 50, p99: 200 } },
  ],
  countries: [],
  costs: [
    { provider: 'smsactivate', currency: 'RUB', micros: 9_000_000, credits: 160 },
    { provider: 'oldone', currency: 'XYZ', micros: 2_500_000, credits: null },
  ],
  refunds: {
    orders: { cancelled: 3, expired: 0, failed: 2, credits: 30 },
    payments: [{ currency: 'usd', refunded: 1, refundedMinor: 500 }],
  },
  payments: [
    {
      at: '2030-01-01T00:00:00.000Z',
      method: 'card',
      status: 'succeeded',
      currency: 'usd',
      payments: 2,
      amountMinor: 2000,
      credits: 2000,
      refundedMinor: 500,
    },
    {
      at: '2029-12-31T00:00:00.000Z',
      method: 'card',
      status: 'succeeded',
      currency: 'usd',
      payments: 1,
      amountMinor: 1000,
      credits: 1000,
      refundedMinor: 0,
    },
  ],
  balances: [
    {
      provider: 'smsactivate',
      currency: 'RUB',
      balanceMicros: 100_000_000,
      balanceAt: '2030-01-01T01:00:00.000Z',
      lowBalanceMicros: 500_000_000,
      low: true,
    },
    {
      provider: 'fivesim',
      currency: 'USD',
      balanceMicros: 90_000_000,
      balanceAt: '2030-01-01T01:00:00.000Z',
      lowBalanceMicros: 5_000_000,
      low: false,
    },
  ],
});

function fake(respond: (request: Recorded) => OverviewData) {
  const stream = liveStream();
  const api = new FakeApi()
    .on('GET', /^\/admin\/overview\?/, (request: Recorded) => json(200, respond(request)))
    .on('GET', '/admin/events', stream.respond);
  api.install();
  return { api, stream };
}

describe('console overview', () => {
  it('shows every figure with a text alternative for each chart, and highlights low provider balances', async () => {
    const { api } = fake(() => figures(7));
    render(<OverviewPage refreshMinMs={0} />);
    const orders = await screen.findByRole('table', { name: 'Orders by outcome, per hour' });
    const firstHour = within(orders).getAllByRole('row')[1] as HTMLElement;
    expect(
      within(firstHour)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['7', '0', '0', '2']);
    expect(screen.getByText('In this period: 8 completed, 3 cancelled, 0 expired, 2 failed.')).toBeTruthy();
    // Money: by UTC day whatever the granularity (the two hours fold into one day).
    const money = screen.getByRole('table', { name: 'Revenue, provider cost and margin per day (credits)' });
    expect(within(money).getAllByRole('row')).toHaveLength(2);
    expect(
      within(within(money).getAllByRole('row')[1] as HTMLElement)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['400', '160', '240']);
    expect(screen.getByText(/oldone: 2.5 XYZ of costs have no exchange rate/)).toBeTruthy();
    // Arrival by provider, then by service.
    const codes = screen.getByRole('table', { name: /Code arrival and time to code: Provider/ });
    expect(within(codes).getByRole('rowheader', { name: 'smsactivate' })).toBeTruthy();
    expect(codes.textContent).toContain('83.3%');
    fireEvent.change(screen.getByLabelText('Group by'), { target: { value: 'services' } });
    expect(within(screen.getByRole('table', { name: /: Service/ })).getByText('50 s')).toBeTruthy();
    // Payments folded over the period by method and status.
    const payments = screen.getByRole('region', { name: 'Payments by method and status' });
    expect(within(payments).getByText('30.00 USD')).toBeTruthy();
    // Balances: the low one stands out, in words as well as colour.
    const balances = screen.getByRole('region', { name: 'Provider balances' });
    expect(within(balances).getByText('One provider balance is low.')).toBeTruthy();
    const low = within(balances).getByRole('rowheader', { name: 'smsactivate' }).closest('tr') as HTMLElement;
    expect(low.className).toContain('is-alert');
    expect(within(low).getByText('Low')).toBeTruthy();
    expect(within(balances).getByRole('rowheader', { name: 'fivesim' }).closest('tr')?.className ?? '').not.toContain('is-alert');
    expect(api.calls('GET', /^\/admin\/overview\?/)[0]?.path).toContain('granularity=hour');
  });

  it('reads another period by the day when the range is long', async () => {
    const { api } = fake((request) => ({ ...figures(1), granularity: request.path.includes('granularity=day') ? 'day' : 'hour' }));
    render(<OverviewPage refreshMinMs={0} />);
    await screen.findByRole('table', { name: 'Orders by outcome, per hour' });
    const ninety = screen.getByRole('button', { name: '90 days' });
    expect(ninety.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(ninety);
    await screen.findByRole('table', { name: 'Orders by outcome, per day' });
    expect(ninety.getAttribute('aria-pressed')).toBe('true');
    const last = new URLSearchParams(
      api
        .calls('GET', /^\/admin\/overview\?/)
        .at(-1)
        ?.path.split('?')[1],
    );
    expect(last.get('granularity')).toBe('day');
    const span = Date.parse(last.get('to') ?? '') - Date.parse(last.get('from') ?? '');
    expect(span).toBe(90 * 24 * 3_600_000);
  });

  it('reads the figures again when the staff stream says they changed, without a reload', async () => {
    let completed = 7;
    const { api, stream } = fake(() => figures(completed));
    render(<OverviewPage refreshMinMs={0} />);
    await screen.findByText('In this period: 8 completed, 3 cancelled, 0 expired, 2 failed.');
    await screen.findByText('Live: updates as the figures change');
    const before = api.calls('GET', /^\/admin\/overview\?/).length;
    completed = 41;
    stream.send('stats.updated', { at: '2030-01-01T01:30:00.000Z' });
    await screen.findByText('In this period: 42 completed, 3 cancelled, 0 expired, 2 failed.');
    expect(api.calls('GET', /^\/admin\/overview\?/).length).toBe(before + 1);
    expect(api.calls('GET', '/admin/events')).toHaveLength(1);
  });

  it('throttles a burst of changes into one read', async () => {
    const { api, stream } = fake(() => figures(1));
    render(<OverviewPage refreshMinMs={60_000} />);
    await screen.findByText('Live: updates as the figures change');
    await screen.findByRole('table', { name: 'Orders by outcome, per hour' });
    for (let i = 0; i < 5; i++) stream.send('stats.updated', { at: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.calls('GET', /^\/admin\/overview\?/)).toHaveLength(1);
  });

  it('says when the figures cannot be read', async () => {
    const stream = liveStream();
    new FakeApi()
      .on('GET', /^\/admin\/overview\?/, () => json(500, { error: { code: 'INTERNAL', message: 'Down.', requestId: 'r' } }))
      .on('GET', '/admin/events', stream.respond)
      .install();
    render(<OverviewPage refreshMinMs={0} />);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Down.'));
  });
});
