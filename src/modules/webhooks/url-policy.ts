import { isIP } from 'node:net';
import { DomainError } from '../../lib/errors.ts';
import { isPublicAddress } from './address-policy.ts';

export const MAX_URL_LENGTH = 2048;

/**
 * Why a webhook URL may not be called, or null. Checked when an endpoint is registered and again
 * before every attempt (the settings may have changed since): https only, no credentials in the URL,
 * a web port (see `isWebPort`), and an IP-literal host must be a public address. Host names are
 * checked on their resolved addresses at connection time (public-lookup.ts). `allowPrivate`
 * (WEBHOOK_ALLOW_PRIVATE_NETWORKS) lifts the address and scheme rules for local development.
 */
export function urlRefusal(url: URL, allowPrivate: boolean): string | null {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPrivate)) {
    return url.protocol === 'http:' ? 'the URL must use https://' : `the URL must be https:// (not ${url.protocol})`;
  }
  if (url.username || url.password) return 'the URL must not contain a user name or password';
  if (!isWebPort(url.port)) return `port ${url.port} is not allowed (use 80, 443, or a port from 1024 up)`;
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isPublicAddress(host)) return `${host} is not a public internet address`;
  return null;
}

/** Parse and check a URL a customer registers; throws WEBHOOK_URL_REFUSED with the reason. */
export function checkEndpointUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('WEBHOOK_URL_REFUSED', 'The webhook URL is not an absolute URL.');
  }
  url.hash = '';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  // Obvious loopback names are refused now; every other name is checked on what it resolves to, at each attempt.
  const loopbackName = !allowPrivate && (host === 'localhost' || host.endsWith('.localhost'));
  const refusal = loopbackName ? `${host} is not a public internet address` : urlRefusal(url, allowPrivate);
  if (refusal) throw new DomainError('WEBHOOK_URL_REFUSED', `This webhook URL is refused: ${refusal}.`);
  if (url.href.length > MAX_URL_LENGTH)
    throw new DomainError('WEBHOOK_URL_REFUSED', `The webhook URL is longer than ${MAX_URL_LENGTH} characters.`);
  return url.href;
}

/**
 * Ports a webhook may be sent to: the default (an empty `URL.port`), 80, 443, or an unprivileged port
 * (1024 and up, where web applications listen). The ports below 1024 belong to other services — SSH,
 * SMTP, DNS, … — that an otpbox server must not be made to poke at on someone's behalf (SSRF).
 * Even with private networks allowed: development receivers listen on high ports too.
 */
export function isWebPort(port: string): boolean {
  if (port === '') return true;
  const number = Number(port);
  return number === 80 || number === 443 || number >= 1024;
}
