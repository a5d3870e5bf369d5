// @vitest-environment happy-dom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../lib/format.ts';
import { fakeApi, renderSignedIn } from '../../test/render.tsx';
import { AccessLog } from './AccessLog.tsx';

describe('Who accessed my data', () => {
  it('lists every staff read: what, when, the role and reference of the reader, and the reason given', async () => {
    const api = fakeApi().on('GET', '/privacy/access-log?limit=20', {
      items: [
        {
          id: 'sal_2',
          role: 'support',
          staffRef: 'staff_0123456789abcdef',
          what: 'account.profile',
          reason: 'ticket 4411',
          at: '2030-01-02T10:00:00.000Z',
        },
        {
          id: 'sal_1',
          role: 'admin',
          staffRef: 'staff_fedcba9876543210',
          what: 'account.orders',
          reason: null,
          at: '2030-01-01T09:00:00.000Z',
        },
      ],
      nextCursor: 'sal_1',
    });
    api.on('GET', '/privacy/access-log?limit=20&before=sal_1', { items: [], nextCursor: null });
    renderSignedIn(<AccessLog />);
    expect(screen.getByRole('heading', { level: 2, name: 'Who accessed my data' })).toBeDefined();
    await screen.findByText('Your account profile');
    expect(screen.getByText(/· Support staff_0123456789abcdef$/)).toBeDefined();
    expect(screen.getByText('Reason given: ticket 4411')).toBeDefined();
    expect(screen.getByText('account orders')).toBeDefined();
    expect(screen.getByText(/· Administrator staff_fedcba9876543210$/)).toBeDefined();
    expect(screen.getByText(formatDateTime('2030-01-02T10:00:00.000Z'), { selector: 'time' })).toBeDefined();
    expect(screen.getByRole('button', { name: /more/i })).toBeDefined();
  });

  it('says kindly when no one has looked', async () => {
    fakeApi().on('GET', '/privacy/access-log?limit=20', { items: [], nextCursor: null });
    renderSignedIn(<AccessLog />);
    await screen.findByText('No one on our staff has looked at your data.');
  });
});
