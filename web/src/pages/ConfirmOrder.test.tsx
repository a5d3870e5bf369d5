// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, json } from '../test/fake-api.ts';
import { at, fakeApi, me, renderSignedIn } from '../test/render.tsx';
import { ConfirmOrder } from './ConfirmOrder.tsx';

const countries = {
  countries: [{ code: 'ID', name: 'Indonesia', dialCode: '62', aliases: [], flag: '🇮🇩', available: 9400, fromPrice: 17 }],
};
const created = {
  id: 'act_01',
  phone: '+6281200000001',
  service: 'tg',
  country: 'ID',
  price: 17,
  status: 'waiting',
  expiresAt: '2030-01-01T00:20:00.000Z',
  createdAt: '2030-01-01T00:00:00.000Z',
  cancellableAt: '2030-01-01T00:02:00.000Z',
  receivedAt: null,
  endedAt: null,
  sandbox: true,
  sms: [],
};

describe('confirming an order', () => {
  it('shows the price before buying, and buys once at most that price', async () => {
    at('/buy/tg/ID');
    const api = fakeApi()
      .on('GET', '/countries?service=tg', countries)
      .on('POST', '/activations', () => json(201, created));
    renderSignedIn(<ConfirmOrder service="tg" country="ID" />);

    await screen.findByText('17 credits');
    const buy = screen.getByRole('button', { name: 'Buy number' });
    fireEvent.click(buy);
    fireEvent.click(buy);
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe('/orders?order=act_01'));
    const posts = api.calls('POST', '/activations');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({ service: 'tg', country: 'ID', maxPrice: 17 });
    expect(posts[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('retries a purchase whose answer was lost with the same Idempotency-Key, so it can never buy twice', async () => {
    at('/buy/tg/ID');
    let attempts = 0;
    const api = fakeApi()
      .on('GET', '/countries?service=tg', countries)
      .on('POST', '/activations', () => {
        attempts += 1;
        if (attempts === 1) throw new TypeError('Failed to fetch');
        return json(201, created);
      });
    renderSignedIn(<ConfirmOrder service="tg" country="ID" />);

    fireEvent.click(await screen.findByRole('button', { name: 'Buy number' }));
    await screen.findByText('We could not reach otpbox. Check your connection and try again.');
    fireEvent.click(screen.getByRole('button', { name: 'Buy number' }));
    await waitFor(() => expect(window.location.pathname).toBe('/orders'));
    const [first, second] = api.calls('POST', '/activations');
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
  });

  it('words a refusal as the server does, and uses a new key for the next attempt', async () => {
    at('/buy/tg/ID');
    const api = fakeApi()
      .on('GET', '/countries?service=tg', countries)
      .on('POST', '/activations', () =>
        apiError(409, 'NO_NUMBERS', 'No numbers for Telegram in Indonesia right now — try another country. Nothing was charged.'),
      );
    renderSignedIn(<ConfirmOrder service="tg" country="ID" />);

    fireEvent.click(await screen.findByRole('button', { name: 'Buy number' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'No numbers for Telegram in Indonesia right now — try another country.',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Buy number' }));
    await waitFor(() => expect(api.calls('POST', '/activations')).toHaveLength(2));
    const [first, second] = api.calls('POST', '/activations');
    expect(second?.headers['idempotency-key']).not.toBe(first?.headers['idempotency-key']);
  });

  it('says how many credits are missing before the customer tries', async () => {
    at('/buy/tg/ID');
    fakeApi()
      .on('GET', '/countries?service=tg', countries)
      .on('POST', '/activations', () => apiError(402, 'INSUFFICIENT_CREDITS', 'Not enough credits: 17 needed, 5 available.'));
    renderSignedIn(<ConfirmOrder service="tg" country="ID" />, me({ balance: { available: 5, held: 0, demo: { available: 0, held: 0 } } }));

    expect((await screen.findByText(/You need 12 credits more/)).textContent).toContain('Add credits');
    fireEvent.click(screen.getByRole('button', { name: 'Buy number' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Not enough credits: 17 needed, 5 available.');
  });
});
