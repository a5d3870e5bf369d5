import { describe, expect, it } from 'vitest';
import {
  COMMON_PASSWORD_COUNT,
  hashPassword,
  isCommonPassword,
  passwordProblem,
  verifyAgainstDummy,
  verifyPassword,
} from '../passwords.ts';

describe('passwords', () => {
  it('are hashed with argon2id, m=19456 KiB, t=2, p=1, and verified', async () => {
    const hash = await hashPassword('a long enough passphrase');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'a long enough passphrase')).toBe(true);
    expect(await verifyPassword(hash, 'a long enough passphrasE')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
    expect(await verifyAgainstDummy('anything')).toBe(false);
  });

  it('match the same password typed in another Unicode form (NFKC)', async () => {
    const hash = await hashPassword('ｐａｓｓｗｏｒｄ ｗｉｔｈ ｗｉｄｅ');
    expect(await verifyPassword(hash, 'password with wide')).toBe(true);
  });

  it('ship a list of at least 10,000 common passwords, checked case-insensitively', () => {
    expect(COMMON_PASSWORD_COUNT()).toBeGreaterThanOrEqual(10_000);
    expect(isCommonPassword('password1')).toBe(true);
    expect(isCommonPassword('PassWord1')).toBe(true);
    expect(isCommonPassword('q7#Vlm pz0 river kettle')).toBe(false);
  });

  it('follow ASVS: 8 to 256 characters, no composition rules, no common or e-mail passwords', () => {
    expect(passwordProblem('abc')).toMatch(/at least 8/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/at most 256/);
    expect(passwordProblem('x'.repeat(256))).toBeUndefined();
    expect(passwordProblem('iloveyou')).toMatch(/most common/);
    expect(passwordProblem('alllowercaseletters')).toBeUndefined();
    expect(passwordProblem('with spaces and émojis 🔑')).toBeUndefined();
    expect(passwordProblem('jane.doe@example.com', 'jane.doe@example.com')).toMatch(/e-mail/);
    expect(passwordProblem('jane.doe', 'jane.doe@example.com')).toMatch(/e-mail/);
    // 8 code points even when some take two UTF-16 units.
    expect(passwordProblem('🔑🔑🔑🔑🔑🔑🔑🔑')).toBeUndefined();
  });
});
