import { type LookupAddress, lookup } from 'node:dns';
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
