import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../lib/secrets.ts';
import type { Ctx } from '../context.ts';

/** What a device secret must be (random-values.ts): at most 512 bits as hex (apps are told to send 256), not a UUID. */
export const DEVICE_SECRET_RULES = { maxLength: 128, uuid: false } as const;

/**
 * The device secret is stored only as HMAC-SHA256 under a key derived from SECRET_KEY. A fast keyed
 * hash is enough: the secret carries at least 128 random bits (checked at the door), so there is no
 * dictionary to try and a slow password hash would only cost every sign-in CPU; the key means a
 * stolen database alone cannot even test a guess.
 */
export const deviceSecretHash = (ctx: Ctx, secret: string): string =>
  createHmac('sha256', ctx.keys.derive('device-secret-hmac')).update(secret).digest('hex');

/** Whether `secret` is the one whose hash is stored, compared in constant time (no timing hints for guessing). */
export const deviceSecretMatches = (ctx: Ctx, storedHash: string, secret: string): boolean =>
  constantTimeEqual(deviceSecretHash(ctx, secret), storedHash);
