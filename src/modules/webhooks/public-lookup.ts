import { type LookupAddress, lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from './address-policy.ts';

export const REFUSED_ADDRESS = 'EWEBHOOKADDRESS';

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
      const refusal: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to ${refused?.address ?? 'no address'}, which is not a public internet address`,
      );
      refusal.code = REFUSED_ADDRESS;
      callback(refusal, '');
      return;
    }
    const [first] = addresses;
    if (options.all) callback(null, addresses);
    else callback(null, first?.address ?? '', first?.family);
  });
};
