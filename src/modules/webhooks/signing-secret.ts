import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKeys } from '../../lib/secrets.ts';

/** Standard Webhooks symmetric secrets: `whsec_` + base64 of random bytes (the spec asks for 24 to 64). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const VERSION = 'v1';

/**
 * Secrets are stored encrypted (AES-256-GCM, key derived from SECRET_KEY for this purpose only), bound
 * to their endpoint id as associated data: a ciphertext copied onto another endpoint does not decrypt.
 */
export function encryptSigningSecret(keys: SecretKeys, endpointId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.derive('webhook-signing'), iv);
  cipher.setAAD(Buffer.from(endpointId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function decryptSigningSecret(keys: SecretKeys, endpointId: string, stored: string): string {
  const [version, encoded] = stored.split('.');
  if (version !== VERSION || !encoded) throw new Error(`unknown signing secret format for endpoint ${endpointId}`);
  const raw = Buffer.from(encoded, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', keys.derive('webhook-signing'), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(endpointId));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
