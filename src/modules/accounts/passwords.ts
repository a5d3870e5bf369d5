import { hash, verify } from '@node-rs/argon2';
import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common';
import { onFirstUse } from '../../lib/packages.ts';

/**
 * Password storage and policy (ASVS 5.0 V6.2, OWASP Password Storage Cheat Sheet):
 * argon2id m=19 MiB t=2 p=1; 8 to 256 characters of anything (spaces and emoji included, NFKC
 * normalised so the same password typed on another keyboard still matches); no composition rules;
 * refused when it is one of the 49,233 most common passwords, or the account's own e-mail.
 */
/** `algorithm: 2` is Argon2id (the package's const enum cannot be imported under isolated modules). */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

const normalise = (password: string) => password.normalize('NFKC');

export const hashPassword = (password: string): Promise<string> => hash(normalise(password), ARGON2_OPTIONS);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalise(password));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spend the same time as a real check, for unknown accounts: no timing difference reveals who exists. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hash('otpbox-dummy-password-for-timing', ARGON2_OPTIONS);
  await verifyPassword(await dummyHash, password);
  return false;
}

/**
 * The common passwords, lower-cased: loaded with the first password checked, not at start
 * (lib/packages.ts), since the package decompresses every dictionary it has when loaded (about 20 ms
 * and 9 MB that an idle instance would keep).
 */
const commonPasswords = onFirstUse<Set<string>>((require) => {
  const { dictionary } = require('@zxcvbn-ts/language-common') as typeof ZxcvbnCommon;
  return new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
});

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(normalise(password).toLowerCase());
}

export const COMMON_PASSWORD_COUNT = (): number => commonPasswords().size;

/** Why a new password is refused, in words for the customer; undefined when it is fine. */
export function passwordProblem(password: string, email?: string | null): string | undefined {
  const length = [...normalise(password)].length;
  if (length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (isCommonPassword(password)) return 'This password is one of the most common ones and is easy to guess; choose another.';
  if (email) {
    const lowered = normalise(password).toLowerCase();
    const local = email.split('@')[0] ?? '';
    if (lowered === email || (local.length >= 4 && lowered === local)) return 'Do not use your e-mail address as your password.';
  }
  return undefined;
}
