// @vitest-environment happy-dom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PrivacyRequest } from '../../lib/types.ts';
import { apiError, json } from '../../test/fake-api.ts';
import { at, fakeApi, renderSignedIn } from '../../test/render.tsx';
import { VerifyPrivacyRequest } from './LostAccess.tsx';
import { Requests } from './Requests.tsx';

const request = (over: Partial<PrivacyRequest>): PrivacyRequest => ({
  id: 'prq_01',
  type: 'access',
  details: null,
  status: 'open',
  filedAt: '2030-01-02T10:00:00.000Z',
  dueAt: '2030-02-01T10:00:00.000Z',
  daysLeft: 12,
  resolvedAt: null,
  resolution: null,
  ...over,
});

describe('rights requests', () => {
  it('lists requests with status, days left and the answer, and withdraws an open one', async () => {
    const api = fakeApi()
      .on('GET', '/privacy/requests?limit=100', {
        requests: [request({}), request({ id: 'prq_00', type: 'erasure', status: 'completed', resolution: 'All deleted.', daysLeft: 0 })],
        nextCursor: null,
      })
      .on('POST', '/privacy/requests/prq_01/withdraw', request({ status: 'withdrawn' }));
    renderSignedIn(<Requests />);
    expect(await screen.findByText(/12 days left/)).toBeTruthy();
    expect(screen.getByText(/All deleted\./)).toBeTruthy();
    // Only the request still waiting can be withdrawn.
    const withdraw = screen.getAllByRole('button', { name: 'Withdraw' });
    expect(withdraw).toHaveLength(1);
    fireEvent.click(withdraw[0] as HTMLElement);
    await waitFor(() => expect(api.calls('POST', '/privacy/requests/prq_01/withdraw')).toHaveLength(1));
  });

  it('explains the chosen right and files it with the details; a duplicate shows the server’s reason', async () => {
    const api = fakeApi()
      .on('GET', '/privacy/requests?limit=100', { requests: [], nextCursor: null })
      .on('POST', '/privacy/requests', () => apiError(409, 'CONFLICT', 'You already have an open restriction request (prq_9).'));
    renderSignedIn(<Requests />);
    expect(await screen.findByText('You have not made any request.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('What do you want?'), { target: { value: 'restriction' } });
    expect(screen.getByText(/no orders can be placed/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Details (optional)'), { target: { value: 'I contest my data' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the request' }));
    expect(await screen.findByText(/already have an open restriction request/)).toBeTruthy();
    expect(api.calls('POST', '/privacy/requests')[0]?.body).toEqual({ type: 'restriction', details: 'I contest my data' });
  });

  it('confirms a request from the e-mailed link once', async () => {
    at('/privacy/requests/verify?token=otp_prq_abc');
    const api = fakeApi().on('POST', '/privacy/requests/verify', () => json(200, request({})));
    render(<VerifyPrivacyRequest />);
    expect(await screen.findByText(/Your request is confirmed/)).toBeTruthy();
    expect(api.calls('POST', '/privacy/requests/verify')[0]?.body).toEqual({ token: 'otp_prq_abc' });
  });
});
