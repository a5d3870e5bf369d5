// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Rental } from '../lib/types.ts';
import { liveStream } from '../test/fake-api.ts';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';
import { RentalPage, Rentals } from './Rentals.tsx';

const rental = (over: Partial<Rental> = {}): Rental => ({
  id: 'rent_01',
  number: '+14155550100',
  country: 'US',
  services: null,
  status: 'active',
  pricePerDay: 50,
  autoRenew: false,
  startedAt: '2030-01-01T10:00:00.000Z',
  endsAt: '2030-01-08T10:00:00.000Z',
  latestEnd: '2030-07-03T10:00:00.000Z',
  endedAt: null,
  endReason: null,
  smsCount: 0,
  periods: [
    {
      seq: 1,
      startsAt: '2030-01-01T10:00:00.000Z',
      endsAt: '2030-01-08T10:00:00.000Z',
      days: 7,
      price: 350,
      status: 'held',
      charged: null,
    },
  ],
  sms: [],
  ...over,
});

describe('the rental pages', () => {
  it('shows the price before renting, rents and opens the rental', async () => {
    at('/rentals');
    const api = fakeApi()
      .on('GET', '/rentals/offers', { offers: [{ country: 'US', count: 3, pricePerDay: 50 }], maxDays: 183 })
      .on('GET', '/rentals?limit=25', { rentals: [], nextCursor: null })
      .on('POST', '/rentals', rental());
    renderSignedIn(<Rentals />);
    expect(await screen.findByRole('option', { name: 'US: 3 available, 50 credits a day' })).toBeTruthy();
    expect(screen.getByText('Price: 350 credits')).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/^Days/), { target: { value: '2' } });
    expect(screen.getByText('Price: 100 credits')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Rent' }));
    await waitFor(() => expect(window.location.pathname).toBe('/rentals/rent_01'));
    expect(api.calls('POST', '/rentals')[0]?.body).toEqual({ country: 'US', days: 2, autoRenew: false });
  });

  it('shows a rental’s SMS live, renews and cancels', async () => {
    at('/rentals/rent_01');
    const live = liveStream();
    let current = rental();
    const api = fakeApi()
      .on('GET', '/events', live.respond)
      .on('GET', '/rentals/rent_01', () => Response.json(current))
      .on('POST', '/rentals/rent_01/renew', () => Response.json(current))
      .on('POST', '/rentals/rent_01/cancel', () => {
        current = rental({ status: 'cancelled' });
        return Response.json(current);
      });
    renderSignedIn(<RentalPage id="rent_01" />);
    expect(await screen.findByRole('heading', { level: 1, name: '+14155550100' })).toBeTruthy();
    expect(screen.getByText('No SMS yet. They appear here as they arrive.')).toBeTruthy();

    current = rental({
      smsCount: 1,
      sms: [
        {
          id: 'rsms_1',
          code: '12345',
          text: 'Telegram code: 12345',
          sender: 'Telegram',
          late: false,
          receivedAt: '2030-01-02T10:00:00.000Z',
        },
      ],
    });
    live.send('rental.sms', { rentalId: 'rent_01', smsId: 'rsms_1', code: '12345', late: false });
    expect(await screen.findByText('Telegram code: 12345')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Renew by (days)'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Renew' }));
    await waitFor(() => expect(api.calls('POST', '/rentals/rent_01/renew')[0]?.body).toEqual({ days: 3 }));

    fireEvent.click(screen.getByRole('button', { name: 'End the rental now' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Renew' })).toBeNull());
    expect(screen.getByText(/Cancelled/)).toBeTruthy();
  });
});
