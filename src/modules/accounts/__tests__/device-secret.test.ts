import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../config.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { secretKeys } from '../../../lib/secrets.ts';
import type { Ctx } from '../../context.ts';
import { deviceSecretHash, deviceSecretMatches } from '../device-secret.ts';

const ctxWith = (secretKey: string): Ctx =>
  ({ keys: secretKeys(secretKey), clock: new ManualClock(), config: testConfig({}), log: pino({ level: 'silent' }) }) as unknown as Ctx;
const ctx = ctxWith('device-secret-test-key-0123456789abcdef');
const SECRET = '9b1d0f6c2e8a4d7f3c5b9e1a0d6f2c8e';

describe('device secrets', () => {
  it('are stored as a keyed hash: never the secret, and another SECRET_KEY gives another hash', () => {
    const hash = deviceSecretHash(ctx, SECRET);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(SECRET);
    expect(deviceSecretHash(ctxWith('another-operator-key-0123456789abcdef'), SECRET)).not.toBe(hash);
  });

  it('match only the same secret, exactly as sent', () => {
    const hash = deviceSecretHash(ctx, SECRET);
    expect(deviceSecretMatches(ctx, hash, SECRET)).toBe(true);
    expect(deviceSecretMatches(ctx, hash, SECRET.toUpperCase())).toBe(false);
    expect(deviceSecretMatches(ctx, hash, `${SECRET}0`)).toBe(false);
    expect(deviceSecretMatches(ctx, hash.slice(0, 10), SECRET)).toBe(false);
  });

  // Timing cannot be asserted in a unit test (no wall-clock bounds), so this pins the primitive: the
  // stored hash is compared with constantTimeEqual (crypto.timingSafeEqual), never with === or !==.
  it('are compared in constant time', async () => {
    const source = await readFile(new URL('../device-secret.ts', import.meta.url), 'utf8');
    const matches = source.slice(source.indexOf('export const deviceSecretMatches'));
    expect(matches).toMatch(/constantTimeEqual\(deviceSecretHash\(ctx, secret\), storedHash\)/);
    const signIn = await readFile(new URL('../device-sign-in.ts', import.meta.url), 'utf8');
    expect(signIn).toMatch(/deviceSecretMatches\(ctx, device\.secretHash, input\.deviceSecret\)/);
    expect(signIn).not.toMatch(/secretHash\s*[!=]==(?!\s*null\b)/);
  });
});
