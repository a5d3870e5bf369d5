// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError } from '../../test/fake-api.ts';
import { fakeApi, me, renderSignedIn } from '../../test/render.tsx';
import { DeleteAccount } from './DeleteAccount.tsx';

const deleted = {
  deletedAt: '2030-01-01T00:00:00.000Z',
  accessEnded: { sessions: 1, apiKeys: 0 },
  ordersEnded: { cancelled: 0, completed: 0, inFlight: 0 },
  paymentsEnded: { checkoutPagesExpired: 0, subscriptionsCancelled: 0 },
  forfeited: { credits: 500, demoCredits: 0 },
  webhooksStopped: { endpoints: 0, deliveries: 0 },
  erasure: { completed: true, completedAt: '2030-01-01T00:00:00.000Z', completesBy: '2030-01-31T00:00:00.000Z' },
};

describe('Delete my account', () => {
  it('says what is lost, asks for the password and the typed word, then deletes and says goodbye', async () => {
    const api = fakeApi()
      .on('POST', '/privacy/delete', deleted)
      .on('POST', '/auth/logout', () => apiError(401, 'UNAUTHENTICATED', 'Sign in first.'));
    renderSignedIn(<DeleteAccount />);
    expect(screen.getByRole('heading', { level: 2, name: 'Delete my account' })).toBeDefined();
    expect(screen.getByText(/Your remaining credits \(500 credits\) are forfeited/)).toBeDefined();
    expect(screen.getByText(/stay for 5 years/)).toBeDefined();
    expect(screen.getByText(/A card subscription is cancelled at once/)).toBeDefined();

    fireEvent.click(screen.getByRole('button', { name: 'Delete my account for good' }));
    expect(await screen.findByText('Enter your current password.')).toBeDefined();
    expect(screen.getByText('Type DELETE exactly, in capitals.')).toBeDefined();
    expect(api.calls('POST', '/privacy/delete')).toHaveLength(0);

    fireEvent.change(screen.getByLabelText('Your current password'), { target: { value: 'my password' } });
    fireEvent.change(screen.getByLabelText('Type DELETE to confirm'), { target: { value: 'DELETE' } });
    fireEvent.click(screen.getByRole('button', { name: 'Delete my account for good' }));
    await waitFor(() => expect(window.location.pathname).toBe('/goodbye'));
    expect(api.calls('POST', '/privacy/delete').map((call) => call.body)).toEqual([{ confirm: true, password: 'my password' }]);
  });

  it('asks a device account for no password, and shows the server’s refusal', async () => {
    const api = fakeApi().on('POST', '/privacy/delete', () => apiError(429, 'TOO_MANY_ATTEMPTS', 'Too many wrong passwords.'));
    renderSignedIn(
      <DeleteAccount />,
      me({ kind: 'device', email: null, balance: { available: 0, held: 0, demo: { available: 0, held: 0 } } }),
    );
    expect(screen.queryByLabelText('Your current password')).toBeNull();
    expect(screen.getByText('You have no credits left to lose.')).toBeDefined();
    fireEvent.change(screen.getByLabelText('Type DELETE to confirm'), { target: { value: 'DELETE' } });
    fireEvent.click(screen.getByRole('button', { name: 'Delete my account for good' }));
    expect(await screen.findByText('Too many wrong passwords.')).toBeDefined();
    expect(api.calls('POST', '/privacy/delete').map((call) => call.body)).toEqual([{ confirm: true }]);
  });
});
