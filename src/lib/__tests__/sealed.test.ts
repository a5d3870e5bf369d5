import { describe, expect, it } from 'vitest';
import { seal, unseal } from '../sealed.ts';
import { secretKeys } from '../secrets.ts';

const keys = secretKeys('a'.repeat(64));

describe('sealed secrets', () => {
  it('opens what it sealed, and never stores the plain text', () => {
    const sealed = seal(keys, 'provider-credentials', 'prv_1', 'upstream-api-key-123');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain('upstream-api-key-123');
    expect(unseal(keys, 'provider-credentials', 'prv_1', sealed)).toBe('upstream-api-key-123');
  });

  it('uses a fresh nonce each time', () => {
    expect(seal(keys, 'provider-credentials', 'prv_1', 'k')).not.toBe(seal(keys, 'provider-credentials', 'prv_1', 'k'));
  });

  it('refuses another owner, another purpose, another SECRET_KEY and tampering', () => {
    const sealed = seal(keys, 'provider-credentials', 'prv_1', 'secret');
    expect(() => unseal(keys, 'provider-credentials', 'prv_2', sealed)).toThrow();
    expect(() => unseal(keys, 'webhook-signing', 'prv_1', sealed)).toThrow();
    expect(() => unseal(secretKeys('b'.repeat(64)), 'provider-credentials', 'prv_1', sealed)).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    expect(() => unseal(keys, 'provider-credentials', 'prv_1', `v1.${raw.toString('base64')}`)).toThrow();
    expect(() => unseal(keys, 'provider-credentials', 'prv_1', 'v2.abc')).toThrow(/format/);
    expect(() => unseal(keys, 'provider-credentials', 'prv_1', 'v1.YWJj')).toThrow(/truncated/);
  });
});
