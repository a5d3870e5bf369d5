import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyPurpose, SecretKeys } from './secrets.ts';

const VERSION = 'v1';

/**
 * Secrets otpbox must read back (provider API keys, webhook signing secrets) are stored sealed:
 * AES-256-GCM under a key derived from SECRET_KEY for one purpose only, bound to the row that owns
 * them as associated data, so a ciphertext copied onto another row does not open.
 * Format: `v1.` + base64(iv ‖ tag ‖ ciphertext).
 */
export function seal(keys: SecretKeys, purpose: KeyPurpose, boundTo: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.derive(purpose), iv);
  cipher.setAAD(Buffer.from(boundTo));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** Opens what `seal` sealed; throws when the format, the key or the owner does not match. */
export function unseal(keys: SecretKeys, purpose: KeyPurpose, boundTo: string, sealed: string): string {
  const [version, encoded] = sealed.split('.');
  if (version !== VERSION || !encoded) throw new Error(`unknown sealed secret format for ${boundTo}`);
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length < 28) throw new Error(`sealed secret for ${boundTo} is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', keys.derive(purpose), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
