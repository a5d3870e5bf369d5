import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { clearCookie, readCookies, setCookie } from '../cookies.ts';

describe('cookies', () => {
  it('reads a Cookie header, and nothing from a missing one', () => {
    expect(readCookies('otpbox_session=otp_ses_abc; otpbox_device=x%20y')).toEqual({ otpbox_session: 'otp_ses_abc', otpbox_device: 'x y' });
    expect(readCookies(undefined)).toEqual({});
    expect(readCookies('')).toEqual({});
  });

  it('sets several cookies on one reply, each its own Set-Cookie header, and clears one', async () => {
    const app = Fastify();
    app.get('/', async (_request, reply) => {
      setCookie(reply, 'a', 'one', { httpOnly: true, sameSite: 'lax', secure: true, path: '/', maxAge: 60 });
      setCookie(reply, 'b', 'two words', { path: '/', expires: new Date('2030-01-02T03:04:05Z') });
      clearCookie(reply, 'c', { httpOnly: true, path: '/' });
      return {};
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.headers['set-cookie']).toEqual([
      'a=one; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax',
      'b=two%20words; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT',
      'c=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly',
    ]);
    await app.close();
  });
});
