import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretKeys } from '../../../lib/secrets.ts';
import { unwrapKey, wrapKey } from '../account-key.ts';
import { sealedAad } from '../fields.ts';
import { openWith, SEAL_VERSION, SealedValueError, sealWith } from '../seal.ts';

const key = randomBytes(32);
const aad = sealedAad('activation_sms.text', 'acc_1', 'sms_1');

describe('sealing', () => {
  it('opens what it sealed, never stores the plain text, and uses a fresh nonce each time', () => {
    const sealed = sealWith(key, aad, 'Your code is 123456');
    expect(sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sealed, 'base64').toString('latin1')).not.toContain('123456');
    expect(openWith(key, aad, sealed)).toBe('Your code is 123456');
    expect(sealWith(key, aad, 'same')).not.toBe(sealWith(key, aad, 'same'));
    expect(openWith(key, aad, sealWith(key, aad, ''))).toBe('');
    expect(openWith(key, aad, sealWith(key, aad, 'Grüße, 短信 ✓'))).toBe('Grüße, 短信 ✓');
  });

  it('puts the version byte in front', () => {
    expect(Buffer.from(sealWith(key, aad, 'x'), 'base64')[0]).toBe(SEAL_VERSION);
  });

  it('refuses another column, another account, another row and another key', () => {
    const sealed = sealWith(key, aad, 'secret');
    expect(() => openWith(key, sealedAad('webhook_endpoints.url', 'acc_1', 'sms_1'), sealed)).toThrow(SealedValueError);
    expect(() => openWith(key, sealedAad('activation_sms.text', 'acc_2', 'sms_1'), sealed)).toThrow(SealedValueError);
    expect(() => openWith(key, sealedAad('activation_sms.text', 'acc_1', 'sms_2'), sealed)).toThrow(SealedValueError);
    expect(() => openWith(randomBytes(32), aad, sealed)).toThrow(SealedValueError);
  });

  it('refuses tampering, an unknown version, a truncated value and plain text', () => {
    const raw = Buffer.from(sealWith(key, aad, 'secret'), 'base64');
    for (const index of [1, 14, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index] = (tampered[index] as number) ^ 1;
      expect(() => openWith(key, aad, tampered.toString('base64'))).toThrow(/does not open/);
    }
    const otherVersion = Buffer.from(raw);
    otherVersion[0] = 2;
    expect(() => openWith(key, aad, otherVersion.toString('base64'))).toThrow(/unknown version 2/);
    expect(() => openWith(key, aad, raw.subarray(0, 20).toString('base64'))).toThrow(/truncated/);
    expect(() => openWith(key, aad, 'someone@example.com')).toThrow(SealedValueError);
  });

  it('wraps a data key under SECRET_KEY, bound to its account', () => {
    const keys = secretKeys('k'.repeat(64));
    const wrapped = wrapKey(keys, 'acc_1', key);
    expect(wrapped).not.toContain(key.toString('base64'));
    expect(unwrapKey(keys, 'acc_1', wrapped).equals(key)).toBe(true);
    expect(() => unwrapKey(keys, 'acc_2', wrapped)).toThrow(SealedValueError);
    expect(() => unwrapKey(secretKeys('j'.repeat(64)), 'acc_1', wrapped)).toThrow(SealedValueError);
  });
});
