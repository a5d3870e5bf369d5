import { createHmac, randomInt } from 'node:crypto';
import type * as Otplib from 'otplib';
import { onFirstUse } from '../../lib/packages.ts';
import { seal, unseal } from '../../lib/sealed.ts';
import type { SecretKeys } from '../../lib/secrets.ts';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s) for staff accounts, through otplib (ADR 31). A code is
 * accepted one step either side of now (clock drift, typing time), and only for a step later than
 * the last one accepted: the same code never signs in twice.
 */
export const TOTP_PERIOD_S = 30;
const TOLERANCE_S = TOTP_PERIOD_S;

/**
 * otplib, loaded at its first use (lib/packages.ts): only staff sign in with a second factor, and
 * loading it (with its hash and base32 plugins) costs every start about 20 ms and 1.5 MB.
 */
const otplib = onFirstUse<typeof Otplib>((require) => require('otplib'));

export const newTotpSecret = (): string => otplib().generateSecret({ length: 20 });

export function otpauthUri(publicUrl: string, email: string, secret: string): string {
  return otplib().generateURI({ issuer: `otpbox ${new URL(publicUrl).host}`, label: email, secret });
}

/** The time step the code belongs to, or undefined when it is wrong, too old, too new or already used. */
export function totpStep(secret: string, code: string, now: Date, lastStep?: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  try {
    const result = otplib().verifySync({
      secret,
      token: code,
      epoch: Math.floor(now.getTime() / 1000),
      epochTolerance: TOLERANCE_S,
      ...(lastStep !== undefined && lastStep > 0 ? { afterTimeStep: lastStep } : {}),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  } catch {
    // otplib refuses an afterTimeStep beyond now + tolerance (a clock set back): no code is valid then.
    return undefined;
  }
}

/** The TOTP secret at rest: AES-256-GCM under the `staff-totp` key, bound to the account (or enrolment) it belongs to. */
export const sealTotpSecret = (keys: SecretKeys, boundTo: string, secret: string) => seal(keys, 'staff-totp', boundTo, secret);
export const openTotpSecret = (keys: SecretKeys, boundTo: string, sealed: string) => unseal(keys, 'staff-totp', boundTo, sealed);

/** Recovery codes: ten, `xxxxx-xxxxx` from an alphabet without look-alikes (≈ 50 bits each). */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function newRecoveryCodes(): string[] {
  const one = () => Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const code = one();
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  });
}

/**
 * A recovery code's keyed hash (HMAC-SHA256 under a key derived from SECRET_KEY): 50 bits would fall to
 * an offline search of a fast unkeyed hash taken from a database copy; without the key they cannot.
 */
export function recoveryCodeHash(keys: SecretKeys, code: string): string {
  const normalised = code.toLowerCase().replace(/[^a-z0-9]/g, '');
  return createHmac('sha256', keys.derive('recovery-code-hmac')).update(normalised).digest('hex');
}
