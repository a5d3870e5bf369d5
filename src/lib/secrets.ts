import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The operator's SECRET_KEY is the root of every keyed hash and encryption key in otpbox.
 * Sub-keys are derived per purpose with HKDF, so one leaked sub-key says nothing about the others.
 */
export type KeyPurpose =
  | 'device-id-hmac'
  | 'device-secret-hmac'
  | 'withheld-sms'
  | 'ip-hmac'
  | 'throttle-hmac'
  | 'rate-limit-hmac'
  | 'trusted-device-cookie'
  | 'provider-credentials'
  | 'gateway-credentials'
  | 'gateway-messages'
  | 'webhook-signing'
  | 'staff-ref'
  | 'key-fingerprint'
  | 'account-keyring'
  | 'email-hmac'
  | 'staff-totp'
  | 'recovery-code-hmac'
  | 'phone-hmac';

export interface SecretKeys {
  derive(purpose: KeyPurpose): Buffer;
  /** A non-reversible fingerprint, stored in the database to detect a changed SECRET_KEY. */
  fingerprint(): string;
}

export function secretKeys(secret: string): SecretKeys {
  const root = Buffer.from(secret, 'utf8');
  const cache = new Map<KeyPurpose, Buffer>();
  const derive = (purpose: KeyPurpose) => {
    let key = cache.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', root, Buffer.from('otpbox'), Buffer.from(purpose), 32));
      cache.set(purpose, key);
    }
    return key;
  };
  return {
    derive,
    fingerprint: () => createHmac('sha256', derive('key-fingerprint')).update('otpbox/secret-key/v1').digest('hex').slice(0, 32),
  };
}

export const SECRET_KEY_FILE = 'secret.key';

/**
 * SECRET_KEY from the environment, or else from `DATA_DIR/secret.key`, generated (0600) on first start.
 * Creation is exclusive (`wx`), so two processes starting at once agree on one key.
 */
export async function loadOrCreateSecret(
  dataDir: string,
  fromEnv: string | undefined,
): Promise<{ secret: string; source: 'env' | 'file' | 'generated' }> {
  if (fromEnv) return { secret: fromEnv, source: 'env' };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    return { secret: await readSecretFile(file), source: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return { secret, source: 'generated' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { secret: await readSecretFile(file), source: 'file' };
    throw error;
  }
}

async function readSecretFile(file: string): Promise<string> {
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32)
    throw new SecretFileError(`${file} holds fewer than 32 characters; delete it to generate a new key, or set SECRET_KEY`);
  return secret;
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** The data folder's secret key file is not usable: a configuration the operator fixes (exit status 78). */
export class SecretFileError extends Error {
  override name = 'SecretFileError';
}
