import { randomBytes } from 'node:crypto';
import { seal, unseal } from '../../lib/sealed.ts';
import type { SecretKeys } from '../../lib/secrets.ts';

/** Standard Webhooks symmetric secrets: `whsec_` + base64 of random bytes (the spec asks for 24 to 64). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Signing secrets are stored sealed (lib/sealed.ts: AES-256-GCM under the `webhook-signing` key),
 * bound to their endpoint id: a ciphertext copied onto another endpoint does not open.
 */
export function encryptSigningSecret(keys: SecretKeys, endpointId: string, secret: string): string {
  return seal(keys, 'webhook-signing', endpointId, secret);
}

export function decryptSigningSecret(keys: SecretKeys, endpointId: string, stored: string): string {
  return unseal(keys, 'webhook-signing', endpointId, stored);
}
