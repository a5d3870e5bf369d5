// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SessionProvider } from '../state/session.tsx';
import { FakeApi, json } from '../test/fake-api.ts';
import { at, me } from '../test/render.tsx';
import { Anonymous } from './Anonymous.tsx';
import { SignUp } from './SignUp.tsx';

const policy = { version: '2030-01-01.abc', lastUpdated: '2030-01-01', minimumAge: 18, text: '# Privacy policy' };

function signedOut(ui: React.ReactNode) {
  return render(<SessionProvider initial={{ status: 'signed-out', expired: false }}>{ui}</SessionProvider>);
}

describe('signing up', () => {
  it('asks for the age and the policy before anything is sent, next to each box', async () => {
    at('/signup');
    const api = new FakeApi()
      .on('GET', '/privacy/policy', policy)
      .on('POST', '/auth/signup', () => json(201, {}))
      .on('GET', '/me', me());
    api.install();
    signedOut(<SignUp />);

    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'me@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a long passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(screen.getByText('Confirm that you are at least 18 years old.')).toBeTruthy();
    expect(screen.getByText('Accept the privacy policy to continue.')).toBeTruthy();
    expect(screen.getByLabelText('I am at least 18 years old').getAttribute('aria-invalid')).toBe('true');
    expect(api.calls('POST', '/auth/signup')).toHaveLength(0);
    expect(screen.getByRole('link', { name: /Read the privacy policy/ }).getAttribute('href')).toBe('/privacy');

    fireEvent.click(screen.getByLabelText('I am at least 18 years old'));
    fireEvent.click(screen.getByLabelText('I have read and accept the privacy policy'));
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    await waitFor(() => expect(window.location.pathname).toBe('/buy'));
    expect(api.calls('POST', '/auth/signup')[0]?.body).toEqual({
      email: 'me@example.com',
      password: 'a long passphrase',
      ageConfirmed: true,
      policyVersion: '2030-01-01.abc',
    });
  });
});

describe('continuing anonymously', () => {
  it('creates the account of this browser from a random device id and secret, never asking for an e-mail address', async () => {
    at('/start');
    const api = new FakeApi()
      .on('GET', '/privacy/policy', policy)
      .on('POST', '/auth/device', () => json(201, { token: 'otp_dev_token', accountId: 'acc_1', created: true, expiresAt: 'x' }))
      .on('GET', '/me', me({ kind: 'device', email: null }));
    api.install();
    signedOut(<Anonymous />);

    await screen.findByLabelText('I am at least 18 years old');
    expect(screen.queryByLabelText('Email')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Continue anonymously' }));
    expect(api.calls('POST', '/auth/device')).toHaveLength(0);
    fireEvent.click(screen.getByLabelText('I am at least 18 years old'));
    fireEvent.click(screen.getByLabelText('I have read and accept the privacy policy'));
    fireEvent.click(screen.getByRole('button', { name: 'Continue anonymously' }));
    await waitFor(() => expect(window.location.pathname).toBe('/buy'));

    const body = api.calls('POST', '/auth/device')[0]?.body as Record<string, unknown>;
    const deviceId = window.localStorage.getItem('otpbox.deviceId');
    const deviceSecret = window.localStorage.getItem('otpbox.deviceSecret');
    expect(deviceId).toMatch(/^web-[0-9a-f]{32}$/);
    expect(deviceSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(deviceSecret).not.toContain(deviceId?.slice(4));
    expect(body).toEqual({
      deviceId,
      deviceSecret,
      platform: 'web',
      osVersion: expect.any(String),
      model: expect.any(String),
      appVersion: expect.any(String),
      ageConfirmed: true,
      policyVersion: '2030-01-01.abc',
    });
    expect(JSON.stringify(body)).not.toContain('@');
    expect(window.localStorage.getItem('otpbox.deviceToken')).toBe('otp_dev_token');
    // The token, not a cookie, authenticates this account from now on.
    expect(api.calls('GET', '/me').at(-1)?.headers.authorization).toBe('Bearer otp_dev_token');
  });

  /** Continue anonymously on a signed-out browser and return the body the sign-in sent. */
  async function continueAnonymously(api: FakeApi) {
    signedOut(<Anonymous />);
    fireEvent.click(await screen.findByLabelText('I am at least 18 years old'));
    fireEvent.click(screen.getByLabelText('I have read and accept the privacy policy'));
    fireEvent.click(screen.getByRole('button', { name: 'Continue anonymously' }));
    await waitFor(() => expect(window.location.pathname).toBe('/buy'));
    return api.calls('POST', '/auth/device').at(-1)?.body as Record<string, unknown>;
  }

  it('sends the same id and secret at every later sign-in', async () => {
    at('/start');
    const api = new FakeApi()
      .on('GET', '/privacy/policy', policy)
      .on('POST', '/auth/device', () => json(201, { token: 'otp_dev_token', accountId: 'acc_1', created: false, expiresAt: 'x' }))
      .on('GET', '/me', me({ kind: 'device', email: null }));
    api.install();
    const first = await continueAnonymously(api);
    cleanup();
    at('/start');
    const second = await continueAnonymously(api);
    expect(second.deviceSecret).toMatch(/^[0-9a-f]{64}$/);
    expect([second.deviceId, second.deviceSecret]).toEqual([first.deviceId, first.deviceSecret]);
  });

  it('gives a browser from before device secrets a secret for its existing id, kept for next time', async () => {
    const existingId = 'web-5f0c9a1e7b3d4c2a8e6f1b0d9c7a5e3f';
    window.localStorage.setItem('otpbox.deviceId', existingId);
    at('/start');
    const api = new FakeApi()
      .on('GET', '/privacy/policy', policy)
      .on('POST', '/auth/device', () => json(201, { token: 'otp_dev_new', accountId: 'acc_1', created: false, expiresAt: 'x' }))
      .on('GET', '/me', me({ kind: 'device', email: null }));
    api.install();
    const body = await continueAnonymously(api);
    expect(body.deviceId).toBe(existingId);
    expect(body.deviceSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(window.localStorage.getItem('otpbox.deviceSecret')).toBe(body.deviceSecret);
  });
});
