// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi, json, type Recorded } from '../test/fake-api.ts';
import { at } from '../test/render.tsx';
import { ConsoleApp } from './ConsoleApp.tsx';
import { ConsoleSessionProvider } from './session.tsx';

afterEach(cleanup);
// Each step waits on a round trip through the fake API and a render: on a loaded machine (the whole suite on two cores) that can take over a second.
configure({ asyncUtilTimeout: 5000 });

const staff = { id: 'acc_staff', email: 'boss@example.com', role: 'admin' };
const show = () =>
  render(
    <ConsoleSessionProvider>
      <ConsoleApp />
    </ConsoleSessionProvider>,
  );

describe('console sign-in', () => {
  it('asks for the password, then the code, and opens the console, with the session cookie only', async () => {
    at('/admin');
    let signedIn = false;
    const api = new FakeApi()
      .on('GET', '/me', () => (signedIn ? json(200, staff) : apiError(401, 'UNAUTHENTICATED', 'Sign in.')))
      .on('POST', '/auth/login', { secondFactor: 'totp', expiresAt: '2030-01-01T00:00:00Z' })
      .on('POST', '/auth/login/totp', (request: Recorded) => {
        if ((request.body as { code?: string }).code !== '123456') return apiError(401, 'INVALID_CREDENTIALS', 'The code is wrong.');
        signedIn = true;
        return json(200, { accountId: 'acc_staff', expiresAt: 'x' });
      });
    api.install();
    show();

    fireEvent.change(await screen.findByLabelText('E-mail address'), { target: { value: 'boss@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a long passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    const code = await screen.findByLabelText('Code');
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    fireEvent.change(code, { target: { value: '654 321' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The code is wrong.');
    fireEvent.change(screen.getByLabelText('Code'), { target: { value: '123 456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('boss@example.com (admin)');
    expect(screen.getByRole('navigation', { name: 'Console' })).toBeTruthy();
    expect(api.calls('POST', '/auth/login/totp').map((call) => call.body)).toEqual([{ code: '654321' }, { code: '123456' }]);
    for (const request of api.requests) expect(request.headers.authorization).toBeUndefined();
  });

  it('signs in with a recovery code instead', async () => {
    at('/admin');
    let signedIn = false;
    const api = new FakeApi()
      .on('GET', '/me', () => (signedIn ? json(200, staff) : apiError(401, 'UNAUTHENTICATED', 'Sign in.')))
      .on('POST', '/auth/login', { secondFactor: 'totp', expiresAt: 'x' })
      .on('POST', '/auth/login/totp', () => {
        signedIn = true;
        return json(200, { accountId: 'acc_staff', expiresAt: 'x' });
      });
    api.install();
    show();
    fireEvent.change(await screen.findByLabelText('E-mail address'), { target: { value: 'boss@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a long passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Use a recovery code instead' }));
    fireEvent.change(screen.getByLabelText('Recovery code'), { target: { value: ' abcde-fghjk ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('boss@example.com (admin)');
    expect(api.calls('POST', '/auth/login/totp')[0]?.body).toEqual({ recoveryCode: 'abcde-fghjk' });
  });

  it('tells a customer account that the console is for staff', async () => {
    at('/admin');
    new FakeApi().on('GET', '/me', { ...staff, role: 'customer' }).install();
    show();
    expect((await screen.findByText(/not a staff account/)).textContent).toContain('support and admin staff only');
  });
});

describe('enrolment', () => {
  it('reads the link, shows the QR code and the key, confirms a code and shows the recovery codes once', async () => {
    at('/admin/enrol#token=otp_enr_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    const codes = Array.from({ length: 10 }, (_, i) => `aaaa${i}-bbbbb`);
    const api = new FakeApi()
      .on('GET', '/me', apiError(401, 'UNAUTHENTICATED', 'Sign in.'))
      .on('POST', '/auth/enrol', {
        email: 'new@example.com',
        secret: 'JBSWY3DPEHPK3PXP',
        otpauthUri: 'otpauth://totp/otpbox:new%40example.com?secret=JBSWY3DPEHPK3PXP',
        expiresAt: '2030-01-01T00:00:00Z',
      })
      .on('POST', '/auth/enrol/confirm', { recoveryCodes: codes });
    api.install();
    show();
    expect((await screen.findByTestId('totp-secret')).textContent).toBe('JBSWY3DPEHPK3PXP');
    // The token leaves the address bar once read.
    expect(window.location.hash).toBe('');
    fireEvent.change(screen.getByLabelText('Code from the app'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    const list = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(list.textContent).toContain('aaaa9-bbbbb');
    expect(api.calls('POST', '/auth/enrol/confirm')[0]?.body).toEqual({
      token: 'otp_enr_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      code: '123456',
    });
    fireEvent.click(screen.getByRole('button', { name: 'I have saved them: sign in' }));
    await waitFor(() => expect(window.location.pathname).toBe('/admin'));
  });
});
