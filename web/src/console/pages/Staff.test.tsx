// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, json } from '../../test/fake-api.ts';
import { consoleAt } from '../test-console.tsx';
import type { StaffMember } from './Staff.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const member = (over: Partial<StaffMember> = {}): StaffMember => ({
  id: 'acc_admin',
  email: 'admin@example.com',
  role: 'admin',
  status: 'active',
  twoFactor: true,
  enrolledAt: '2030-01-01T10:00:00.000Z',
  enrolmentPendingUntil: null,
  lastSignInAt: '2030-01-02T09:30:00.000Z',
  createdAt: '2030-01-01T09:00:00.000Z',
  ...over,
});
const link = { url: 'https://otp.example.com/admin/enrol#token=otp_enr_abc', expiresAt: '2030-01-03T10:00:00.000Z' };

const show = (role: 'admin' | 'support', staff: StaffMember[]) =>
  consoleAt('/admin/staff', role, { '/admin/staff': { staff } }, 'acc_admin');

describe('Staff page', () => {
  it('lists staff with role, second factor and last sign-in; no reset of one’s own', async () => {
    show('admin', [
      member(),
      member({
        id: 'acc_new',
        email: 'new@example.com',
        role: 'support',
        twoFactor: false,
        enrolledAt: null,
        enrolmentPendingUntil: '2030-01-03T10:00:00.000Z',
        lastSignInAt: null,
      }),
    ]);
    const table = await screen.findByRole('table', { name: 'Staff' });
    const mine = within(table).getByRole('row', { name: /admin@example.com/ });
    expect(mine.textContent).toContain('(you)');
    expect(mine.textContent).toContain('enrolled');
    expect(mine.textContent).toContain('2030-01-02 09:30 UTC');
    expect(within(mine).queryByRole('button')).toBeNull();
    const pending = within(table).getByRole('row', { name: /new@example.com/ });
    expect(pending.textContent).toContain('not enrolled');
    expect(pending.textContent).toContain('link unused, valid until');
    expect(pending.textContent).toContain('never');
    expect(within(pending).getByRole('button', { name: 'Reset the second factor of new@example.com' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Staff' }).getAttribute('aria-current')).toBe('page');
  });

  it('is not in a support member’s navigation', async () => {
    show('support', []);
    expect(await screen.findByRole('link', { name: 'Overview' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Staff' })).toBeNull();
  });

  it('creates a staff member with a reason and shows the enrolment link once', async () => {
    const api = show('admin', [member()]);
    let tries = 0;
    api.on('POST', '/admin/staff', () =>
      ++tries === 1
        ? apiError(409, 'CONFLICT', 'taken@example.com already has an account: find it under Accounts and change its role there.')
        : json(201, { accountId: 'acc_s', enrolment: link }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Add a staff member…' }));
    const form = screen.getByRole('form', { name: 'Add a staff member' });
    fireEvent.change(within(form).getByLabelText('E-mail address'), { target: { value: 'Desk@Example.com ' } });
    fireEvent.change(within(form).getByLabelText('Role'), { target: { value: 'support' } });
    // No password: the member chooses their own when they enrol, and no one else ever knows it.
    expect(within(form).queryByLabelText(/password/i)).toBeNull();
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'new hire' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create the account' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('already has an account');
    fireEvent.click(within(form).getByRole('button', { name: 'Create the account' }));
    expect((await screen.findByTestId('enrolment-link')).textContent).toBe(link.url);
    expect(screen.getByRole('status').textContent).toContain('Enrolment link for desk@example.com');
    expect(api.calls('POST', '/admin/staff')[1]?.body).toEqual({
      email: 'Desk@Example.com',
      role: 'support',
      reason: 'new hire',
    });
    // The list is read again after the change; that read may follow the status line.
    await waitFor(() => expect(api.calls('GET', '/admin/staff')).toHaveLength(2));
  });

  it('resets a second factor with a reason and shows the new link', async () => {
    const api = show('admin', [member(), member({ id: 'acc_other', email: 'other@example.com' })]);
    api.on('POST', '/admin/staff/acc_other/reset-second-factor', () => json(200, { enrolment: link }));
    fireEvent.click(await screen.findByRole('button', { name: 'Reset the second factor of other@example.com' }));
    const form = screen.getByRole('form', { name: 'Reset the second factor of other@example.com' });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'lost phone' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Reset and issue a link' }));
    expect((await screen.findByTestId('enrolment-link')).textContent).toBe(link.url);
    expect(api.calls('POST', '/admin/staff/acc_other/reset-second-factor')[0]?.body).toEqual({ reason: 'lost phone' });
  });
});
