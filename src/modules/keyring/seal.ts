import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The first byte of every sealed value and wrapped key: which algorithm and layout (ADR 28). */
export const SEAL_VERSION = 1;
const NONCE = 12;
const TAG = 16;

/** A sealed value that does not open: unknown version, truncated, tampered, or moved to another row or column. */
export class SealedValueError extends Error {
  override name = 'SealedValueError';
}

/**
 * AES-256-GCM with a random 96-bit nonce. `aad` binds the value to where it belongs; the result is
 * base64(version ‖ nonce ‖ ciphertext ‖ tag), text that fits the column the plain value was in.
 */
export function sealWith(key: Buffer, aad: string, plaintext: string | Buffer): string {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
  return Buffer.concat([Buffer.of(SEAL_VERSION), nonce, body, cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** Opens what `sealWith` sealed under the same key and `aad`; throws `SealedValueError` otherwise. */
export function openBytesWith(key: Buffer, aad: string, sealed: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < 1 + NONCE + TAG) throw new SealedValueError(`sealed value for ${aad} is truncated or not sealed`);
  if (raw[0] !== SEAL_VERSION) throw new SealedValueError(`sealed value for ${aad} has unknown version ${raw[0]}`);
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 1 + NONCE));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - TAG));
  try {
    return Buffer.concat([decipher.update(raw.subarray(1 + NONCE, raw.length - TAG)), decipher.final()]);
  } catch {
    throw new SealedValueError(`sealed value for ${aad} does not open: another key, another place, or tampered with`);
  }
}

export const openWith = (key: Buffer, aad: string, sealed: string): string => openBytesWith(key, aad, sealed).toString('utf8');
