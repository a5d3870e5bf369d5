// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, json } from '../../../test/fake-api.ts';
import { SecurityPage } from './Security.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const event = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  accountId: 'acc_alice',
  type: 'login_failed',
  occurredAt: '2031-03-01T10:00:00.000Z',
  actor: null,
  ipPrefix: '203.0.113.0/24',
  userAgent: 'Firefox 140',
  details: null,
  ...over,
});

const lockout = (over: Record<string, unknown> = {}) => ({
  kind: 'ip',
  accountId: null,
  ref: 'a1b2c3d4e5f6',
  failures: 50,
  blockedUntil: '2031-03-01T10:15:00.000Z',
  updatedAt: '2031-03-01T10:00:00.000Z',
  ...over,
});
const ipLockout = lockout();

describe('console security', () => {
  it('lists security events, filters them by type, account and dates, and pages on', async () => {
    const api = new FakeApi()
      .on('GET', '/admin/security/events?limit=50', {
        events: [event('sev_2', { type: 'account_suspended', actor: 'acc_admin', details: { reason: 'fraud' } }), event('sev_1')],
        nextCursor: 'sev_1',
      })
      .on('GET', '/admin/security/events?limit=50&cursor=sev_1', { events: [event('sev_0', { accountId: null })], nextCursor: null })
      .on(
        'GET',
        '/admin/security/events?limit=50&type=login_failed&accountId=acc_alice&from=2031-03-01T00%3A00%3A00Z&to=2031-03-03T00%3A00%3A00.000Z',
        { events: [event('sev_1')], nextCursor: null },
      );
    api.install();
    render(<SecurityPage rest="" />);
    const table = await screen.findByRole('table', { name: 'Security events' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('account suspended');
    expect(rows[0]?.textContent).toContain('acc_admin');
    expect(rows[0]?.textContent).toContain('{"reason":"fraud"}');
    expect(rows[1]?.textContent).toContain('The account itself');
    expect(rows[1]?.className).toContain('is-alert');
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    await vi.waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));

    fireEvent.change(screen.getByLabelText('Event type'), { target: { value: 'login_failed' } });
    fireEvent.change(screen.getByLabelText('Account id'), { target: { value: ' acc_alice ' } });
    fireEvent.change(screen.getByLabelText('From (UTC date)'), { target: { value: '2031-03-01' } });
    fireEvent.change(screen.getByLabelText('Until (UTC date, inclusive)'), { target: { value: '2031-03-02' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await vi.waitFor(() => expect(within(screen.getByRole('table', { name: 'Security events' })).getAllByRole('row')).toHaveLength(2));
    expect(api.requests.at(-1)?.path).toContain('type=login_failed&accountId=acc_alice');
  });

  it('shows current lockouts with a reference, never the key', async () => {
    new FakeApi()
      .on('GET', '/admin/security/lockouts', {
        lockouts: [
          ipLockout,
          lockout({ kind: 'totp', accountId: 'acc_staff', ref: '0f0f0f0f0f0f', failures: 6, blockedUntil: '2031-03-01T10:05:00.000Z' }),
        ],
      })
      .install();
    render(<SecurityPage rest="lockouts" />);
    const table = await screen.findByRole('table', { name: 'Current lockouts' });
    expect(within(table).getByRole('rowheader', { name: 'Network address' }).closest('tr')?.textContent).toContain('a1b2c3d4e5f6');
    expect(within(table).getByRole('rowheader', { name: 'Two-factor code' }).closest('tr')?.textContent).toContain('acc_staff');
    expect(screen.getByRole('link', { name: 'Current lockouts' }).getAttribute('aria-current')).toBe('page');
  });

  it('lifts a lockout with a reason, then shows the list without it', async () => {
    let lifted = false;
    const api = new FakeApi()
      .on('GET', '/admin/security/lockouts', () => json(200, { lockouts: lifted ? [] : [ipLockout] }))
      .on('POST', '/admin/security/lockouts/a1b2c3d4e5f6/lift', () => {
        lifted = true;
        return json(200, { lockout: ipLockout });
      });
    api.install();
    render(<SecurityPage rest="lockouts" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Lift the block of Network address a1b2c3d4e5f6' }));
    const form = screen.getByRole('form', { name: 'Lift a block' });
    fireEvent.change(within(form).getByLabelText(/Reason/), { target: { value: 'the office network, one careless user' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Lift the block' }));
    expect(await screen.findByText('The block of Network address a1b2c3d4e5f6 is lifted.')).toBeTruthy();
    expect(api.requests.find((r) => r.method === 'POST')?.body).toEqual({ reason: 'the office network, one careless user' });
    expect(await screen.findByText('Nothing is locked now.')).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Lift a block' })).toBeNull();
  });

  it('shows the staff audit log with who, what and why, filtered by action', async () => {
    const api = new FakeApi()
      .on('GET', '/admin/security/audit?limit=50', {
        entries: [
          {
            id: 'aud_1',
            actor: 'acc_admin',
            action: 'credits.granted',
            accountId: 'acc_alice',
            reason: 'goodwill after outage',
            details: { amount: 500, reason: 'goodwill after outage' },
            occurredAt: '2031-03-01T10:00:00.000Z',
          },
        ],
        nextCursor: null,
      })
      .on('GET', '/admin/security/audit?limit=50&action=support.closed', { entries: [], nextCursor: null });
    api.install();
    render(<SecurityPage rest="audit" />);
    const table = await screen.findByRole('table', { name: 'Staff audit log' });
    const row = within(table).getAllByRole('row')[1] as HTMLElement;
    expect(within(row).getByText('goodwill after outage')).toBeTruthy();
    expect(within(row).getByText('credits.granted')).toBeTruthy();
    expect(within(row).getByText('acc_admin')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'support.closed' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await screen.findByText('No staff action matches.');
  });
});
