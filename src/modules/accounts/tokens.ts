import { hash, randomBytes } from 'node:crypto';

/**
 * Secrets we hand out: 256 random bits from the CSPRNG with a recognisable prefix (so secret scanners
 * and people can tell what leaked), stored only as SHA-256 (ASVS 6.5.2: fast hashes suffice at ≥112 bits).
 */
export const TOKEN_PREFIXES = {
  session: 'otp_ses',
  device: 'otp_dev',
  apiKey: 'otp_live',
  emailToken: 'otp_eml',
  /** A staff enrolment link (ADR 31). */
  enrolment: 'otp_enr',
  /** A staff sign-in waiting for its second factor (the cookie between password and code). */
  secondFactor: 'otp_tfa',
} as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;

const TOKEN_SHAPE = /^otp_(ses|dev|live|eml|enr|tfa)_[A-Za-z0-9_-]{43}$/;

export function newToken(kind: TokenKind): { token: string; hash: string } {
  const token = `${TOKEN_PREFIXES[kind]}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

/** One-shot `crypto.hash`: a credential is hashed on every request, and a Hash object per call is measurable. */
export const hashToken = (token: string): string => hash('sha256', token, 'hex');

/** Kinds by the word after `otp_`, built once: every authenticated request asks. */
const KIND_OF_WORD: ReadonlyMap<string, TokenKind> = new Map(
  (Object.entries(TOKEN_PREFIXES) as [TokenKind, string][]).map(([kind, prefix]) => [prefix.slice('otp_'.length), kind]),
);

/** The kind of a presented token, or undefined when it cannot be one of ours (no database lookup then). */
export function tokenKind(token: string): TokenKind | undefined {
  const match = TOKEN_SHAPE.exec(token);
  return match ? KIND_OF_WORD.get(match[1] as string) : undefined;
}
