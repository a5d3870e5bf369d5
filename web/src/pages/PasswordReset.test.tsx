// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeApi, json } from '../test/fake-api.ts';
import { at } from '../test/render.tsx';
import { ResetPassword } from './PasswordReset.tsx';

afterEach(cleanup);

const reset = async (apiKeysRevoked: number, webhookEndpointsDisabled = 0) => {
  at('/reset-password?token=otp_eml_abc');
  const api = new FakeApi().on('POST', '/auth/password-reset/confirm', () =>
    json(200, { reset: true, apiKeysRevoked, webhookEndpointsDisabled }),
  );
  api.install();
  render(<ResetPassword />);
  fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'a brand new passphrase 7' } });
  fireEvent.click(screen.getByRole('button', { name: 'Change the password' }));
  await screen.findByText(/Your password was changed/);
  expect(api.calls('POST', '/auth/password-reset/confirm')[0]?.body).toEqual({
    token: 'otp_eml_abc',
    password: 'a brand new passphrase 7',
  });
};

describe('choosing a new password from the e-mail', () => {
  it('says how many API keys the reset revoked, so scripts get new ones', async () => {
    await reset(2);
    expect(screen.getByText(/Your API keys \(2\) were revoked/)).toBeTruthy();
  });

  it('says how many webhook endpoints it disabled, to be checked and enabled again', async () => {
    await reset(0, 3);
    expect(screen.getByText(/Your webhook endpoints \(3\) were disabled/)).toBeTruthy();
  });

  it('says nothing of keys when there were none', async () => {
    await reset(0);
    expect(screen.queryByText(/API keys/)).toBeNull();
  });
});
