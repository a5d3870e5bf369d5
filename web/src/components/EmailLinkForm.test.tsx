// @vitest-environment happy-dom
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ForgotPassword } from '../pages/PasswordReset.tsx';
import { json } from '../test/fake-api.ts';
import { fakeApi } from '../test/render.tsx';
import { LostAccessRequest } from './privacy/LostAccess.tsx';

describe('the pages that send a link to an address (one form)', () => {
  it('a password reset: an empty address is refused in place, then the server’s answer replaces the form', async () => {
    const api = fakeApi().on('POST', '/auth/password-reset', () => json(200, { message: 'If an account uses it, we sent a link.' }));
    render(<ForgotPassword />);
    const button = screen.getByRole('button', { name: 'Send the link' });
    fireEvent.click(button);
    expect(await screen.findByText('Enter your e-mail address.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Email'));
    expect(api.calls('POST', '/auth/password-reset')).toHaveLength(0);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: '  me@example.com ' } });
    fireEvent.click(button);
    expect(await screen.findByText('If an account uses it, we sent a link.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send the link' })).toBeNull();
    expect(api.calls('POST', '/auth/password-reset')[0]?.body).toEqual({ email: 'me@example.com' });
  });

  it('a privacy request without signing in: the address, the right and the details are sent together', async () => {
    const api = fakeApi().on('POST', '/privacy/requests/by-email', () => json(202, { message: 'If an account uses it, we sent a link.' }));
    render(<LostAccessRequest />);
    fireEvent.change(screen.getByLabelText('E-mail address of your account'), { target: { value: 'me@example.com' } });
    fireEvent.change(screen.getByLabelText('What do you want?'), { target: { value: 'erasure' } });
    fireEvent.change(screen.getByLabelText('Details (optional)'), { target: { value: ' old phone ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the request' }));
    expect(await screen.findByText('If an account uses it, we sent a link.')).toBeTruthy();
    expect(api.calls('POST', '/privacy/requests/by-email')[0]?.body).toEqual({
      email: 'me@example.com',
      type: 'erasure',
      details: 'old phone',
    });
  });
});
