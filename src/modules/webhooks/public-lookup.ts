import { promises as dnsPromises, type LookupAddress, lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from './address-policy.ts';

export const REFUSED_ADDRESS = 'EWEBHOOKADDRESS';

/** The lookup's refusal: `address` is what the name resolved to that is not public. */
export type AddressRefusal = NodeJS.ErrnoException & { code: typeof REFUSED_ADDRESS; address: string };

/** Why a name is refused, naming it as the caller says (a delivery failure does not name the host: send.ts). */
export const notPublicResolution = (name: string, address: string) =>
  `${name} resolves to ${address}, which is not a public internet address`;

/**
 * A DNS lookup for the webhook's HTTP connection that refuses a host unless every address it
 * resolves to is public. The check runs on the very answer the socket then connects to, so a name
 * that resolves to a public address when checked and to an internal one when used (DNS rebinding)
 * cannot slip through.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) {
      callback(error, '');
      return;
    }
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused || addresses.length === 0) {
      const address = refused?.address ?? 'no address';
      const refusal = Object.assign(new Error(notPublicResolution(hostname, address)), { code: REFUSED_ADDRESS, address } as const);
      callback(refusal satisfies AddressRefusal, '');
      return;
    }
    const [first] = addresses;
    if (options.all) callback(null, addresses);
    else callback(null, first?.address ?? '', first?.family);
  });
};

/** A name's addresses, as `dns.promises.lookup(name, { all: true })` answers them. */
export type LookupAll = (hostname: string) => Promise<{ address: string }[]>;

const lookupAll: LookupAll = (hostname) => dnsPromises.lookup(hostname, { all: true });

/** How long registering an endpoint waits for its name to resolve: past that, the check at each attempt decides. */
export const REGISTRATION_LOOKUP_MS = 2_000;

/**
 * Why a name is refused when an endpoint is registered: it resolves, now, to an address that is not
 * public. The check at every attempt (`publicOnlyLookup`) stays the guarantee — a name may change —
 * but a customer who registers `hooks.internal` should hear at once that it will never be called, not
 * find it later in the delivery log. A name that does not resolve (yet), or not in time, is accepted.
 */
export async function privateResolution(
  hostname: string,
  lookupNames: LookupAll = lookupAll,
  timeoutMs = REGISTRATION_LOOKUP_MS,
): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const addresses = await Promise.race([lookupNames(hostname).catch(() => null), late]);
    const refused = addresses?.find((entry) => !isPublicAddress(entry.address));
    return refused ? notPublicResolution(hostname, refused.address) : null;
  } finally {
    clearTimeout(timer);
  }
}
