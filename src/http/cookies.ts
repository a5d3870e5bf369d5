import { type Cookies, parseCookie, type SetCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply } from 'fastify';

/**
 * Cookies through the `cookie` package directly, not a Fastify plugin: the plugin adds a hook that
 * every request passes twice (parse on arrival, write on send), while only the API's session routes
 * read or set cookies. The auth hook parses them for /api/v1 requests (auth.ts).
 */
export type CookieOptions = Omit<SetCookie, 'name' | 'value'>;

export const readCookies = (header: string | undefined): Cookies => (header ? parseCookie(header) : {});

/** Adds a `Set-Cookie` header (Fastify appends repeated set-cookie headers). */
export function setCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions): FastifyReply {
  return reply.header('set-cookie', stringifySetCookie({ ...options, name, value }));
}

/** Tells the browser to forget a cookie: empty, expired, same path and attributes. */
export function clearCookie(reply: FastifyReply, name: string, options: CookieOptions): FastifyReply {
  return setCookie(reply, name, '', { ...options, expires: new Date(0), maxAge: 0 });
}
