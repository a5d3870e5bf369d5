import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { SecretKeys } from '../../lib/secrets.ts';

/**
 * IP minimisation (P10): we keep the network (IPv4 /24, IPv6 /48), never the address, plus a keyed
 * hash of the full address so abuse from one address can be correlated without storing it.
 */
export function ipPrefix(ip: string | undefined): string | null {
  if (!ip) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  if (isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(address)) {
    const groups = expandIPv6(address).slice(0, 3);
    return `${groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
  }
  return null;
}

export function ipHash(keys: SecretKeys, ip: string | undefined): string | null {
  if (!ip) return null;
  return createHmac('sha256', keys.derive('ip-hmac')).update(ip.toLowerCase()).digest('hex').slice(0, 32);
}

function expandIPv6(address: string): string[] {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...right].map((g) => g.toLowerCase().padStart(4, '0'));
}

/** User agents are free text from the client: keep a bounded, printable prefix. */
export function cleanUserAgent(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  const printable = userAgent.replace(/[^\x20-\x7e]/g, '').trim();
  return printable ? printable.slice(0, 256) : null;
}
