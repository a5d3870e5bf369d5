// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api.ts';
import { Enrol } from './Enrol.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const enrolment = (newPasswordRequired: boolean) => ({
  email: 'new-support@example.com',
  secret: 'JBSWY3DPEHPK3PXP',
  otpauthUri: 'otpauth://totp/otpbox:new-support@example.com?secret=JBSWY3DPEHPK3PXP',
  expiresAt: '2031-03-02T10:00:00.000Z',
  newPasswordRequired,
});

describe('console enrolment page', () => {
  it('asks for the member’s own password when the account was made on the console, and sends it with the code', async () => {
    window.history.replaceState(null, '', '/admin/enrol#token=otp_enr_abcdefghijkl');
    const api = new FakeApi()
      .on('POST', '/auth/enrol', enrolment(true))
      .on('POST', '/auth/enrol/confirm', { recoveryCodes: ['aaaa-bbbb'] });
    api.install();
    render(<Enrol />);
    fireEvent.change(await screen.findByLabelText('Your password'), { target: { value: 'my own staff passphrase 2031' } });
    fireEvent.change(screen.getByLabelText('Code from the app'), { target: { value: '123 456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('aaaa-bbbb')).toBeTruthy();
    expect(api.requests.find((r) => r.path === '/auth/enrol/confirm')?.body).toEqual({
      token: 'otp_enr_abcdefghijkl',
      code: '123456',
      newPassword: 'my own staff passphrase 2031',
    });
  });

  it('asks for no password when the member chose theirs (an operator’s own admin, a second factor reset)', async () => {
    window.history.replaceState(null, '', '/admin/enrol#token=otp_enr_mnopqrstuvwx');
    const api = new FakeApi()
      .on('POST', '/auth/enrol', enrolment(false))
      .on('POST', '/auth/enrol/confirm', { recoveryCodes: ['cccc-dddd'] });
    api.install();
    render(<Enrol />);
    fireEvent.change(await screen.findByLabelText('Code from the app'), { target: { value: '654321' } });
    expect(screen.queryByLabelText('Your password')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('cccc-dddd')).toBeTruthy();
    expect(api.requests.find((r) => r.path === '/auth/enrol/confirm')?.body).toEqual({ token: 'otp_enr_mnopqrstuvwx', code: '654321' });
  });
});
